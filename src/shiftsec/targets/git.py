"""Git as a scan target: the lines that commits (or the index) add, streamed from git itself.

`added_blocks(repo, selection)` runs `git log -p -U0` (every commit, or a range) or `git diff --cached -U0` (the
staged changes) and yields one `AddedBlock` per (commit, file): the added lines joined into one buffer, with
the file line number of each buffer line. Output is read in chunks, in time linear in its size and in memory
bounded by about twice the per-file cap (`limit`), however large the history or one commit. Removed and context
lines are never read: a secret deleted in a later commit was still added by an earlier one.

`parse_patch` is the pure part (bytes of `git log -p` output in, blocks out); the rest runs git with a fixed
environment (no pager, no external diff or textconv drivers, no colour, paths unquoted) and turns its failures
into one-line `InputError`s.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from shiftsec.errors import InputError
from shiftsec.model import Commit

# Each commit starts with a NUL-prefixed header line: NUL cannot begin a line of a patch (patch lines start
# with a space, '+', '-', '\\', '@' or a header word).
_FORMAT = "--format=%x00%H%x1f%an%x1f%ae%x1f%aI"
_DIFF_OPTIONS = ("-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames")
_GIT_CONFIG = ("-c", "core.quotePath=false", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
               "-c", "log.showSignature=false", "-c", "core.pager=cat")


@dataclass(frozen=True, slots=True)
class AddedBlock:
    """The lines one commit (or the index, `commit=None`) adds to one file."""

    commit: Commit | None
    path: str
    data: bytes  # the added lines, each ending in "\n"
    lines: tuple[int, ...]  # file line number of each line of `data`
    truncated: bool = False  # more was added than the limit; `data` holds the first lines only


@dataclass(frozen=True, slots=True)
class Selection:
    """Which changes to read: every commit reachable from any ref (`history`), `since..HEAD`, a `range`
    (`A..B` or `A...B`), or the staged changes."""

    since: str | None = None
    range: str | None = None
    staged: bool = False

    def describe(self) -> str:
        if self.staged:
            return "staged changes"
        if self.since:
            return f"commits {self.since}..HEAD"
        if self.range:
            return f"commits {self.range}"
        return "every commit"


def _unquote(raw: bytes) -> bytes:
    """A path as git prints it: C-quoted (`"a\\tb\\303\\251"`) when it holds special characters."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    escapes = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13}
    while i < len(body):
        byte = body[i]
        if byte != 0x5C or i + 1 == len(body):  # not a backslash
            out.append(byte)
            i += 1
            continue
        following = body[i + 1]
        octal = body[i + 1 : i + 4]
        if len(octal) == 3 and all(0x30 <= digit <= 0x37 for digit in octal):
            out.append(int(octal, 8) & 0xFF)
            i += 4
        else:
            out.append(escapes.get(following, following))
            i += 2
    return bytes(out)


def _new_path(line: bytes) -> str | None:
    """The file a `+++ b/path` line names; None for `+++ /dev/null` (a deleted file). Git C-quotes a path with
    special characters and ends one that holds a space with a tab."""
    rest = line[4:].rstrip(b"\r\n")
    raw = _unquote(rest) if rest.startswith(b'"') else rest.split(b"\t", 1)[0]
    if raw == b"/dev/null":
        return None
    if raw.startswith(b"b/"):
        raw = raw[2:]
    return raw.decode("utf-8", "surrogateescape")


def _hunk_start(line: bytes) -> tuple[int, int]:
    """(first new line, number of new lines) of a `@@ -a,b +c,d @@` header."""
    new = line.split(b" ", 3)[2]  # "+c,d" or "+c"
    start, _, count = new[1:].partition(b",")
    return int(start), int(count) if count else 1


def _commit(line: bytes) -> Commit:
    fields = line[1:].rstrip(b"\r\n").decode("utf-8", "replace").split("\x1f")
    fields += [""] * (4 - len(fields))
    sha, author, email, date = fields[:4]
    return Commit(sha, author, email, date)


# A hunk header of `-U0` output; content lines never start with "@@" (they start with "+", "-", " " or "\\").
_HUNK = re.compile(rb"^@@@* (?:-\d+(?:,\d+)? )+\+(\d+)(?:,(\d+))? @@[^\n]*\n", re.MULTILINE)
# Where one file's (or one commit's) part of the output ends: no line of a patch starts with NUL or "diff ".
_BOUNDARY = re.compile(rb"\n(?=\x00|diff --git |diff --cc |diff --combined )")
_READ = 1 << 20


_TAIL = 20  # a boundary is "\n" and up to 16 more bytes: rescan this much of what was already searched
_REMOVED = re.compile(rb"^[-\\][^\n]*\n", re.MULTILINE)  # removed lines and "\ No newline" notes


def _sections(chunks: Iterable[bytes], budget: int) -> Iterator[bytes]:
    """Reassemble arbitrary chunks of output into sections: one commit header line, or one file's diff.

    Linear in the output: each byte is searched for a boundary about once. A section that outgrows `budget`
    bytes first loses its removed lines (never read); if what is left is still over half the budget, the part
    held so far is yielded and the rest of the section is dropped as it arrives, so memory stays within the
    budget whatever one commit adds."""
    buf = bytearray()
    searched = 0
    dropping = False
    for chunk in chunks:
        buf += chunk
        cut = 0
        for boundary in _BOUNDARY.finditer(buf, max(searched - _TAIL, 0)):
            if not dropping:
                yield bytes(buf[cut : boundary.start() + 1])
            dropping = False
            cut = boundary.end()
        del buf[:cut]
        if dropping:
            del buf[:-_TAIL]
        elif len(buf) > budget:
            first_hunk = buf.find(b"\n@@ ")
            if first_hunk >= 0:
                buf[first_hunk + 1 :] = _REMOVED.sub(b"", bytes(buf[first_hunk + 1 :]))
            if len(buf) > budget // 2:
                yield bytes(buf[: buf.rfind(b"\n") + 1])  # whole lines only
                dropping = True
                del buf[:-_TAIL]
        searched = len(buf)
    if buf and not dropping:
        yield bytes(buf)


def _file_block(section: bytes, commit: Commit | None, limit: int) -> AddedBlock | None:
    """The added lines of one file's diff (None for a deleted, binary or mode-only change)."""
    header = section.find(b"\n+++ ")
    if header < 0:
        return None
    path = _new_path(section[header + 1 : section.find(b"\n", header + 1) + 1 or len(section)])
    if path is None:
        return None
    parts: list[bytes] = []
    numbers: list[int] = []
    hunks = list(_HUNK.finditer(section, header))
    for index, hunk in enumerate(hunks):
        body_end = hunks[index + 1].start() if index + 1 < len(hunks) else len(section)
        added = [line[1:] for line in section[hunk.end() : body_end].split(b"\n") if line[:1] == b"+"]
        first = int(hunk.group(1))
        parts += added
        numbers += range(first, first + len(added))
    if not parts:
        return None
    data = b"\n".join(parts) + b"\n"
    if len(data) <= limit:
        return AddedBlock(commit, path, data, tuple(numbers))
    kept = data[:limit].count(b"\n")  # whole lines only
    return AddedBlock(commit, path, b"".join(part + b"\n" for part in parts[:kept]), tuple(numbers[:kept]), True)


def parse_patch(chunks: Iterable[bytes], *, limit: int = 0) -> Iterator[AddedBlock]:
    """Blocks of added lines from `git log -p -U0` output in shiftsec's `_FORMAT` (or `git diff -U0` output,
    which has no commit headers), given in chunks split anywhere. `limit` caps the bytes kept per block (0: no
    cap). Python touches each file's diff as a whole (regexes and slices), not line by line: on a 5,000-commit
    history that is several times faster than a per-line state machine."""
    cap = limit or (1 << 62)
    commit: Commit | None = None
    for section in _sections(chunks, 2 * cap + (2 << 20) if limit else 1 << 62):
        if section.startswith(b"\x00"):
            commit = _commit(section.split(b"\n", 1)[0])
        elif section.startswith(b"diff "):
            block = _file_block(section, commit, cap)
            if block is not None:
                yield block


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    read = getattr(stream, "read1", stream.read)  # read1: whatever the pipe holds, up to _READ bytes
    while chunk := read(_READ):
        yield chunk


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise InputError("git is not installed or not on PATH", hint="install git to scan a repository's history")
    return found


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in ("GIT_DIR", "GIT_WORK_TREE")}
    env.update({"GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1"})
    return env


def _run(repo: Path, *args: str) -> str:
    """Run a short git command; its output (stripped) or an InputError with git's own first line."""
    try:
        done = subprocess.run([_git(), "-C", str(repo), *_GIT_CONFIG, *args], capture_output=True,
                              env=_environment(), check=False)
    except OSError as exc:
        raise InputError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"{repo}: git {args[0]} failed: {reason[0] if reason else f'exit {done.returncode}'}")
    return done.stdout.decode("utf-8", "replace").strip()


def _check_ref(repo: Path, ref: str, option: str) -> None:
    if not ref or ref.startswith("-") or any(c.isspace() or ord(c) < 32 for c in ref):
        raise InputError(f"{option} {ref!r}: not a git revision")
    try:
        _run(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except InputError:
        raise InputError(
            f"{option} {ref!r}: no such commit in {repo}",
            hint="in a shallow CI clone, fetch the base first (e.g. git fetch --depth=100 origin main)",
        ) from None


def check_repository(repo: Path) -> None:
    """Raise a one-line InputError unless `repo` is (inside) a git work tree or a bare repository."""
    if not repo.exists():
        raise InputError(f"{repo}: no such file or directory")
    if not repo.is_dir():
        raise InputError(f"{repo}: not a folder")
    try:
        _run(repo, "rev-parse", "--git-dir")
    except InputError:
        raise InputError(f"{repo}: not a git repository", hint="use `shiftsec fs` for a plain folder") from None


def _arguments(repo: Path, selection: Selection) -> list[str]:
    if selection.staged:
        return ["diff", "--cached", *_DIFF_OPTIONS]
    revisions = ["--all"]
    if selection.since:
        _check_ref(repo, selection.since, "--since")
        revisions = [f"{selection.since}..HEAD"]
    elif selection.range:
        separator = "..." if "..." in selection.range else ".."
        start, _, end = selection.range.partition(separator)
        if not start or not end:
            raise InputError(f"--range {selection.range!r}: expected A..B (or A...B)")
        _check_ref(repo, start, "--range")
        _check_ref(repo, end, "--range")
        revisions = [selection.range]
    return ["log", *_DIFF_OPTIONS, _FORMAT, "--full-history", *revisions, "--"]


def added_blocks(repo: Path, selection: Selection, *, limit: int = 0) -> Iterator[AddedBlock]:
    """Stream the blocks of added lines that `selection` covers in the repository at `repo`.

    Raises InputError when git cannot read the repository or a revision; history without commits (a fresh
    `git init`) yields nothing."""
    check_repository(repo)
    if not selection.staged and not _has_commits(repo):
        return
    args = _arguments(repo, selection)
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen([_git(), "-C", str(repo), *_GIT_CONFIG, *args], stdout=subprocess.PIPE,
                                       stderr=errors, env=_environment())
        except OSError as exc:
            raise InputError(f"cannot run git: {exc.strerror or exc}") from None
        assert process.stdout is not None
        try:
            yield from parse_patch(_chunks(process.stdout), limit=limit)
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            reason = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise InputError(f"{repo}: git {args[0]} failed: {reason[0] if reason else f'exit {code}'}")


def _has_commits(repo: Path) -> bool:
    try:
        _run(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except InputError:
        return bool(_run(repo, "for-each-ref", "--count=1", "refs/"))
    return True
