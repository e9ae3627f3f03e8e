"""python/requirements: pip requirements files (`requirements*.txt`, `*-requirements.txt`, `requirements/*.txt`).

Lines are read the way pip reads them: `\\` continuations joined, `#` comments dropped, per-requirement
options (`--hash=...`, `-C ...`) split off at the first token that starts with `-`, then the rest parsed as a
PEP 508 requirement (extras and environment markers allowed; the package is kept whatever its marker says).

An exact pin (`==1.2`, `===1.2`) is a package. A ranged requirement takes a constraints file's (`-c`) pin when
there is one; otherwise it is checked at its lowest allowed version (`>=1.2` → 1.2, as osv-scanner does: the
range lets that version in), with a note saying so. An unversioned requirement, editable installs, URL and
path requirements, lines using `${ENV}` variables, unknown options and lines pip would reject are notes.
`-r` and `-c` files are read through `InputFile.read`, relative to the file that names them, each at most
once (include loops end there). Every requirement is direct; a file whose name says dev/test/lint/docs
(`requirements-dev.txt`,
`requirements/test.txt`) holds dev dependencies. Packages from an included file carry the line of the top
file's `-r` that brought them in.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from packaging.specifiers import SpecifierSet

from shiftsec.analyzers._guard import decode, guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.python._common import (
    ECOSYSTEM,
    at,
    canon,
    is_dev_word,
    lowest_allowed,
    merge,
    pinned,
    requirement,
    short,
)

MAX_LINE = 100_000  # characters in one logical line
MAX_FILES = 64  # requirement and constraint files read for one top file
_ENV_VAR = re.compile(r"\$\{[A-Z0-9_]+\}")
_REQUIREMENT = ("-r", "--requirement")
_CONSTRAINT = ("-c", "--constraint")
_EDITABLE = ("-e", "--editable")
_GLOBAL = frozenset({
    "-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links", "--pre", "--prefer-binary",
    "--require-hashes", "--trusted-host", "--only-binary", "--no-binary", "--use-feature", "-Z",
    "--always-unzip", "--hash", "--global-option", "--config-settings", "-C", "--install-option",
})
_ARCHIVE = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")


def _required(path: str) -> bool:
    folder, _, base = path.rpartition("/")
    base = base.lower()
    if not base.endswith(".txt"):
        return False
    return "requirements" in base or folder.rpartition("/")[2].lower() == "requirements"


def _is_dev_file(relative: str) -> bool:
    stem = posixpath.basename(relative).lower().removesuffix(".txt")
    return any(is_dev_word(word) for word in re.split(r"[-_.\s]+", stem) if word)


def _logical_lines(source: str) -> Iterator[tuple[int, str]]:
    """(first physical line, joined text) per logical line, comments removed, as pip's join_lines does."""
    pending: list[str] = []
    first = length = 0
    for number, line in enumerate(source.splitlines(), 1):
        starts_comment = line.lstrip().startswith("#")
        if line.endswith("\\") and not starts_comment:
            if not pending:
                first, length = number, 0
            pending.append(line[:-1])
            length += len(line)
            _check_length(first, length)
            continue
        if pending:
            pending.append(" " + line if starts_comment else line)
            _check_length(first, length + len(line))
            yield first, _uncomment("".join(pending))
            pending = []
        else:
            _check_length(number, len(line))
            yield number, _uncomment(line)
    if pending:
        yield first, _uncomment("".join(pending))


def _uncomment(line: str) -> str:
    """`line` without its comment: from a `#` that starts the line or follows whitespace (pip's COMMENT_RE,
    without the regex's quadratic backtracking over long runs of spaces)."""
    at_ = line.find("#")
    while at_ >= 0:
        if at_ == 0 or line[at_ - 1].isspace():
            return line[:at_].strip()
        at_ = line.find("#", at_ + 1)
    return line.strip()


def _check_length(line: int, length: int) -> None:
    if length > MAX_LINE:
        raise ParseError(f"line {line} is longer than {MAX_LINE} characters: not a requirements file")


def _split_options(line: str) -> tuple[str, str]:
    """pip's break_args_options: the requirement, and the options from the first token starting with `-`."""
    tokens = line.split(" ")
    for i, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:i]).strip(), " ".join(tokens[i:]).strip()
    return line, ""


def _option(options: str) -> tuple[str, str | None]:
    """The option a line starts with, and its value (`-r x`, `-rx`, `--requirement=x`), if it has one."""
    try:
        tokens = shlex.split(options)
    except ValueError:
        tokens = options.split()
    head = tokens[0]
    if head.startswith("--"):
        name, eq, value = head.partition("=")
        if eq:
            return name, value
        return name, tokens[1] if len(tokens) > 1 else None
    if len(head) > 2:
        return head[:2], head[2:]
    return head, tokens[1] if len(tokens) > 1 else None


@dataclass
class _Unpinned:
    name: str
    spec: str
    line: int  # reported line: in the top file, or the top file's -r line
    number: int  # the line in its own file, for the note
    dev: bool
    where: str  # "" for the top file, else "<relative path> "


@dataclass
class _Reader:
    file: InputFile
    packages: list[Dependency] = field(default_factory=list)
    unpinned: list[_Unpinned] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def note(self, where: str, number: int, message: str) -> None:
        self.notes.append(where + at(number, message))

    def read(self, relative: str, source: str, *, include_line: int | None, constraint: bool) -> None:
        """One file: its packages (or, with `constraint`, its pins) and its includes."""
        where = "" if include_line is None else f"{relative} "
        dev = _is_dev_file(relative)
        for number, line in _logical_lines(source):
            if not line:
                continue
            line_at = number if include_line is None else include_line
            if _ENV_VAR.search(line):
                if not constraint:
                    self.note(where, number, f"uses an environment variable: {short(line)} — not matched")
                continue
            spec, options = _split_options(line)
            if spec:
                self._requirement(spec, where, number, line_at, dev, constraint)
            else:
                self._option(relative, where, number, line_at, options, constraint)

    def _option(self, relative: str, where: str, number: int, line_at: int, options: str,
                constraint: bool) -> None:
        name, value = _option(options)
        if name in _REQUIREMENT or name in _CONSTRAINT:
            if value is None:
                self.note(where, number, f"{name} without a file name")
            else:
                self._include(relative, where, number, line_at, value, constraint or name in _CONSTRAINT)
        elif name in _EDITABLE:
            if not constraint:
                self.note(where, number, f"editable install {short(value or '')} — not matched")
        elif name not in _GLOBAL and not constraint:
            self.note(where, number, f"unknown option {short(options)} — ignored")

    def _include(self, relative: str, where: str, number: int, line_at: int, target: str,
                 constraint: bool) -> None:
        kind = "constraints file" if constraint else "requirements file"
        if "://" in target or target.startswith("/"):
            self.note(where, number, f"{kind} {short(target)} is not local — not read")
            return
        included = posixpath.normpath(posixpath.join(posixpath.dirname(relative), target))
        if included in self.seen:
            return
        if len(self.seen) >= MAX_FILES:
            self.note(where, number, f"{kind} {short(target)} not read: over {MAX_FILES} files")
            return
        self.seen.add(included)
        data = self.file.read(included)
        if data is None:
            self.note(where, number, f"{kind} {short(target)} not found — not read")
            return
        try:
            source = decode(data)
        except ParseError as exc:
            self.note(where, number, f"{kind} {short(target)} not read: {exc}")
            return
        self.read(included, source, include_line=line_at, constraint=constraint)

    def _requirement(self, spec: str, where: str, number: int, line_at: int, dev: bool,
                     constraint: bool) -> None:
        parsed = requirement(spec)
        if parsed is not None and parsed.url is None:
            version = pinned(parsed.specifier)
            if constraint:
                if version is not None:
                    self.constraints.setdefault(canon(parsed.name), version)
            elif version is not None:
                self.packages.append(Dependency(parsed.name, version, direct=True, dev=dev, line=line_at))
            else:
                self.unpinned.append(_Unpinned(parsed.name, str(parsed.specifier), line_at, number, dev, where))
            return
        if constraint:
            return
        if parsed is not None or "://" in spec or spec.startswith("git+"):
            message = f"URL requirement {short(spec)} — not matched"
        elif spec.startswith((".", "/", "~")) or "/" in spec or spec.lower().endswith(_ARCHIVE):
            message = f"path requirement {short(spec)} — not matched"
        else:
            message = f"not a valid requirement: {short(spec)} — not matched"
        self.note(where, number, message)

    def finish(self) -> None:
        """Unpinned requirements take a constraints file's pin; the rest become notes."""
        for item in self.unpinned:
            version = self.constraints.get(canon(item.name))
            if version is not None:
                self.packages.append(Dependency(item.name, version, direct=True, dev=item.dev, line=item.line))
            elif (lowest := lowest_allowed(SpecifierSet(item.spec))) is not None:
                # a range allows old versions too: check its lowest (what osv-scanner does) and say so
                self.packages.append(Dependency(item.name, lowest, direct=True, dev=item.dev, line=item.line))
                self.note(item.where, item.number, f"{item.name}{item.spec} is a range, not a pin: checked at its "
                                                   f"lowest allowed version {lowest}")
            elif item.spec:
                self.note(item.where, item.number,
                          f"{item.name}{item.spec} names no version to check — not matched")
            else:
                self.note(item.where, item.number, f"{item.name} has no version — not matched")


@guarded
def _analyze(file: InputFile) -> Parsed:
    source = decode(file.data)
    name = posixpath.basename(file.path)
    reader = _Reader(file, seen={name})
    reader.read(name, source, include_line=None, constraint=False)
    reader.finish()
    return Parsed(ECOSYSTEM, merge(reader.packages), tuple(reader.notes))


ANALYZER = Analyzer("python/requirements", 1, _required, _analyze)
