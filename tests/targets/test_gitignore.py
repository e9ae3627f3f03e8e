"""gitignore(5) semantics, table-driven: (patterns, path, is_dir) → ignored."""

from __future__ import annotations

import pytest

from shiftsec.targets.gitignore import ignored, parse

CASES = [
    # unanchored names match at any depth
    ("*.log", "a.log", False, True),
    ("*.log", "deep/x/a.log", False, True),
    ("*.log", "a.logx", False, False),
    ("build", "build", True, True),
    ("build", "src/build", True, True),
    # a trailing slash: folders only
    ("build/", "build", False, False),
    ("build/", "build", True, True),
    # a slash at the start or in the middle anchors to the .gitignore's folder
    ("/build", "build", True, True),
    ("/build", "src/build", True, False),
    ("doc/frotz", "doc/frotz", True, True),
    ("doc/frotz", "a/doc/frotz", True, False),
    # * and ? do not cross folders, ** does
    ("foo/*", "foo/bar", False, True),
    ("foo/*", "foo/bar/baz", False, False),
    ("**/foo", "a/b/foo", False, True),
    ("**/foo", "foo", False, True),
    ("a/**/b", "a/b", False, True),
    ("a/**/b", "a/x/y/b", False, True),
    ("abc/**", "abc/x/y", False, True),
    ("fo?", "foo", False, True),
    ("fo?", "fo/o", False, False),
    ("[ab].txt", "a.txt", False, True),
    ("[!ab].txt", "a.txt", False, False),
    ("[!ab].txt", "c.txt", False, True),
    # negation: the last matching rule wins
    ("*.lock\n!keep.lock", "keep.lock", False, False),
    ("*.lock\n!keep.lock", "other.lock", False, True),
    ("!keep.lock\n*.lock", "keep.lock", False, True),
    # comments, blank lines, escapes
    ("# comment\n\n\\#x", "#x", False, True),
    ("# comment", "# comment", False, False),
    ("\\!important", "!important", False, True),
]


@pytest.mark.parametrize(("patterns", "path", "is_dir", "expected"), CASES,
                         ids=[f"{c[0]!r}~{c[1]}" for c in CASES])
def test_root_gitignore(patterns: str, path: str, is_dir: bool, expected: bool) -> None:
    assert ignored(parse(patterns, ""), path, is_dir) is expected


def test_nested_gitignore_applies_below_its_folder_only() -> None:
    rules = parse("*.lock\n", "") + parse("!sub/keep.lock\nlocal.json\n", "pkg")
    assert ignored(rules, "pkg/local.json", False)
    assert not ignored(rules, "local.json", False)  # the nested file does not reach its parent
    assert ignored(rules, "pkg/x.lock", False)
    assert not ignored(rules, "pkg/sub/keep.lock", False)  # deeper rules come last and win
