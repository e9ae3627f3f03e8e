"""javascript/package-lock: package-lock.json v1/v2/v3, npm-shrinkwrap.json and npm's hidden lockfile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftsec.analyzers.javascript.package_lock import ANALYZER
from tests.analyzers.javascript._helpers import (
    FIXTURES,
    JUNK,
    Row,
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
        ("package-lock.json", True),
        ("npm-shrinkwrap.json", True),
        ("a/b/package-lock.json", True),
        ("node_modules/.package-lock.json", True),
        ("app/node_modules/.package-lock.json", True),
        ("node_modules/dep/package-lock.json", False),
        ("app/node_modules/dep/node_modules/.package-lock.json", False),
        ("node_modules/dep/.package-lock.json", False),
        (".package-lock.json", False),
        ("package-lock.json.bak", False),
        ("package-lock.json/file", False),
        ("my-package-lock.json", False),
        ("", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


NESTED_V2: dict[str, Row] = {
    # the root entry asks for nothing here, so nothing is direct
    "postcss@6.0.23": (False, False, ("supports-color@5.5.0",)),
    "postcss-calc@7.0.1": (False, False, ("postcss@7.0.16",)),  # its nested postcss shadows the hoisted one
    "postcss@7.0.16": (False, False, ("supports-color@6.1.0",)),
    "supports-color@6.1.0": (False, False, ()),
    "supports-color@5.5.0": (False, False, ()),
}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("nested-dependencies.v2.json", NESTED_V2),
        (
            "optional-package.v2.json",
            {"wrappy@1.0.2": (True, False, ()), "supports-color@5.5.0": (False, False, ())},  # devOptional: not dev
        ),
        (
            "bundled-dependencies.v3.json",
            {
                "ansi-regex@6.2.2": (False, False, ()),
                "semver@7.7.2": (True, True, ()),
                "strip-ansi@7.1.2": (True, False, ("ansi-regex@6.2.2",)),
            },
        ),
        (
            "files.v2.json",
            {
                "etag@1.8.0": (True, True, ()),  # a local folder: reported, as osv-scalibr does, with a note
                "abbrev@1.0.9": (False, True, ()),
                "abbrev@2.3.4": (False, True, ()),
            },
        ),
        (
            "alias.v2.json",
            {
                "@babel/code-frame@7.0.0": (True, False, ()),
                "string-width@5.1.2": (True, False, ()),
                "string-width@4.2.0": (True, False, ()),
            },
        ),
    ],
)
def test_shared_v2(fixture: str, expected: dict[str, Row]) -> None:
    assert table(run(ANALYZER, *shared_fixture(ANALYZER, fixture))) == expected


def test_v3_resolution_links_workspaces_and_flags() -> None:
    parsed = run(ANALYZER, FIXTURES / "npm-v3" / "package-lock.json")
    assert table(parsed) == {
        "a@1.0.0": (True, False, ("b@2.0.0", "c@1.0.0")),  # node_modules/a/node_modules/b shadows hoisted b
        "b@2.0.0": (False, False, ()),
        "b@1.0.0": (False, False, ()),
        "c@1.0.0": (True, False, ("b@1.0.0",)),  # from c, b is the hoisted one; "missing" resolves nowhere
        "d@3.0.0": (True, True, ("b@1.0.0", "e@1.0.0")),
        "e@1.0.0": (False, True, ()),
        "fsevents@2.3.3": (True, False, ()),
        "git-dep@1.2.3": (True, False, ("@ws/lib@0.1.0",)),  # through the workspace link
        "h@1.0.0": (False, False, ()),  # devOptional can be installed in production
        "string-width@4.2.3": (True, False, ()),  # the alias reports the real name
        "@ws/lib@0.1.0": (True, False, ("c@1.0.0", "g@1.0.0")),
        "g@1.0.0": (True, False, ()),  # the workspace's own node_modules
    }
    assert [dep.key for dep in parsed.packages if dep.line is None] == []
    assert next(dep.line for dep in parsed.packages if dep.key == "a@1.0.0") == 27
    assert any("@ws/lib: local package packages/lib" in note for note in parsed.notes)
    assert any("git-dep: git dependency" in note and "0123456789abcdef" in note for note in parsed.notes)


def test_v1_nested_requires_and_manifest() -> None:
    parsed = run(ANALYZER, FIXTURES / "npm-v1" / "package-lock.json")
    assert table(parsed) == {
        "a@1.0.0": (True, False, ("b@2.0.0", "c@1.0.0")),
        "b@2.0.0": (False, False, ("c@1.0.0",)),  # nested: c is found two levels up
        "b@1.0.0": (False, False, ()),
        "c@1.0.0": (False, False, ("b@1.0.0",)),
        "string-width@4.2.3": (True, False, ()),
        "d@3.0.0": (True, True, ("b@1.0.0",)),
        "local@": (True, False, ("a@1.0.0",)),  # file: has no registry version (osv-scalibr reports "")
    }
    assert any(note.startswith("local: local package file:libs/local") for note in parsed.notes)


def test_v1_without_manifest_does_not_know_direct() -> None:
    parsed = run(ANALYZER, *shared_fixture(ANALYZER, "nested-dependencies.v1.json"))
    assert {dep.direct for dep in parsed.packages} == {None}
    # osv-scalibr's own line expectations for this file
    assert {dep.key: dep.line for dep in parsed.packages} == {
        "postcss@6.0.23": 5,
        "postcss-calc@7.0.1": 15,
        "postcss@7.0.16": 26,
        "supports-color@6.1.0": 36,
        "supports-color@5.5.0": 46,
    }


def test_v1_git_commits_have_no_version() -> None:
    parsed = run(ANALYZER, *shared_fixture(ANALYZER, "commits.v1.json"))
    versions = {dep.name: dep.version for dep in parsed.packages}
    assert versions["ansi-styles"] == "1.0.0"
    assert versions["is-number-2"] == ""
    assert any("is-number-2: git dependency github:jonschlinkert/is-number#d5ac058" in n for n in parsed.notes)


def test_shrinkwrap_takes_precedence() -> None:
    lock, root = shared_fixture(ANALYZER, "both/package-lock.json")
    parsed = run(ANALYZER, lock, root)
    assert parsed.packages == ()
    assert parsed.notes == ("npm-shrinkwrap.json beside it takes precedence; not read",)
    shrinkwrap = run(ANALYZER, lock.with_name("npm-shrinkwrap.json"), root)
    assert names(shrinkwrap) == {("wrappy", "1.0.2"), ("supports-color", "5.5.0")}
    assert {dep.key: dep.line for dep in shrinkwrap.packages} == {"wrappy@1.0.2": 13, "supports-color@5.5.0": 18}


def _hidden_project(tmp_path: Path, *, with_lockfile: bool) -> Path:
    (tmp_path / "node_modules").mkdir()
    hidden = tmp_path / "node_modules" / ".package-lock.json"
    hidden.write_bytes((FIXTURES / "hidden" / "hidden-lockfile.json").read_bytes())
    (tmp_path / "package.json").write_bytes((FIXTURES / "hidden" / "package.json").read_bytes())
    if with_lockfile:
        (tmp_path / "package-lock.json").write_text("{}")
    return hidden


def test_hidden_lockfile_alone_is_read_with_the_project_manifest(tmp_path: Path) -> None:
    parsed = run(ANALYZER, _hidden_project(tmp_path, with_lockfile=False), tmp_path)
    assert table(parsed) == {
        "a@1.0.0": (True, False, ("b@1.0.0",)),
        "b@1.0.0": (False, False, ()),
        "t@2.0.0": (True, True, ()),
    }


def test_hidden_lockfile_defers_to_the_project_lockfile(tmp_path: Path) -> None:
    parsed = run(ANALYZER, _hidden_project(tmp_path, with_lockfile=True), tmp_path)
    assert parsed.packages == ()
    assert "package-lock.json" in parsed.notes[0]


@pytest.mark.parametrize("fixture", ["empty.v1.json", "empty.v2.json"])
def test_empty(fixture: str) -> None:
    assert run(ANALYZER, *shared_fixture(ANALYZER, fixture)).packages == ()


def test_broken_manifest_is_noted_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_bytes((FIXTURES / "npm-v1" / "package-lock.json").read_bytes())
    (tmp_path / "package.json").write_text("{ not json")
    parsed = run(ANALYZER, tmp_path / "package-lock.json")
    assert {dep.direct for dep in parsed.packages} == {None}
    assert any(note.startswith("package.json ignored") for note in parsed.notes)


def _v3(**entry: object) -> bytes:
    return json.dumps({"lockfileVersion": 3, "packages": {"": {}, "node_modules/x": entry}}).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not json!", "not valid JSON"),
        (b"null", "null"),
        (b"[]", "expected an object"),
        (b'{"lockfileVersion": 3, "packages": {"": {}, "node_modules/x": {"version": "1.0', "not valid JSON"),
        (b'{"packages": []}', "packages: expected an object"),
        (b'{"packages": {"node_modules/x": "1.0.0"}}', "expected an object"),
        (_v3(version=1), "'version' must be a string"),
        (_v3(version="1", dev="yes"), "'dev' must be true or false"),
        (_v3(version="1", dependencies=["a"]), ".dependencies: expected an object"),
        (_v3(version="1", link=1), "'link' must be true or false"),
        (b'{"dependencies": {"a": {"version": 1}}}', "'version' must be a string"),
        (b'{"dependencies": {"a": {"version": "1", "dependencies": []}}}', "expected an object"),
        (b'{"dependencies": {"a": {"version": "1", "requires": {"b": 2}}}}', "must be a string"),
        (b'{"dependencies": [1]}', "dependencies: expected an object"),
        (b'{"dependencies":' * 2000 + b"{}" + b"}" * 2000, "not valid JSON"),
    ],
)
def test_broken(data: bytes, reason: str) -> None:
    assert reason in assert_broken(ANALYZER, "package-lock.json", data)


@pytest.mark.parametrize(("label", "data"), JUNK, ids=[label for label, _ in JUNK])
def test_junk(label: str, data: bytes) -> None:
    assert_broken(ANALYZER, "package-lock.json", data)


def test_deep_but_valid_v1_nesting_does_not_recurse() -> None:
    doc: dict[str, object] = {"version": "1.0.0"}
    for _ in range(400):  # 800 JSON levels: within orjson's limit, beyond a comfortable Python recursion
        doc = {"version": "1.0.0", "dependencies": {"a": doc}}
    parsed = run_bytes(ANALYZER, "package-lock.json", json.dumps({"dependencies": {"a": doc}}).encode())
    assert names(parsed) == {("a", "1.0.0")}
