"""javascript/bun-lock: bun.lock (JSONC)."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import ParseError
from shiftsec.analyzers.javascript.bun_lock import ANALYZER
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
        ("bun.lock", True),
        ("apps/api/bun.lock", True),
        ("bun.lockb", False),
        ("node_modules/dep/bun.lock", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_comments_workspaces_and_nested_resolution() -> None:
    parsed = run(ANALYZER, FIXTURES / "bun" / "bun.lock")
    assert table(parsed) == {
        "chalk@4.1.2": (True, False, ("supports-color@7.2.0",)),  # its nested copy, not the top-level 5.5.0
        "has-flag@3.0.0": (False, True, ()),  # only the dev supports-color@5.5.0 needs it
        "supports-color@5.5.0": (True, True, ("has-flag@3.0.0",)),
        "has-flag@4.0.0": (True, False, ()),  # the workspace packages/lib asks for it
        "supports-color@7.2.0": (False, False, ("has-flag@4.0.0",)),  # chalk/has-flag, one level up
    }
    assert {dep.key: dep.line for dep in parsed.packages}["chalk@4.1.2"] == 25


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "nested-dependencies.json5",
            {
                "ansi-styles@4.3.0": (False, True, ("color-convert@2.0.1",)),
                "chalk@4.1.2": (True, True, ("ansi-styles@4.3.0", "supports-color@7.2.0")),
                "color-convert@2.0.1": (False, True, ("color-name@1.1.4",)),
                "color-name@1.1.4": (False, True, ()),
                "has-flag@2.0.0": (True, False, ()),
                "supports-color@5.5.0": (True, False, ("has-flag@3.0.0",)),
                "supports-color@7.2.0": (False, True, ("has-flag@4.0.0",)),  # chalk/supports-color/has-flag
                "has-flag@3.0.0": (False, False, ()),
                "has-flag@4.0.0": (False, True, ()),
            },
        ),
        (
            "alias.json5",
            {
                "has-flag@4.0.0": (False, False, ()),
                "supports-color@7.2.0": (True, False, ("has-flag@4.0.0",)),
                "supports-color@6.1.0": (True, False, ("has-flag@3.0.0",)),  # "supports-color-old" alias
                "has-flag@3.0.0": (False, False, ()),
            },
        ),
        (
            "peer-dependencies-implicit.json5",
            {"acorn@8.14.0": (False, False, ()), "acorn-jsx@5.3.2": (True, False, ("acorn@8.14.0",))},
        ),
    ],
)
def test_shared(fixture: str, expected: dict[str, tuple[bool, bool, tuple[str, ...]]]) -> None:
    assert table(run(ANALYZER, *shared_fixture(ANALYZER, fixture))) == expected


def test_git_and_file_sources_have_no_version() -> None:
    parsed = run(ANALYZER, *shared_fixture(ANALYZER, "commits.json5"))
    versions = {dep.name: dep.version for dep in parsed.packages}
    assert versions["raven-js"] == ""
    assert versions["lodash"] == "1.3.1"
    assert any(note.startswith("raven-js: git dependency github:getsentry/raven-js#91ef2d4") for note in parsed.notes)
    parsed = run(ANALYZER, *shared_fixture(ANALYZER, "files.json5"))
    assert names(parsed) == {("etag", ""), ("lodash", "1.3.1")}
    assert any(note.startswith("etag: local package file:deps/etag") for note in parsed.notes)


@pytest.mark.parametrize("fixture", ["empty.json5", "no-packages.json5"])
def test_empty(fixture: str) -> None:
    assert run(ANALYZER, *shared_fixture(ANALYZER, fixture)).packages == ()


def test_comments_and_strings_that_look_like_them() -> None:
    data = b"""/* header */ {
      // a comment with "quotes", and a trailing comma,
      "packages": {
        "u": ["u@1.0.0", "https://r.example//x", { "dependencies": { "v": "/*not a comment*/" } }, "s"], /* c */
        "v": ["v@2.0.0", "", {}, "s",],
      },
    }"""
    assert table(run_bytes(ANALYZER, "bun.lock", data)) == {
        "u@1.0.0": (None, False, ("v@2.0.0",)),
        "v@2.0.0": (None, False, ()),
    }


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not json!", "not a bun.lock"),
        (b"", "not a bun.lock"),
        (b"null", "not a bun.lock"),
        (b'{"packages": {"a": ["a@1.0.0", "", {}, "s"],', "not valid JSON"),
        (b'{"packages": {"a": 1}}', "expected a non-empty array"),
        (b'{"packages": {"a": []}}', "expected a non-empty array"),
        (b'{"packages": {"a": [123, "", {}]}}', "first element must be 'name@version'"),
        (b'{"packages": {"a": ["a@1", "", {"dependencies": ["b"]}]}}', "dependencies: expected an object"),
        (b'{"packages": []}', "packages: expected an object"),
        (b'{"workspaces": {"": []}}', "expected an object"),
        (b'{"workspaces": {"": {"dependencies": "x"}}}', "expected an object"),
        (b"/* unterminated " + b"x" * 1000, "not valid JSON"),
        (b'{"a": "' + b"\\" * 1001, "not valid JSON"),
    ],
)
def test_broken(data: bytes, reason: str) -> None:
    assert reason in assert_broken(ANALYZER, "bun.lock", data)


def test_bad_tuple_fails_the_file() -> None:
    path, root = shared_fixture(ANALYZER, "bad-tuple.json5")
    with pytest.raises(ParseError, match="first element must be 'name@version'"):
        run(ANALYZER, path, root)


@pytest.mark.parametrize(("label", "data"), JUNK, ids=[label for label, _ in JUNK])
def test_junk(label: str, data: bytes) -> None:
    assert_broken(ANALYZER, "bun.lock", data)
