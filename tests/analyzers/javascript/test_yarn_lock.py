"""javascript/yarn-lock: yarn.lock v1 and Yarn Berry."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.javascript.yarn_lock import ANALYZER
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


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("yarn.lock", True),
        ("web/yarn.lock", True),
        ("node_modules/dep/yarn.lock", False),
        ("yarn.lock.orig", False),
        ("my-yarn.lock", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_v1_edges_and_manifest_roots() -> None:
    parsed = run(ANALYZER, FIXTURES / "yarn-v1" / "yarn.lock")
    assert table(parsed) == {
        "@scope/a@1.1.0": (True, False, ("@scope/c@1.0.3", "b@2.1.0")),  # a multi-spec header, quoted names
        "@scope/c@1.0.3": (False, False, ("b@1.5.0",)),
        "b@1.5.0": (False, False, ()),  # also reached from dev-only, but prod needs it
        "b@2.1.0": (False, False, ("c-opt@1.0.0",)),  # optionalDependencies are edges too
        "c-opt@1.0.0": (False, False, ()),
        "string-width@4.2.3": (True, False, ()),  # "cjs@npm:string-width@^4.2.0" is an alias
        "dev-leaf@0.1.0": (False, True, ()),
        "dev-only@3.0.0": (True, True, ("b@1.5.0", "dev-leaf@0.1.0")),
        "git-dep@1.2.3": (True, False, ()),
    }
    lines = {dep.key: dep.line for dep in parsed.packages}
    assert lines["@scope/a@1.1.0"] == 5
    assert lines["git-dep@1.2.3"] == 48
    assert any("git-dep: git dependency" in note and "0123456789abcdef" in note for note in parsed.notes)


def test_v1_without_manifest_does_not_know_direct() -> None:
    parsed = run(ANALYZER, *shared_fixture(ANALYZER, "files.v1.lock"))
    assert {dep.direct for dep in parsed.packages} == {None}
    assert table(parsed)["other_package@0.0.2"][2] == ("etag@1.8.1", "lodash@1.3.1")
    assert any(note.startswith("etag: local package link:./deps/etag") for note in parsed.notes)


def test_berry_workspaces_patches_and_root() -> None:
    parsed = run(ANALYZER, FIXTURES / "yarn-berry" / "yarn.lock")
    assert table(parsed) == {
        "@ws/lib@0.0.0-use.local": (True, False, ("lodash@4.17.21",)),  # a workspace: part of the project
        "is-core-module@2.13.1": (False, False, ()),
        "lodash@4.17.21": (True, False, ()),  # a workspace's dependency
        "resolve@1.22.8": (True, False, ("is-core-module@2.13.1",)),  # the patch: entry is the same package
    }
    assert any(note.startswith("@ws/lib: local package workspace:") for note in parsed.notes)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "exclude-root.v2.lock",
            {
                "@ws/ansi-regex@0.0.0-use.local": (True, False, ("ansi-regex@6.1.0",)),
                "ansi-regex@6.1.0": (True, False, ()),
            },
        ),
        (
            "with-aliases.v2.lock",
            {
                "ansi-regex@5.0.1": (True, False, ()),
                "ansi-regex@6.0.1": (True, False, ()),
                "@babel/helper-validator-identifier@7.22.20": (True, False, ()),
            },
        ),
        (
            "with-build-string.v2.lock",
            {"domino@2.1.6+git": (True, False, ()), "tslib@2.6.2": (True, False, ())},  # "tslib: ^2.3.0" is npm:
        ),
        (
            "with-quotes.v1.lock",
            {"concat-map@0.0.1": (None, False, ()), "concat-stream@1.6.2": (None, False, ())},
        ),
    ],
)
def test_shared(fixture: str, expected: dict[str, tuple[bool | None, bool, tuple[str, ...]]]) -> None:
    assert table(run(ANALYZER, *shared_fixture(ANALYZER, fixture))) == expected


def test_manifest_overrides_root_workspace(tmp_path: Path) -> None:
    (tmp_path / "yarn.lock").write_bytes(shared_fixture(ANALYZER, "with-aliases.v2.lock")[0].read_bytes())
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"ansi-regex": "^6.0.0"}, "devDependencies": {"babel-hvi": '
        '"npm:@babel/helper-validator-identifier@^7.0.0"}}'
    )
    assert table(run(ANALYZER, tmp_path / "yarn.lock")) == {
        "ansi-regex@5.0.1": (False, False, ()),
        "ansi-regex@6.0.1": (True, False, ()),
        "@babel/helper-validator-identifier@7.22.20": (True, True, ()),
    }


def test_entry_without_version_is_skipped_with_a_note() -> None:
    parsed = run_bytes(ANALYZER, "yarn.lock", b'a@^1:\n  resolved "x"\n\nb@^1:\n  version "1.0.0"\n')
    assert names(parsed) == {("b", "1.0.0")}
    assert parsed.notes == ("a: no version in the entry at line 1; skipped",)


@pytest.mark.parametrize("fixture", ["empty.v1.lock", "empty.v2.lock", "metadata-only.v2.lock"])
def test_empty(fixture: str) -> None:
    assert run(ANALYZER, *shared_fixture(ANALYZER, fixture)).packages == ()


def test_crlf_and_blank_file() -> None:
    parsed = run_bytes(ANALYZER, "yarn.lock", b'a@^1:\r\n  version "1.0.0"\r\n  dependencies:\r\n    b "^2"\r\n')
    assert names(parsed) == {("a", "1.0.0")}
    assert run_bytes(ANALYZER, "yarn.lock", b"").packages == ()
    assert run_bytes(ANALYZER, "yarn.lock", b"# only a comment\n\n").packages == ()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not a lockfile", "is not an entry header"),
        (b'  version "1.0.0"\na@^1:\n', "before the first entry"),
        (b'{"lockfileVersion": 3}', "is not an entry header"),
        (b'a@^1:\n  version "1"\n' + b"b" * 70_000 + b":\n", "longer than"),
        (b'a@^1:\n  version "1"\n\x00\n', "NUL"),
        (b", :\n", "without a package"),
    ],
)
def test_broken(data: bytes, reason: str) -> None:
    assert reason in assert_broken(ANALYZER, "yarn.lock", data)


@pytest.mark.parametrize(("label", "data"), JUNK, ids=[label for label, _ in JUNK])
def test_junk(label: str, data: bytes) -> None:
    assert_broken(ANALYZER, "yarn.lock", data)
