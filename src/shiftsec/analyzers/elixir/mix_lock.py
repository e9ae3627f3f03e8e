"""mix.lock: the Hex packages Mix locked, read with a small Elixir-term tokenizer (the file is never run).

Owns the lock's literal syntax (a `%{...}` map of app name to tuple; lists, keyword lists, atoms, strings,
numbers; trailing commas) and the entry shapes: `{:hex, :package, "version", hash, managers, deps, repo,
hash}` becomes a package (named after the Hex package, which may differ from the app name) whose deps
list gives `depends_on`; a `{:git, url, ref, opts}` entry, a package from a private Hex repository
(`repo` other than "hexpm") and an entry of any other shape become notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_MAX_DEPTH = 64
_MAX_LINE = 1 << 20
_TOKEN = re.compile(r"""
    (?P<space>(?:\s++|\#[^\n]*+)++)
  | (?P<map>%\{)
  | (?P<punct>=>|[{}\[\],])
  | (?P<keystring>"(?:[^"\\]++|\\.)*+":(?=\s))
  | (?P<string>"(?:[^"\\]++|\\.)*+")
  | (?P<qatom>:"(?:[^"\\]++|\\.)*+")
  | (?P<atom>:[A-Za-z_][A-Za-z0-9_@.]*[?!]?)
  | (?P<key>[A-Za-z_][A-Za-z0-9_@]*[?!]?:(?=\s))
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*[?!]?)
  | (?P<number>-?\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][-+]?\d+)?)
""", re.VERBOSE)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)

Term = object  # str (a string), _Atom, tuple (a tuple), list (a list), _Map


@dataclass(frozen=True, slots=True)
class _Atom:
    name: str


@dataclass(frozen=True, slots=True)
class _Map:
    entries: tuple[tuple[Term, Term, int], ...]  # key, value, line of the key


class _Reader:
    """A recursive-descent reader over tokens produced lazily, so junk fails at its first bad token."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1
        self.kind, self.value, self.token_line = "", "", 1
        self.advance()

    def advance(self) -> None:
        while True:
            if self.pos >= len(self.text):
                self.kind, self.value, self.token_line = "end", "", self.line
                return
            match = _TOKEN.match(self.text, self.pos)
            if match is None:
                raise ParseError(f"line {self.line}: unexpected {self.text[self.pos:self.pos + 20]!r}")
            self.pos = match.end()
            kind, value = match.lastgroup or "", match.group()
            self.token_line = self.line
            self.line += value.count("\n")
            if kind != "space":
                self.kind, self.value = kind, value
                return

    def expect(self, value: str) -> None:
        if self.value != value or self.kind not in ("punct", "map"):
            raise ParseError(f"line {self.token_line}: expected {value!r}, found {self.value[:20]!r}")
        self.advance()

    def items(self, close: str, depth: int, keyed: bool) -> list[tuple[Term, Term | None, int]]:
        """Comma-separated items up to `close`; (key, value, line) for `k: v` / `k => v`, else (term, None)."""
        found: list[tuple[Term, Term | None, int]] = []
        while not (self.kind == "punct" and self.value == close):
            line = self.token_line
            if self.kind in ("key", "keystring"):
                key: Term = _Atom(_unquote(self.value[:-1]) if self.kind == "keystring" else self.value[:-1])
                self.advance()
                found.append((key, self.term(depth), line))
            else:
                term = self.term(depth)
                if keyed:
                    self.expect("=>")
                    found.append((term, self.term(depth), line))
                else:
                    found.append((term, None, line))
            if self.kind == "punct" and self.value == ",":
                self.advance()
            elif not (self.kind == "punct" and self.value == close):
                raise ParseError(f"line {self.token_line}: expected ',' or {close!r}, found {self.value[:20]!r}")
        self.advance()
        return found

    def term(self, depth: int) -> Term:
        if depth > _MAX_DEPTH:
            raise ParseError(f"line {self.token_line}: terms nested deeper than {_MAX_DEPTH} levels")
        kind, value = self.kind, self.value
        if kind == "map":
            self.advance()
            return _Map(tuple((k, v, line) for k, v, line in self.items("}", depth + 1, keyed=True)
                              if v is not None))
        if kind == "punct" and value in ("{", "["):
            self.advance()
            found = self.items("}" if value == "{" else "]", depth + 1, keyed=False)
            terms = [term if v is None else (term, v) for term, v, _ in found]
            return tuple(terms) if value == "{" else terms
        if kind in ("string", "qatom", "atom", "word", "number"):
            self.advance()
            if kind == "string":
                return _unquote(value)
            if kind == "qatom":
                return _Atom(_unquote(value[1:]))
            return _Atom(value[1:]) if kind == "atom" else _Atom(value)
        raise ParseError(f"line {self.token_line}: unexpected {value[:20] or 'end of file'!r}")


def _unquote(quoted: str) -> str:
    return _ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), quoted[1:-1])


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "mix.lock"


def _name(term: Term) -> str | None:
    if isinstance(term, _Atom):
        return term.name
    return term if isinstance(term, str) else None


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    for number, raw in enumerate(text.splitlines(), 1):
        if len(raw) > _MAX_LINE:
            raise ParseError(f"line {number} is longer than {_MAX_LINE} characters")
    reader = _Reader(text)
    root = reader.term(0)
    if reader.kind != "end":
        raise ParseError(f"line {reader.token_line}: unexpected {reader.value[:20]!r} after the map")
    if not isinstance(root, _Map):
        raise ParseError("the file is not an Elixir map")

    notes: list[str] = []
    found: dict[str, tuple[str, str, int, list[Term]]] = {}  # app -> package, version, line, deps
    for key, value, line in root.entries:
        app = _name(key)
        if app is None:
            notes.append(f"line {line}: an entry whose key is not a name")
            continue
        if not isinstance(value, tuple) or not value:
            notes.append(f"line {line}: {app} is not a Hex package entry")
        elif value[0] == _Atom("hex") and len(value) >= 3 and isinstance(value[1], _Atom) and isinstance(value[2], str):
            repo = value[6] if len(value) > 6 else "hexpm"
            if isinstance(repo, str) and repo != "hexpm":
                notes.append(f"line {line}: {app} {value[2]} comes from the private Hex repository {repo}")
                continue
            deps = value[5] if len(value) > 5 and isinstance(value[5], list) else []
            found[app] = (value[1].name, value[2], line, deps)
        elif value[0] == _Atom("git") and len(value) >= 2 and isinstance(value[1], str):
            ref = f" {value[2][:12]}" if len(value) > 2 and isinstance(value[2], str) else ""
            notes.append(f"line {line}: {app} is a git dependency ({value[1]}{ref})")
        else:
            notes.append(f"line {line}: {app} is not a Hex package entry")

    packages: dict[tuple[str, str], Dependency] = {}
    for name, version, line, deps in found.values():
        targets = (found.get(_name(dep[0]) or "") if isinstance(dep, tuple) and dep else None for dep in deps)
        depends_on = tuple(dict.fromkeys(f"{t[0]}@{t[1]}" for t in targets if t is not None))
        packages.setdefault((name, version), Dependency(name, version, line=line, depends_on=depends_on))
    return Parsed("Hex", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "mix.lock")


ANALYZER = Analyzer(name="elixir/mix-lock", version=1, required=_required, analyze=analyze)
