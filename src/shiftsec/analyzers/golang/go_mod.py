"""go.mod: the `require`d modules of a Go module, after its `replace` directives, plus the Go toolchain.

Owns the go.mod grammar (one-line directives and `verb ( ... )` blocks, `//` comments, quoted paths), the
`// indirect` marker (direct False), `replace` (module and version replacements; a replacement by a local
directory becomes a note, as it has no version to match), `exclude` (a note when it names a required
version) and the `go`/`toolchain` directives, which yield the standard library as package `stdlib`.

Before go 1.17 a go.mod lists only what the module imports itself, so for such files the sibling go.sum
(`go.sum` beside `go.mod`; `x.sum` beside `x.mod`) adds the rest, as indirect packages; an unreadable
go.sum is a note, not an error. Versions lose their leading `v`, as OSV's Go advisories write them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_MAX_LINE = 1 << 20
_TOKEN = re.compile(r'"(?:[^"\\\n]++|\\.)*+"|`[^`]*+`|=>|[()]|(?:(?!//)[^\s()"`])++')
_GO_VERSION = re.compile(r"[1-9]\d*\.(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))?(?:[a-z]+\d+)?")
_TOOLCHAIN = re.compile(r"go([1-9]\d*(?:\.\d+)+(?:[a-z]+\d+)?)(?:-.*)?")
_VERSION = re.compile(r"v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_LOCAL = re.compile(r"(?:\.{1,2}[/\\]|/|[A-Za-z]:[/\\]|\.{1,2}$)")
_VERBS = frozenset({"module", "go", "toolchain", "godebug", "require", "exclude", "replace", "retract",
                    "tool", "ignore"})
_BLOCKS = _VERBS - {"module", "go", "toolchain"}


@dataclass(frozen=True, slots=True)
class _Replace:
    old: str
    old_version: str | None
    new: str
    new_version: str | None  # None: a local directory


@dataclass
class _GoMod:
    requires: list[Dependency]
    replaces: list[_Replace]
    excludes: list[tuple[str, str]]
    go: str | None = None
    go_line: int | None = None
    toolchain: str | None = None
    toolchain_line: int | None = None


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "go.mod"


def _strip_v(version: str) -> str:
    return version[1:] if version.startswith("v") else version


def _unquote(token: str, line: int) -> str:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        try:
            value = json.loads(token)
        except ValueError:
            raise ParseError(f"line {line}: bad quoted string {token[:40]}") from None
        return str(value)
    return token


def _lex(text: str, line: int) -> tuple[list[str], str]:
    """The tokens of one line and its comment text (without the `//`)."""
    tokens: list[str] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return tokens, ""
        if text.startswith("//", pos):
            return tokens, text[pos + 2:].strip()
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ParseError(f"line {line}: unexpected {text[pos:pos + 20]!r}")
        tokens.append(match.group())
        pos = match.end()


def _version(token: str, line: int) -> str:
    version = _unquote(token, line)
    if not _VERSION.fullmatch(version):
        raise ParseError(f"line {line}: invalid module version {version[:60]!r}")
    return version


def _statement(mod: _GoMod, verb: str, args: list[str], comment: str, line: int) -> None:
    if verb == "require":
        if len(args) != 2:
            raise ParseError(f"line {line}: require wants a module path and a version")
        indirect = comment == "indirect" or comment.startswith("indirect;")
        mod.requires.append(Dependency(_unquote(args[0], line), _strip_v(_version(args[1], line)),
                                       direct=not indirect, line=line))
    elif verb == "replace":
        if "=>" not in args:
            raise ParseError(f"line {line}: replace without =>")
        arrow = args.index("=>")
        old, new = args[:arrow], args[arrow + 1:]
        if len(old) not in (1, 2) or len(new) not in (1, 2):
            raise ParseError(f"line {line}: replace wants 'module [version] => module [version]'")
        new_path = _unquote(new[0], line)
        if len(new) == 1 and not _LOCAL.match(new_path):
            raise ParseError(f"line {line}: a replacement without version must be a directory path")
        mod.replaces.append(_Replace(
            _unquote(old[0], line),
            _strip_v(_version(old[1], line)) if len(old) == 2 else None,
            new_path,
            _strip_v(_version(new[1], line)) if len(new) == 2 else None,
        ))
    elif verb == "exclude":
        if len(args) != 2:
            raise ParseError(f"line {line}: exclude wants a module path and a version")
        mod.excludes.append((_unquote(args[0], line), _strip_v(_version(args[1], line))))
    elif verb == "go":
        if len(args) != 1 or not _GO_VERSION.fullmatch(args[0]):
            raise ParseError(f"line {line}: invalid go version")
        mod.go, mod.go_line = args[0], line
    elif verb == "toolchain":
        if len(args) != 1:
            raise ParseError(f"line {line}: toolchain wants one name")
        match = _TOOLCHAIN.fullmatch(args[0])
        mod.toolchain = match.group(1) if match else None  # "default", or a custom name: no version
        mod.toolchain_line = line
    elif verb == "module" and len(args) != 1:
        raise ParseError(f"line {line}: module wants one path")
    # retract, godebug, tool and ignore say nothing about dependencies


def _parse_mod(text: str) -> _GoMod:
    mod = _GoMod([], [], [])
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        if len(raw) > _MAX_LINE:
            raise ParseError(f"line {number} is longer than {_MAX_LINE} characters")
        tokens, comment = _lex(raw, number)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
            else:
                _statement(mod, block, tokens, comment, number)
            continue
        verb, args = tokens[0], tokens[1:]
        if verb not in _VERBS:
            raise ParseError(f"line {number}: unknown directive {verb[:40]!r}")
        if args == ["("] and verb in _BLOCKS:
            block = verb
        elif args != ["(", ")"] or verb not in _BLOCKS:
            _statement(mod, verb, args, comment, number)
    if block is not None:
        raise ParseError(f"unterminated {block} block")
    return mod


def _go_before_1_17(version: str) -> bool:
    numbers = [int(part) for part in re.findall(r"\d+", version)[:2]]
    return numbers < [1, 17]


def _from_sum(file: InputFile, notes: list[str]) -> list[Dependency]:
    name = file.path.rsplit("/", 1)[-1].removesuffix(".mod") + ".sum"
    data = file.read(name)
    if data is None:
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        notes.append(f"{name}: not UTF-8 text; its indirect dependencies are not listed")
        return []
    found: list[Dependency] = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3:
            notes.append(f"{name}: line {number} is not 'module version hash'; its indirect dependencies "
                         "are not listed")
            return []
        if not fields[1].endswith("/go.mod"):
            found.append(Dependency(fields[0], _strip_v(fields[1]), direct=False))
    return found


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    if "\x00" in text:
        raise ParseError("binary content")
    mod = _parse_mod(text)
    notes: list[str] = []

    current: dict[tuple[str, str], Dependency | None] = {}
    for dep in mod.requires:
        key = (dep.name, dep.version)
        previous = current.get(key)
        current[key] = dep if previous is None else replace(previous, direct=previous.direct or dep.direct)
    for rep in mod.replaces:
        for key, was in list(current.items()):
            if was is None or key[0] != rep.old or rep.old_version not in (None, key[1]):
                continue
            if rep.new_version is None:
                notes.append(f"{key[0]} v{key[1]} is replaced by the local directory {rep.new}")
                current[key] = None
            else:
                current[key] = replace(was, name=rep.new, version=rep.new_version)
    for name, version in mod.excludes:
        if (name, version) in current:
            notes.append(f"{name} v{version} is both required and excluded")

    packages: dict[tuple[str, str], Dependency] = {}
    for kept in current.values():
        if kept is None:
            continue
        seen = packages.get((kept.name, kept.version))
        packages[(kept.name, kept.version)] = kept if seen is None else replace(seen, direct=seen.direct or kept.direct)

    go_version = mod.toolchain or mod.go
    if go_version is not None:
        line = mod.toolchain_line if mod.toolchain else mod.go_line
        packages.setdefault(("stdlib", go_version), Dependency("stdlib", go_version, line=line))
    if mod.go is not None and _go_before_1_17(mod.go):  # module graph pruning follows the go directive
        for dep in _from_sum(file, notes):
            packages.setdefault((dep.name, dep.version), dep)
    return Parsed("Go", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "go.mod")


ANALYZER = Analyzer(name="golang/go-mod", version=1, required=_required, analyze=analyze)
