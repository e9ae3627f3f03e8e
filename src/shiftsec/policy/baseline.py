"""What the change under review is compared with: a previous JSON report (`--baseline FILE`) or the same scan
of a base revision (`--diff-base REF`), checked out in a temporary `git worktree` so the working copy is never
touched. Findings are compared by fingerprint (rule, package identity, file path; never line numbers), so a
finding that only moved is not new.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from shiftsec.errors import InputError
from shiftsec.model import Finding

__all__ = ["Baseline", "git_root", "read_baseline", "worktree"]


@dataclass(frozen=True, slots=True)
class Baseline:
    fingerprints: frozenset[str]
    label: str  # the report file or "git:REF"

    @classmethod
    def of(cls, findings: Iterable[Finding], label: str) -> Baseline:
        return cls(frozenset(finding.fingerprint for finding in findings), label)


def read_baseline(path: Path) -> Baseline:
    """The fingerprints of a shiftsec JSON report (any 1.x version)."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (--baseline takes a JSON report of an earlier scan)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(f"{path}: not a JSON report: {exc}") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith("1.") or not isinstance(findings, list):
        raise InputError(f"{path}: not a shiftsec JSON report (`shiftsec … --format json`, schema 1.x)")
    prints = set()
    for index, finding in enumerate(findings):
        fingerprint = finding.get("fingerprint") if isinstance(finding, dict) else None
        if not isinstance(fingerprint, str):
            raise InputError(f"{path}: findings[{index}] has no fingerprint")
        prints.add(fingerprint)
    return Baseline(frozenset(prints), str(path))


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("git") is None:
        raise InputError("--diff-base needs git, which is not installed")
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def git_root(path: Path) -> Path:
    """The top folder of the git repository holding `path`."""
    folder = path if path.is_dir() else path.parent
    done = _git(["rev-parse", "--show-toplevel"], folder)
    if done.returncode != 0:
        raise InputError(f"{path}: not inside a git repository (--diff-base compares git revisions)")
    return Path(done.stdout.strip())


@contextlib.contextmanager
def worktree(repo: Path, ref: str) -> Iterator[Path]:
    """A temporary, detached checkout of `ref`, removed afterwards (also on errors)."""
    done = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo)
    if done.returncode != 0:
        raise InputError(f"--diff-base {ref}: no such revision in {repo}",
                         hint="fetch it first, e.g. `git fetch origin main` and `--diff-base origin/main`")
    sha = done.stdout.strip()
    parent = Path(tempfile.mkdtemp(prefix="shiftsec-base-"))
    target = parent / "tree"
    try:
        added = _git(["worktree", "add", "--detach", "--quiet", str(target), sha], repo)
        if added.returncode != 0:
            message = (added.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise InputError(f"--diff-base {ref}: git worktree failed: {message}")
        yield target
    finally:
        if target.exists():
            _git(["worktree", "remove", "--force", str(target)], repo)
        shutil.rmtree(parent, ignore_errors=True)
        _git(["worktree", "prune"], repo)
