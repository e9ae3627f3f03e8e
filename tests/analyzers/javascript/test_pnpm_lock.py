"""javascript/pnpm-lock: pnpm-lock.yaml 5.x, 6.x and 9.0, through the fast reader and through libyaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shiftsec.analyzers.javascript import pnpm_lock
from shiftsec.analyzers.javascript._pnpm_yaml import scan
from shiftsec.analyzers.javascript.pnpm_lock import ANALYZER
from tests.analyzers.javascript._helpers import (
    FIXTURES,
    JUNK,
    assert_broken,
    names,
    run,
    run_bytes,
    shared_fixture,
    table,
)
from tests.conftest import shared

SHARED = sorted(
    path.name
    for path in shared("lockfiles", "osv-scalibr", "language", "javascript", "pnpmlock", "testdata").iterdir()
    if path.suffix == ".yaml"
)


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("pnpm-lock.yaml", True),
        ("apps/web/pnpm-lock.yaml", True),
        ("node_modules/.pnpm/lock.yaml", False),
        ("node_modules/dep/pnpm-lock.yaml", False),
        ("pnpm-lock.yml", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


V9 = {
    "js-tokens@4.0.0": (False, False, ()),
    "loose-envify@1.4.0": (False, False, ("js-tokens@4.0.0",)),
    "react-dom@18.2.0": (True, False, ("loose-envify@1.4.0", "react@18.2.0", "scheduler@0.23.2")),
    "react@18.2.0": (True, False, ("loose-envify@1.4.0",)),  # asked for by the packages/lib importer
    "scheduler@0.23.2": (False, False, ("loose-envify@1.4.0",)),
    "string-width@4.2.3": (True, False, ()),  # an alias: importer version "string-width@4.2.3"
    "typescript@5.4.5": (True, True, ()),
}


def test_v9_importers_snapshots_and_dev() -> None:
    parsed = run(ANALYZER, FIXTURES / "pnpm-v9" / "pnpm-lock.yaml")
    assert table(parsed) == V9
    assert {dep.key: dep.line for dep in parsed.packages}["js-tokens@4.0.0"] == 33


def test_v9_through_libyaml_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pnpm_lock, "scan", lambda _text: None)
    parsed = run(ANALYZER, FIXTURES / "pnpm-v9" / "pnpm-lock.yaml")
    assert table(parsed) == V9
    assert {dep.key: dep.line for dep in parsed.packages}["js-tokens@4.0.0"] == 33


@pytest.mark.parametrize(
    ("fixture", "key", "row"),
    [
        # 5.x: peer suffixes after "_" in keys and references
        (
            "peer-dependencies-advanced.yaml",
            "@typescript-eslint/eslint-plugin@5.13.0",
            (
                True,
                False,
                (
                    "@typescript-eslint/parser@5.13.0",
                    "@typescript-eslint/type-utils@5.13.0",
                    "@typescript-eslint/utils@5.13.0",
                    "eslint@8.10.0",
                    "tsutils@3.21.0",
                ),
            ),
        ),
        ("mixed-groups.v54.yaml", "is-number@7.0.0", (True, True, ())),  # `dev: true`
        ("mixed-groups.v54.yaml", "uuid@8.3.2", (True, False, ())),  # optionalDependencies importer
        # 6.x: peer suffixes in parentheses
        (
            "peer-dependencies-advanced-rc-v6.yaml",
            "react-dom@18.0.0-rc.3",
            (True, False, ("loose-envify@1.4.0", "react@18.2.0", "scheduler@0.21.0")),
        ),
        ("mixed-groups.v6.yaml", "is-number@7.0.0", (True, True, ())),
        # 9.0: dev from the importers (no flags in the file)
        ("mixed-groups.v9.yaml", "is-number@7.0.0", (True, True, ())),
        ("mixed-groups.v9.yaml", "ansi-regex@5.0.1", (True, False, ())),
        ("commits.yaml", "mocks@20.0.1", (True, False, ("faker-parser@0.0.1",))),  # path references
        ("tarball.yaml", "@my-org/my-package@3.2.3", (True, True, ())),
    ],
)
def test_shared_rows(fixture: str, key: str, row: tuple[bool, bool, tuple[str, ...]]) -> None:
    assert table(run(ANALYZER, *shared_fixture(ANALYZER, fixture)))[key] == row


def test_sources_are_noted() -> None:
    parsed = run(ANALYZER, *shared_fixture(ANALYZER, "files.yaml"))
    assert any(note.startswith("a-local-package: local package file:../a-local-package") for note in parsed.notes)
    assert "file:../nameless-package: no package name or version recorded; skipped" in parsed.notes
    parsed = run(ANALYZER, *shared_fixture(ANALYZER, "commits.yaml"))
    assert any("faker-parser: git dependency" in note and "d2dc42a9" in note for note in parsed.notes)


def _normalized(value: object) -> object:
    """libyaml's document as the fast reader spells it (numbers and dates stay text)."""
    if isinstance(value, dict):
        return {str(k): _normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    if isinstance(value, (str, bool)) or value is None:
        return value
    return str(value)  # numbers and dates


@pytest.mark.parametrize("fixture", SHARED)
def test_fast_reader_matches_libyaml(fixture: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path, root = shared_fixture(ANALYZER, fixture)
    text = path.read_text()
    fast = scan(text)
    assert fast is not None, "pnpm's own layout must not need libyaml"
    assert fast[0] == _normalized(yaml.load(text, Loader=yaml.CSafeLoader) or {})
    expected = run(ANALYZER, path, root) if "invalid" not in fixture else None
    monkeypatch.setattr(pnpm_lock, "scan", lambda _text: None)
    if expected is not None:
        assert run(ANALYZER, path, root) == expected


@pytest.mark.parametrize(
    "text",
    [
        "lockfileVersion: '9.0'\npackages: {'a@1.0.0': {resolution: {integrity: x}}, b@2.0.0: {}}\n",  # flow
        "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: &r\n    resolution: {integrity: x}\n  b@2.0.0: *r\n",
        "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution:\n      {integrity: x}\n  b@2.0.0: {}\n",
        "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}  # comment\n  b@2.0.0: {}\n",
        "lockfileVersion: '9.0'\npackages:\n  \"a@1.0.0\": {}\n  'b@2.0.0': {}\n",
        "---\nlockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\n  b@2.0.0: {}\n",
    ],
)
def test_other_yaml_layouts_fall_back_to_libyaml(text: str) -> None:
    assert names(run_bytes(ANALYZER, "pnpm-lock.yaml", text.encode())) == {("a", "1.0.0"), ("b", "2.0.0")}


@pytest.mark.parametrize("fixture", ["empty.yaml", "no-packages.yaml", "no-packages.v9.yaml", "missing-packages.yaml"])
def test_empty(fixture: str) -> None:
    assert run(ANALYZER, *shared_fixture(ANALYZER, fixture)).packages == ()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not valid yaml!", "no lockfileVersion"),
        (b"packages:\n  /a/1.0.0: {}\n", "no lockfileVersion"),
        (b"lockfileVersion: 5.3\npackages:\n  invalidpath: {}\n", "invalid package path"),
        (b"lockfileVersion: [5]\n", "lockfileVersion"),
        (b"lockfileVersion: 'five'\n", "is not a number"),
        (b"lockfileVersion: 5.3\npackages:\n  - /a/1.0.0\n", "packages: expected a mapping"),
        (b"lockfileVersion: 5.3\npackages:\n  /a/1.0.0: 1.0.0\n", "expected a mapping"),
        (b"lockfileVersion: 5.3\npackages:\n  /a/1.0.0:\n    dev: 1\n", "dev: expected true or false"),
        (b"lockfileVersion: 5.3\npackages:\n  /a/1.0.0:\n    name: [x]\n", "name: expected text"),
        (b"lockfileVersion: 5.3\npackages:\n  /a/1.0.0:\n    dependencies: [x]\n", "expected a mapping"),
        (b"lockfileVersion: 5.3\npackages: &p\n  1: {}\n", "is not a string"),
        (b"lockfileVersion: 5.3\npackages:\n  /a/1.0.0: {\n", "not valid YAML"),
        (b"lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: 3\n", "expected a mapping"),
        (b"lockfileVersion: 5.3\nx: " + b"[" * 100_000, "nested more than"),
        (b"lockfileVersion: 5.3\nx: " + b'{"a": ' * 100_000, "nested more than"),
        (b"lockfileVersion: 5.3\nx:\n" + b"- " * 100_000 + b"a\n", "nested more than"),
    ],
)
def test_broken(data: bytes, reason: str) -> None:
    assert reason in assert_broken(ANALYZER, "pnpm-lock.yaml", data)


@pytest.mark.parametrize(("label", "data"), JUNK, ids=[label for label, _ in JUNK])
def test_junk(label: str, data: bytes) -> None:
    assert_broken(ANALYZER, "pnpm-lock.yaml", data)


def test_crlf(tmp_path: Path) -> None:
    path, _root = shared_fixture(ANALYZER, "peer-dependencies-v6.yaml")
    (tmp_path / "pnpm-lock.yaml").write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert run(ANALYZER, tmp_path / "pnpm-lock.yaml") == run(ANALYZER, path)


@pytest.mark.parametrize(
    "text",
    [
        "a: 'it''s'\nb: \"x#y\"\nc: x#y\nd: -1\ne: yes\nf: null\ng: ~\nh:\ni: 2001-01-01\n",
        "a: {x: 'p, q', y: b c, z: https://h/p#s}\nb: [a, b, ]\nc: {}\nd: []\ne: {x: y,}\n",
        "a:\n    - x\n    - 'y'\nb:\n  c:\n      d: e\n  f: g\n",
        "a  : b\nc: d  \n# comment\n\n  # indented comment\ne: f\r\n",
        "a: b #comment\n",
        "a: - b\n",
        "a: [x, [y]]\n",
        "a: 'open\n",
        "a: !!str 1\n",
        "a: &x b\nc: *x\n",
        "a: |\n  text\n",
        "a:\n  - x\n  b: c\n",
        "a: 1\n  b: 2\n",
        "a:\tb\n",
        "<<: {x: 1}\n",
        "? a\n: b\n",
        '"a\\"b": c\n',
        'a: "esc\\n"\n',
        "a: {b}\n",
        "a: b:\n",
        "- a\n- b\n",
        "--- \na: b\n",
        "a: b\n...\n",
        "%YAML 1.1\n---\na: b\n",
        "a:\n- b\n- c\n",
        "a: @b\n",
        "a: b\n  c\n",
        "a: 'x'\n'b': \"y\"\n\"c\": {'d': \"e\"}\n",
    ],
)
def test_fast_reader_agrees_with_libyaml_or_declines(text: str) -> None:
    fast = scan(text)
    if fast is None:
        return  # libyaml has the last word
    assert fast[0] == _normalized(yaml.load(text, Loader=yaml.CSafeLoader) or {})
