"""Helpers shared by the JavaScript lockfile analyzers: decoding input safely, checking JSON types, telling
registry versions from git/file/link sources, reading the sibling `package.json`, and finding the line of
a JSON object key without a second parse.

Every helper raises `ParseError` (never another exception) when the input is not what it should be.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import orjson

from shiftsec.analyzers.api import InputFile, ParseError

ECOSYSTEM = "npm"
MAX_LINE = 65_536  # Go's bufio.Scanner limit; no real lockfile line comes near it
_GIT_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org"})
_GIT_SCHEMES = frozenset({"git", "git+ssh", "git+https", "ssh"})
_WORD = re.compile(r"\w+")
_CODELOAD = re.compile(r"https://codeload\.github\.com(?:/[\w.-]+){2}/tar\.gz/(\w+)$")
_COLON = re.compile(rb"[ \t\r\n]*:[ \t\r\n]*")
_LOCAL = ("file:", "link:", "portal:", "workspace:", "exec:")
_RANGE_START = frozenset("0123456789^~<>=*")


def wants(path: str, *basenames: str) -> bool:
    """True when the file name is one of `basenames` and no folder on the path is `node_modules`
    (a lockfile shipped inside a dependency does not describe what the project installs)."""
    folder, _, name = path.rpartition("/")
    if name not in basenames:
        return False
    return "node_modules" not in folder.split("/")


def type_name(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def as_dict(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ParseError(f"{where}: expected an object, found {type_name(value)}")
    return value


def opt_str(entry: dict[str, object], key: str, where: str) -> str | None:
    """`entry[key]` as a string, None when absent or null."""
    value = entry.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ParseError(f"{where}: {key!r} must be a string, found {type_name(value)}")


def opt_bool(entry: dict[str, object], key: str, where: str) -> bool:
    value = entry.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    raise ParseError(f"{where}: {key!r} must be true or false, found {type_name(value)}")


def str_map(entry: dict[str, object], key: str, where: str) -> dict[str, str]:
    """`entry[key]` as a name -> text map (a `dependencies` block); empty when absent or null."""
    value = entry.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{where}: {key!r} must be an object, found {type_name(value)}")
    for name, text in value.items():
        if not isinstance(text, str):
            raise ParseError(f"{where}: {key}[{name!r}] must be a string, found {type_name(text)}")
    return value


def text_of(data: bytes) -> str:
    """The file as text: UTF-8 (a BOM is dropped), no NUL bytes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    if "\x00" in text:
        raise ParseError("binary data (NUL byte), not a text lockfile")
    return text


def load_json(data: bytes | str) -> object:
    """Parse JSON with orjson (C, depth-limited, so deeply nested input fails cleanly)."""
    if isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON: {str(exc).splitlines()[0]}") from None


def load_json_object(data: bytes | str) -> dict[str, object]:
    value = load_json(data)
    if value is None:
        raise ParseError("decoded null JSON value, expected an object")
    return as_dict(value, "top level")


def commit_of(ref: str) -> str:
    """The git commit a resolved URL or spec pins (`git+ssh://...#<sha>`, `github:u/r#<sha>`,
    `...#commit=<sha>`, a codeload tarball, `?ref=<sha>` on a git host), or ""."""
    if not ref or len(ref) > 4096:
        return ""
    if "#" not in ref and "github.com" not in ref and "gitlab.com" not in ref and "bitbucket.org" not in ref:
        return ""  # the common case, a registry tarball or a version: no fragment, no git host
    head, hashed, fragment = ref.rpartition("#")
    if hashed:
        if fragment.startswith(("commit=", "commit:")):
            fragment = fragment[7:]
            return fragment if _WORD.fullmatch(fragment) else ""
        if _WORD.fullmatch(fragment):
            if head.startswith(("github:", "gitlab:", "bitbucket:", "git@")):
                return fragment
            if "://" in head:
                scheme = head.split("://", 1)[0].rpartition("@")[2]
                if scheme in _GIT_SCHEMES or (scheme == "https" and head.endswith(".git")):
                    return fragment
    match = _CODELOAD.search(ref)
    if match:
        return match.group(1)
    try:
        url = urlsplit(ref)
    except ValueError:
        return ""
    if url.hostname not in _GIT_HOSTS:
        return ""
    if not url.query:
        return url.fragment
    return parse_qs(url.query).get("ref", [""])[0]


def source_of(spec: str) -> str | None:
    """What kind of non-registry source a version or range names ("git", "local", "url"), or None for the
    npm registry (a semver version or range, a dist-tag, an `npm:` alias)."""
    if not spec or spec[0] in _RANGE_START or spec.startswith(("npm:", "patch:")):
        return None  # registry versions, ranges, aliases and patched registry packages
    if spec.startswith(_LOCAL):
        return "local"
    if spec.startswith(("github:", "gitlab:", "bitbucket:", "git@", "git+", "git:", "ssh:")) or commit_of(spec):
        return "git"
    if "://" in spec:
        return "url"
    head = spec.split("#", 1)[0]
    if "/" in head and not head.startswith("@") and " " not in head:  # GitHub shorthand "user/repo#ref"
        return "git"
    return None


def source_note(name: str, spec: str, kind: str, version: str) -> str:
    """The `notes` line for a package that does not come from the npm registry."""
    commit = commit_of(spec)
    pinned = f"commit {commit}" if commit else (f"version {version}" if version else "no version")
    what = {"git": "git dependency", "local": "local package", "url": "tarball URL"}.get(kind, kind)
    return f"{name}: {what} {spec} ({pinned}), not from the npm registry"


def manifest_names(file: InputFile, relative: str, notes: list[str]) -> tuple[dict[str, str], dict[str, str]] | None:
    """The (prod, dev) dependency maps of the `package.json` at `relative`, or None when it is absent.

    prod holds `dependencies`, `optionalDependencies` and `peerDependencies`; dev holds `devDependencies`
    (a name in both counts as prod). A broken manifest is noted and treated as absent.
    """
    data = file.read(relative)
    if data is None:
        return None
    try:
        manifest = load_json_object(data)
        prod: dict[str, str] = {}
        for key in ("peerDependencies", "optionalDependencies", "dependencies"):
            prod.update(str_map(manifest, key, relative))
        dev = {k: v for k, v in str_map(manifest, "devDependencies", relative).items() if k not in prod}
    except ParseError as exc:
        notes.append(f"{relative} ignored ({exc}); direct dependencies unknown")
        return None
    return prod, dev


class KeyLines:
    """1-based lines of JSON object keys, looked up in document order with a forward-only cursor.

    `find(key, opener)` looks for `"key"` followed by `:` and `opener` (`{` or `[`) after the previous hit,
    so the whole file is scanned about once however many keys are asked for. After a few misses (a key
    written with escapes, an unexpected order) it gives up and answers None, keeping the cost linear.
    """

    __slots__ = ("_data", "_line", "_misses", "_next", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0  # where the previous hit starts (its line is `_line`)
        self._next = 0  # where the next search starts: past the previous hit
        self._line = 1
        self._misses = 0

    def find(self, key: str, opener: int) -> int | None:
        if self._misses > 8:
            return None
        data = self._data
        needle = orjson.dumps(key)
        start = self._next
        while True:
            at = data.find(needle, start)
            if at < 0:
                self._misses += 1
                return None
            start = at + len(needle)
            colon = _COLON.match(data, start)
            if colon is not None and colon.end() < len(data) and data[colon.end()] == opener:
                self._line += data.count(b"\n", self._pos, at)
                self._pos = at
                self._next = colon.end()
                return self._line


def first_of(read: Callable[[str], bytes | None], *relatives: str) -> str | None:
    """The first of `relatives` that exists beside the file."""
    for relative in relatives:
        if read(relative) is not None:
            return relative
    return None
