"""Dockerfile security and hygiene checks (`dockerfile-*`): their metadata, build stages, and the checks.

Pure: `check` receives the file's text and does no I/O; whether a `.dockerignore` exists is passed in by the
caller. The syntax (instructions, line spans, stages) is `dockerfile_syntax`'s; what RUN scripts do is
`dockerfile_shell`'s. `Instruction` and `parse` are re-exported here.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from shiftsec.misconfig.common import SecretTest, literal_secret
from shiftsec.misconfig.dockerfile_shell import (
    APK_VALUE_OPTIONS,
    APT_VALUE_OPTIONS,
    ASSIGNMENT,
    SHELLS,
    SUBSTITUTED_FETCH,
    YUM_NAMES,
    YUM_VALUE_OPTIONS,
    Command,
    analyse_run,
    apk_adds,
    apt_installs,
    apt_updates,
    cache_mount,
    command_name,
    pip_installs,
    removes,
    subcommand,
    unpinned_os,
    unpinned_pip,
    yum_installs,
)
from shiftsec.misconfig.dockerfile_syntax import Instruction, parse

__all__ = ["BY_ID", "CHECKS", "DockerfileCheck", "Hit", "Instruction", "check", "parse"]


@dataclass(frozen=True, slots=True)
class DockerfileCheck:
    """Metadata of one Dockerfile check."""

    id: str
    title: str
    severity: str  # "critical" | "high" | "medium" | "low"
    description: str
    remediation: str
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding of a check, located by line span; the message never repeats secret values."""

    check: str
    line: int
    end_line: int
    message: str


# ---------------------------------------------------------------------------------------------------------------
# Check metadata

_HADOLINT = "https://github.com/hadolint/hadolint/wiki/"
_BEST_PRACTICES = "https://docs.docker.com/build/building/best-practices/"

CHECKS: tuple[DockerfileCheck, ...] = (
    DockerfileCheck(
        "dockerfile-root-user",
        "Image runs as root",
        "high",
        "The final build stage sets no USER, or its last USER is root (root, 0, 0:0), so the container's process "
        "runs as root unless the runtime overrides it.",
        "Create an unprivileged user and switch to it with USER (by name or non-zero UID) in the final stage.",
        (_HADOLINT + "DL3002", _BEST_PRACTICES + "#user"),
    ),
    DockerfileCheck(
        "dockerfile-latest-tag",
        "Base image uses the latest tag or no tag",
        "medium",
        "A FROM image without a tag or digest, or with the tag `latest`, resolves to whatever is newest at build "
        "time, making builds unreproducible and open to unreviewed upstream changes.",
        "Pin the base image to a specific version tag, ideally also to its digest (image:tag@sha256:...).",
        (_HADOLINT + "DL3006", _HADOLINT + "DL3007", _BEST_PRACTICES + "#from"),
    ),
    DockerfileCheck(
        "dockerfile-add-remote-url",
        "ADD downloads a remote URL",
        "medium",
        "ADD with an http(s) source downloads the file at build time without verifying its integrity.",
        "Download with curl or wget in a RUN instruction and verify a checksum (or use ADD --checksum=sha256:...); "
        "use COPY for local files.",
        (_HADOLINT + "DL3020", _BEST_PRACTICES + "#add-or-copy"),
    ),
    DockerfileCheck(
        "dockerfile-curl-pipe-shell",
        "Remote script piped into a shell",
        "high",
        "A RUN instruction pipes the output of curl or wget straight into a shell, executing unverified remote code "
        "during the build.",
        "Download the script to a file, verify its checksum or signature, then run it.",
        ("https://docs.docker.com/build/building/best-practices/#using-pipes",),
    ),
    DockerfileCheck(
        "dockerfile-apt-no-install-recommends",
        "apt-get install without --no-install-recommends",
        "low",
        "apt-get install pulls recommended packages too, enlarging the image and its attack surface.",
        "Add --no-install-recommends to apt-get install.",
        (_HADOLINT + "DL3015",),
    ),
    DockerfileCheck(
        "dockerfile-apt-lists-not-removed",
        "apt lists left in the image",
        "low",
        "A RUN instruction of a stage that ends up in the image runs apt-get update or install but does not remove "
        "/var/lib/apt/lists in the same layer, so the package index stays in the image.",
        "End the same RUN instruction with `rm -rf /var/lib/apt/lists/*`.",
        (_HADOLINT + "DL3009", _BEST_PRACTICES + "#apt-get"),
    ),
    DockerfileCheck(
        "dockerfile-apk-no-cache",
        "apk add without --no-cache",
        "low",
        "apk add without --no-cache leaves the package index cache in the image layer.",
        "Use `apk add --no-cache`.",
        (_HADOLINT + "DL3019",),
    ),
    DockerfileCheck(
        "dockerfile-yum-no-clean",
        "yum/dnf install without clean all",
        "low",
        "A RUN instruction installs with yum or dnf but does not run `yum clean all` / `dnf clean all` in the same "
        "layer, leaving package caches in the image.",
        "End the same RUN instruction with `yum clean all` (or `dnf clean all`).",
        (_HADOLINT + "DL3032", _HADOLINT + "DL3040"),
    ),
    DockerfileCheck(
        "dockerfile-unpinned-package",
        "Package installed without a pinned version",
        "low",
        "apt-get install, apk add or pip install names packages without a version, so rebuilds may silently pick "
        "up different (possibly vulnerable or malicious) versions.",
        "Pin versions: apt-get install pkg=1.2.3, apk add pkg=1.2.3-r0, pip install pkg==1.2.3 (or use a "
        "requirements/constraints file with pinned versions).",
        (_HADOLINT + "DL3008", _HADOLINT + "DL3018", _HADOLINT + "DL3013"),
    ),
    DockerfileCheck(
        "dockerfile-secret-in-env",
        "Secret in ENV or ARG",
        "high",
        "An ENV or ARG whose name suggests a secret (password, token, API key, ...) is given a literal value; it is "
        "stored in the image metadata or build history where anyone with the image can read it.",
        "Pass secrets at build time with `RUN --mount=type=secret` and at run time through the orchestrator's "
        "secret mechanism; never bake them into the image.",
        ("https://docs.docker.com/build/building/secrets/",),
    ),
    DockerfileCheck(
        "dockerfile-no-healthcheck",
        "No HEALTHCHECK",
        "low",
        "The final image defines no HEALTHCHECK, so the runtime cannot tell a hung container from a healthy one.",
        "Add a HEALTHCHECK instruction that probes the service.",
        ("https://docs.docker.com/reference/dockerfile/#healthcheck",),
    ),
    DockerfileCheck(
        "dockerfile-sudo",
        "sudo used in RUN",
        "medium",
        "RUN instructions already execute as the current USER; sudo adds an unpredictable TTY/signal behaviour and "
        "implies sudo is installed (and usable) in the image.",
        "Drop sudo; switch with USER root around the privileged steps if needed, or use gosu/su-exec at runtime.",
        (_HADOLINT + "DL3004",),
    ),
    DockerfileCheck(
        "dockerfile-multiple-cmd-entrypoint",
        "More than one CMD or ENTRYPOINT",
        "low",
        "A build stage has several CMD (or several ENTRYPOINT) instructions; only the last one takes effect, the "
        "others are dead code that may mislead reviewers.",
        "Keep a single CMD and a single ENTRYPOINT in each stage.",
        (_HADOLINT + "DL4003", _HADOLINT + "DL4004"),
    ),
    DockerfileCheck(
        "dockerfile-copy-whole-context",
        "Whole build context copied without .dockerignore",
        "medium",
        "COPY . / ADD . copies the entire build context while no .dockerignore exists, so secrets, .git and local "
        "artefacts can end up in the image.",
        "Add a .dockerignore excluding secrets and build artefacts, or copy only the files the image needs.",
        ("https://docs.docker.com/build/concepts/context/#dockerignore-files",),
    ),
)

_CHECK_IDS = tuple(item.id for item in CHECKS)
BY_ID = {item.id: item for item in CHECKS}


# ---------------------------------------------------------------------------------------------------------------
# Stages


@dataclass(frozen=True, slots=True)
class _Stage:
    index: int
    start: Instruction  # the FROM
    image: str
    alias: str | None
    parent: int | None  # earlier stage this one is built on
    instructions: tuple[Instruction, ...]


def _from_parts(value: str) -> tuple[str, str | None]:
    tokens = [token for token in value.split() if not token.startswith("--")]
    image = tokens[0] if tokens else ""
    alias = tokens[2].lower() if len(tokens) >= 3 and tokens[1].lower() == "as" else None
    return image, alias


def _stages(instructions: Sequence[Instruction]) -> list[_Stage]:
    stages: list[_Stage] = []
    aliases: dict[str, int] = {}
    current: list[Instruction] = []
    start: Instruction | None = None

    def close() -> None:
        if start is None:
            return
        image, alias = _from_parts(start.value)
        parent = aliases.get(image.lower())
        stages.append(_Stage(len(stages), start, image, alias, parent, tuple(current)))
        if alias:
            aliases[alias] = len(stages) - 1

    for instruction in instructions:
        if instruction.keyword == "FROM":
            close()
            start, current = instruction, []
        elif start is not None:
            current.append(instruction)
    close()
    return stages


def _inherited(stages: Sequence[_Stage], keyword: str) -> list[Instruction]:
    """`keyword` instructions that configure the final image: the final stage's own, else its parent stage's."""
    index: int | None = len(stages) - 1
    seen: set[int] = set()
    while index is not None and index not in seen:
        found = [item for item in stages[index].instructions if item.keyword == keyword]
        if found:
            return found
        seen.add(index)
        index = stages[index].parent
    return []


# ---------------------------------------------------------------------------------------------------------------
# Checks

_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_ROOT_USERS = frozenset({"root", "0"})


def _hit(check_id: str, instruction: Instruction, message: str) -> Hit:
    return Hit(check_id, instruction.line, instruction.end_line, message)


def _words(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def _assignments(keyword: str, value: str) -> list[tuple[str, str | None]]:
    words = _words(value)
    if not words:
        return []
    if keyword == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, sep, literal = word.partition("=")
        pairs.append((name, literal if sep else None))
    return pairs


def _expand(text: str, env: Mapping[str, str]) -> str | None:
    """`text` with `$VAR`/`${VAR}`/`${VAR:-x}`/`${VAR:+x}` replaced from `env`; None when something is unresolved."""
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        current = env.get(name)
        if operator in (":-", "-"):
            return current if current else word
        if operator in (":+", "+"):
            return word if current else ""
        if current is None:
            unresolved = True
            return ""
        return current

    expanded = _VARIABLE.sub(replace, text)
    return None if unresolved or "$" in expanded else expanded


def _tag_problem(reference: str) -> str | None:
    if "@" in reference:
        return None
    last = reference.rsplit("/", 1)[-1]
    if ":" in last:
        return "uses the latest tag" if last.split(":", 1)[1] == "latest" else None
    return "has no tag (implicitly latest)"


def _check_root(stages: Sequence[_Stage]) -> list[Hit]:
    if not stages:
        return []
    users = _inherited(stages, "USER")
    final = stages[-1].start
    if not users:
        return [_hit("dockerfile-root-user", final, f"final stage (FROM {final.value}) sets no USER; runs as root")]
    last = users[-1]
    words = last.value.split()
    user = words[0].split(":", 1)[0] if words else ""
    if user.lower() in _ROOT_USERS:
        return [_hit("dockerfile-root-user", last, f"last USER of the final stage is root (USER {last.value})")]
    return []


def _check_tags(instructions: Sequence[Instruction]) -> list[Hit]:
    hits: list[Hit] = []
    env: dict[str, str] = {}
    aliases: set[str] = set()
    for instruction in instructions:
        if instruction.stage == -1 and instruction.keyword == "ARG":
            for name, literal in _assignments("ARG", instruction.value):
                if literal is not None:
                    env[name] = literal
        if instruction.keyword != "FROM":
            continue
        image, alias = _from_parts(instruction.value)
        resolved = _expand(image, env) if image else None
        if resolved and resolved.lower() != "scratch" and resolved.lower() not in aliases:
            problem = _tag_problem(resolved)
            if problem:
                shown = image if resolved == image else f"{image} (= {resolved})"
                hits.append(_hit("dockerfile-latest-tag", instruction, f"base image {shown} {problem}"))
        if alias:
            aliases.add(alias)
    return hits


def _add_sources(value: str) -> list[str]:
    value = value.split("\n", 1)[0].strip()
    if value.startswith("["):
        try:
            loaded = json.loads(value)
        except ValueError:
            loaded = None
        if isinstance(loaded, list) and all(isinstance(item, str) for item in loaded):
            return list(loaded[:-1])
    words = [word for word in _words(value) if not word.startswith("--")]
    return words[:-1]


def _copy_flags(value: str) -> list[str]:
    return [word for word in value.split() if word.startswith("--")]


def _check_add_remote(instruction: Instruction) -> list[Hit]:
    if any(flag.startswith("--checksum") for flag in _copy_flags(instruction.value)):
        return []
    remote = [src for src in _add_sources(instruction.value) if re.match(r"^https?://", src, re.IGNORECASE)]
    if not remote:
        return []
    return [_hit("dockerfile-add-remote-url", instruction, f"ADD downloads {', '.join(remote)} without a checksum")]


def _check_whole_context(instruction: Instruction) -> list[Hit]:
    if any(flag.startswith("--from") for flag in _copy_flags(instruction.value)):
        return []
    if not any(src in (".", "./") for src in _add_sources(instruction.value)):
        return []
    return [
        _hit(
            "dockerfile-copy-whole-context",
            instruction,
            f"{instruction.keyword} {instruction.value.split(chr(10), 1)[0]} copies the whole build context and "
            "there is no .dockerignore",
        )
    ]


def _check_secrets(instruction: Instruction, secret: SecretTest) -> list[Hit]:
    names = [name for name, literal in _assignments(instruction.keyword, instruction.value)
             if literal and secret(name, literal)]
    return [
        _hit(
            "dockerfile-secret-in-env",
            instruction,
            f"{instruction.keyword} {name} sets a secret-like variable to a literal value",
        )
        for name in names
    ]


def _image_stages(stages: Sequence[_Stage]) -> frozenset[int]:
    """Indexes of the stages whose layers end up in the final image: the final stage and the stages it is built
    on (`FROM <alias>`), not those only copied from."""
    out: set[int] = set()
    index: int | None = len(stages) - 1 if stages else None
    while index is not None and index not in out:
        out.add(index)
        index = stages[index].parent
    return frozenset(out)


def _check_run(instruction: Instruction, in_image: bool = True) -> list[Hit]:
    run = analyse_run(instruction)
    hits: list[Hit] = []

    def add(check_id: str, message: str) -> None:
        hits.append(_hit(check_id, instruction, message))

    for pipeline in run.pipelines:
        fetch = next((i for i, argv in enumerate(pipeline) if argv and command_name(argv[0]) in ("curl", "wget")), None)
        if fetch is None:
            continue
        shell = next((argv for argv in pipeline[fetch + 1 :] if argv and command_name(argv[0]) in SHELLS), None)
        if shell is not None:
            add(
                "dockerfile-curl-pipe-shell",
                f"RUN pipes {command_name(pipeline[fetch][0])} output into {command_name(shell[0])}",
            )
            break
    else:
        found = SUBSTITUTED_FETCH.search(run.script)
        if found:
            add("dockerfile-curl-pipe-shell", f"RUN runs downloaded code with {found.group(0).split()[0]}")

    apt = apt_installs(run)
    updates = apt_updates(run)
    # The lists are written by `apt-get update`; left in a stage that is only copied from, they never reach the image.
    if (apt or updates) and in_image and not removes(run, "/var/lib/apt/lists") and not cache_mount(
            run, "/var/lib/apt"):
        what = "install" if apt else "update"
        add("dockerfile-apt-lists-not-removed",
            f"{command_name((apt or updates)[0][0])} {what} without removing /var/lib/apt/lists")
    if apt:
        missing = [
            argv
            for argv in apt
            if "--no-install-recommends" not in argv
            and not re.search(r"APT::Install-Recommends\s*=\s*\"?(?:false|0|no)", " ".join(argv), re.IGNORECASE)
        ]
        if missing:
            add(
                "dockerfile-apt-no-install-recommends",
                f"{command_name(missing[0][0])} install without --no-install-recommends",
            )

    apk = apk_adds(run)
    if (
        any("--no-cache" not in argv for argv in apk)
        and not removes(run, "/var/cache/apk")
        and not cache_mount(run, "/var/cache/apk")
    ):
        add("dockerfile-apk-no-cache", "apk add without --no-cache")

    yum = yum_installs(run)
    if yum:
        cleaned = any(
            command_name(argv[0]) in YUM_NAMES
            and subcommand(argv, YUM_VALUE_OPTIONS)[2][:1] == ["all"]
            and subcommand(argv, YUM_VALUE_OPTIONS)[0] == "clean"
            for argv in run.commands
        )
        if not cleaned:
            add(
                "dockerfile-yum-no-clean",
                f"{command_name(yum[0][0])} install without `{command_name(yum[0][0])} clean all`",
            )

    unpinned: list[str] = []
    for argv in apt:
        packages = unpinned_os(subcommand(argv, APT_VALUE_OPTIONS)[2], "=")
        if packages:
            unpinned.append(f"{command_name(argv[0])} install {' '.join(packages)}")
    for argv in apk:
        packages = unpinned_os(subcommand(argv, APK_VALUE_OPTIONS)[2], "=~<>")
        if packages:
            unpinned.append(f"apk add {' '.join(packages)}")
    for argv in pip_installs(run):
        packages = unpinned_pip(argv)
        if packages:
            unpinned.append(f"{command_name(argv[0])} install {' '.join(packages)}")
    if unpinned:
        add("dockerfile-unpinned-package", "unpinned packages: " + "; ".join(unpinned))

    if any(
        command and command_name(_strip_assignments(command)[0]) == "sudo"
        for command in run.raw_commands
        if _strip_assignments(command)
    ):
        add("dockerfile-sudo", "RUN uses sudo")
    return hits


def _strip_assignments(command: Command) -> Command:
    index = 0
    while index < len(command) and ASSIGNMENT.match(command[index]):
        index += 1
    return command[index:]


def _check_final_stage(stages: Sequence[_Stage]) -> list[Hit]:
    if not stages:
        return []
    hits: list[Hit] = []
    final = stages[-1]
    if not _inherited(stages, "HEALTHCHECK"):
        hits.append(
            _hit("dockerfile-no-healthcheck", final.start, f"final stage (FROM {final.start.value}) has no HEALTHCHECK")
        )
    # In every stage (one may be built with --target or be the base of another), only the last CMD and the last
    # ENTRYPOINT take effect.
    for stage in stages:
        hits.extend(_overridden(stage))
    return hits


def _overridden(stage: _Stage) -> list[Hit]:
    hits: list[Hit] = []
    for keyword in ("CMD", "ENTRYPOINT"):
        found = [item for item in stage.instructions if item.keyword == keyword]
        for overridden in found[:-1]:
            hits.append(
                _hit(
                    "dockerfile-multiple-cmd-entrypoint",
                    overridden,
                    f"{keyword} on line {overridden.line} is overridden by the {keyword} on line {found[-1].line}",
                )
            )
    return hits


def check(text: str, has_dockerignore: bool = True, secret: SecretTest = literal_secret) -> list[Hit]:
    """Findings of every check in `CHECKS` for a Dockerfile's text, ordered by line (then check order); `secret`
    judges the literal values of ENV and ARG."""
    instructions = parse(text)
    stages = _stages(instructions)
    hits: list[Hit] = []
    hits.extend(_check_root(stages))
    hits.extend(_check_tags(instructions))
    per_instruction: dict[str, list[Callable[[Instruction], list[Hit]]]] = {
        "ADD": [_check_add_remote],
        "ENV": [functools.partial(_check_secrets, secret=secret)],
        "ARG": [functools.partial(_check_secrets, secret=secret)],
    }
    if not has_dockerignore:
        per_instruction["ADD"].append(_check_whole_context)
        per_instruction["COPY"] = [_check_whole_context]
    in_image = _image_stages(stages)
    for instruction in instructions:
        if instruction.keyword == "RUN":
            hits.extend(_check_run(instruction, instruction.stage in in_image))
        for func in per_instruction.get(instruction.keyword, []):
            hits.extend(func(instruction))
    hits.extend(_check_final_stage(stages))
    order = {check_id: position for position, check_id in enumerate(_CHECK_IDS)}
    return sorted(hits, key=lambda hit: (hit.line, order[hit.check], hit.end_line, hit.message))
