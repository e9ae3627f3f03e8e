"""`shiftsec init`: the files a repository needs to run shiftsec across its whole lifecycle.

    shiftsec.yaml                      starter configuration and policy (`shiftsec ci` reads it)
    .pre-commit-config.yaml            a pre-commit hook: `shiftsec repo --staged --fail-on low` before each commit
    .github/workflows/shiftsec.yml     GitHub Actions: pull request gate, default-branch baseline, nightly re-check
    .gitlab/shiftsec.gitlab-ci.yml     the same three jobs for GitLab CI (to `include:`)

Generating and writing are kept apart: `plan` decides what each file would hold and whether it would be
created, left alone ("skip-exists") or replaced ("overwrite", only with `force`), reading nothing but which files
exist and the repository's default branch; `write` then writes what the plan says. The templates are package
data (`shiftsec/templates/init/`); placeholders `@NAME@` are filled in here.

`.pre-commit-config.yaml` usually holds other tools' hooks as well, so it is never replaced, not even with
`force`: when it exists, the plan says "skip-exists" and `PlannedFile.hint` is the hook entry to add by hand.
The docs for the whole set-up: docs/ci-setup.md.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from shiftsec import __version__
from shiftsec.errors import InputError

__all__ = ["FILES", "PRECOMMIT_CONFIG", "Action", "PlannedFile", "default_branch", "plan", "render", "write"]

Action = Literal["create", "skip-exists", "overwrite"]

PRECOMMIT_CONFIG = ".pre-commit-config.yaml"
# (path written in the repository, template name under shiftsec/templates/init/)
FILES: tuple[tuple[str, str], ...] = (
    ("shiftsec.yaml", "shiftsec.yaml"),
    (PRECOMMIT_CONFIG, "pre-commit-config.yaml"),
    (".github/workflows/shiftsec.yml", "github-workflow.yml"),
    (".gitlab/shiftsec.gitlab-ci.yml", "gitlab-ci.yml"),
)
_NEVER_REPLACED = frozenset({PRECOMMIT_CONFIG})
_BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
_EXAMPLE_EXCEPTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file of the plan: `path` relative to the repository root (with `/`), what it holds, and what
    `write` will do with it. `hint` is for the user when the file is skipped (what to add by hand)."""

    path: str
    content: str
    action: Action
    hint: str = ""


def template(name: str) -> str:
    """The text of one template shipped under shiftsec/templates/init/."""
    return resources.files("shiftsec").joinpath("templates", "init", name).read_text(encoding="utf-8")


def render(name: str, *, branch: str = "main", today: datetime.date | None = None) -> str:
    """Template `name` with its placeholders filled in: the shiftsec version to install, the default branch,
    and the expiry date of the commented-out example exception (90 days from `today`)."""
    if not _BRANCH.match(branch) or ".." in branch:
        raise ValueError(f"not a usable branch name: {branch!r}")
    expires = (today or datetime.date.today()) + datetime.timedelta(days=_EXAMPLE_EXCEPTION_DAYS)
    text = template(name)
    for key, value in (("SHIFTSEC_VERSION", __version__), ("DEFAULT_BRANCH", branch),
                       ("EXAMPLE_EXPIRES", expires.isoformat())):
        text = text.replace(f"@{key}@", value)
    leftover = re.search(r"@[A-Z_]+@", text)
    if leftover:  # a template error, caught by the tests
        raise ValueError(f"template {name}: unknown placeholder {leftover.group()}")
    return text


def default_branch(root: Path) -> str:
    """The repository's default branch as its clone knows it (`origin/HEAD`), else "main"."""
    git = root / ".git"
    candidates = [git / "refs" / "remotes" / "origin" / "HEAD"]
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        prefix = "ref: refs/remotes/origin/"
        if text.startswith(prefix):
            name = text.removeprefix(prefix)
            if _BRANCH.match(name) and ".." not in name:
                return name
    return "main"


def _precommit_hint(existing: Path, snippet: str) -> str:
    try:
        current = existing.read_text(encoding="utf-8", errors="replace")
    except OSError:
        current = ""
    if "shiftsec repo --staged" in current or "id: shiftsec-secrets" in current:
        return f"{PRECOMMIT_CONFIG} exists and already runs shiftsec: left as it is"
    entry = snippet.split("repos:\n", 1)[1] if "repos:\n" in snippet else snippet
    return f"{PRECOMMIT_CONFIG} exists: left as it is. Add this entry under its `repos:`\n{entry}"


def plan(root: Path, *, force: bool = False, today: datetime.date | None = None) -> list[PlannedFile]:
    """What `shiftsec init` would write under `root`: every file of `FILES`, in that order. An existing file is
    "skip-exists" unless `force` ("overwrite"); `.pre-commit-config.yaml` is never overwritten."""
    if not root.is_dir():
        raise InputError(f"{root}: not a directory", hint="shiftsec init takes the repository's root folder")
    branch = default_branch(root)
    planned = []
    for rel, name in FILES:
        content = render(name, branch=branch, today=today)
        target = root / rel
        exists = target.exists() or target.is_symlink()
        action: Action
        hint = ""
        if not exists:
            action = "create"
        elif force and rel not in _NEVER_REPLACED and target.is_file():
            action = "overwrite"
        else:
            action = "skip-exists"
            if rel == PRECOMMIT_CONFIG:
                hint = _precommit_hint(target, content)
            elif force:
                hint = f"{rel} exists and is not a regular file: left as it is"
            else:
                hint = f"{rel} exists: left as it is (--force replaces it)"
        planned.append(PlannedFile(rel, content, action, hint))
    return planned


def write(root: Path, planned: list[PlannedFile]) -> list[str]:
    """Write the files `plan` marked "create" or "overwrite" (creating their folders) and return their paths,
    in plan order. A file to create that appeared since the plan is not replaced (FileExistsError)."""
    written = []
    for item in planned:
        if item.action == "skip-exists":
            continue
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = "x" if item.action == "create" else "w"
        with target.open(mode, encoding="utf-8", newline="\n") as handle:
            handle.write(item.content)
        written.append(item.path)
    return written
