"""Shell analysis of Dockerfile RUN instructions: the commands a script runs, split into words, with `sudo`,
`env`, `VAR=x` prefixes and `sh -c "..."` seen through, and which package managers install what.

Used by the Dockerfile checks (`dockerfile`); pure, like them.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shiftsec.misconfig.dockerfile_syntax import HEREDOC, Instruction

SHELLS = frozenset({"sh", "bash", "zsh", "ash", "dash", "ksh", "mksh", "fish"})
_SEPARATORS = frozenset({"&&", "||", ";", "&", ";;", "(", ")", "|&"})
_REDIRECTS = frozenset({">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", "&>>", ">|", "<>"})
_SHELL_WORDS = frozenset({"{", "}", "!", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time"})
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
SUBSTITUTED_FETCH = re.compile(
    r"\b(?:sh|bash|zsh|ash|dash|ksh)\b[^|;&\n]*?(?:\$\(|<\(|`)\s*(?:curl|wget)\b", re.IGNORECASE
)

Command = list[str]


def _tokens(line: str) -> list[str]:
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        return list(lexer)
    except ValueError:
        return re.findall(r"&&|\|\||[;|&()<>]|[^\s;|&()<>]+", line)


def _pipelines(script: str, depth: int = 0) -> list[list[Command]]:
    """Pipelines (lists of simple commands, each a word list) of a shell script; `sh -c` bodies are included."""
    result: list[list[Command]] = []
    for line in script.replace("\\\n", " ").split("\n"):
        pipeline: list[Command] = []
        command: Command = []
        skip_next = False
        for token in _tokens(line):
            if skip_next:
                skip_next = False
                continue
            if token in _REDIRECTS:
                skip_next = True
                continue
            if token == "|":
                pipeline.append(command)
                command = []
            elif token in _SEPARATORS:
                pipeline.append(command)
                result.append([item for item in pipeline if item])
                pipeline, command = [], []
            elif command or token not in _SHELL_WORDS:
                command.append(token)
        pipeline.append(command)
        result.append([item for item in pipeline if item])
    result = [pipeline for pipeline in result if pipeline]
    if depth < 3:
        nested: list[list[Command]] = []
        for pipeline in result:
            for item in pipeline:
                argv = _argv(item)
                if argv and command_name(argv[0]) in SHELLS and "-c" in argv[1:-1]:
                    nested.extend(_pipelines(argv[argv.index("-c", 1) + 1], depth + 1))
        result.extend(nested)
    return result


_SUDO_VALUE_OPTIONS = frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U"})


def _argv(command: Command) -> Command:
    """The command's words without leading variable assignments, `env`, or `sudo` and its options."""
    words = list(command)
    while words:
        if ASSIGNMENT.match(words[0]) or command_name(words[0]) in ("env", "nohup", "exec", "command"):
            words.pop(0)
        elif command_name(words[0]) == "sudo":
            words.pop(0)
            while words and words[0].startswith("-"):
                option = words.pop(0)
                if option in _SUDO_VALUE_OPTIONS and words:
                    words.pop(0)
        else:
            break
    return words


def command_name(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _split_options(args: Sequence[str], takes_value: frozenset[str]) -> tuple[list[str], list[str]]:
    """(options, positionals) of an argument list; option values (`-o x`, `--opt=x`) go with their option."""
    options: list[str] = []
    positionals: list[str] = []
    expect_value = False
    for arg in args:
        if expect_value:
            options.append(arg)
            expect_value = False
        elif arg.startswith("-") and arg != "-":
            options.append(arg)
            expect_value = "=" not in arg and arg in takes_value
        else:
            positionals.append(arg)
    return options, positionals


@dataclass(frozen=True, slots=True)
class RunScript:
    instruction: Instruction
    flags: tuple[str, ...]
    script: str
    commands: tuple[Command, ...]  # argv of every simple command (sudo/env stripped)
    raw_commands: tuple[Command, ...]
    pipelines: tuple[tuple[Command, ...], ...]


def _run_script(instruction: Instruction) -> tuple[tuple[str, ...], str]:
    lines = instruction.value.split("\n")
    header = lines[0].strip()
    flags: list[str] = []
    while header.startswith("--"):
        flag, _, header = header.partition(" ")
        flags.append(flag)
        header = header.strip()
    if header.startswith("["):
        try:
            loaded = json.loads(header)
        except ValueError:
            loaded = None
        if isinstance(loaded, list) and all(isinstance(item, str) for item in loaded):
            header = shlex.join(loaded)
    if len(lines) == 1:
        return tuple(flags), header
    markers = {name for _dash, _quote, name in HEREDOC.findall(header)}
    command = HEREDOC.sub(" ", header).strip()
    words = command.split()
    script = [command] if command else []
    if not words or command_name(words[0]) in SHELLS:
        script.extend(line for line in lines[1:] if line.strip() not in markers)
    return tuple(flags), "\n".join(script)


def analyse_run(instruction: Instruction) -> RunScript:
    flags, script = _run_script(instruction)
    pipelines = _pipelines(script)
    raw = tuple(command for pipeline in pipelines for command in pipeline)
    commands = tuple(argv for argv in (_argv(command) for command in raw) if argv)
    return RunScript(
        instruction, flags, script, commands, raw, tuple(tuple(_argv(c) for c in pipeline) for pipeline in pipelines)
    )


def cache_mount(run: RunScript, path: str) -> bool:
    return any(flag.startswith("--mount=") and "type=cache" in flag and path in flag for flag in run.flags)


def removes(run: RunScript, prefix: str) -> bool:
    """Whether the script runs `rm` on `prefix`, on something under it, or on a folder holding it (`rm -rf
    /var/lib/apt`); relative paths are resolved against the folder of the last `cd` to an absolute path."""
    cwd = "/"
    for argv in run.commands:
        name = command_name(argv[0])
        if name == "cd" and len(argv) > 1 and "$" not in argv[1]:
            cwd = posixpath.normpath(posixpath.join(cwd, argv[1]))
        elif name == "rm":
            for arg in argv[1:]:
                if arg.startswith("-") or "$" in arg:
                    continue
                path = posixpath.normpath(posixpath.join(cwd, arg)).rstrip("*").rstrip("/")
                if path and (path.startswith(prefix) or prefix.startswith(path + "/")):
                    return True
    return False


# Package managers: (names, install sub-commands, options taking a value).
_APT_NAMES = frozenset({"apt-get", "apt"})
APT_VALUE_OPTIONS = frozenset({"-o", "--option", "-t", "--target-release", "--default-release", "-c", "--config-file"})
APK_VALUE_OPTIONS = frozenset(
    {
        "-X",
        "--repository",
        "-t",
        "--virtual",
        "-p",
        "--root",
        "--arch",
        "--keys-dir",
        "--repositories-file",
        "--cache-dir",
        "--cache-max-age",
    }
)
YUM_NAMES = frozenset({"yum", "dnf", "microdnf"})
YUM_VALUE_OPTIONS = frozenset(
    {
        "--enablerepo",
        "--disablerepo",
        "--setopt",
        "--installroot",
        "--releasever",
        "-x",
        "--exclude",
        "-c",
        "--config",
        "--repo",
        "--repoid",
        "-d",
        "-e",
    }
)
_PIP_VALUE_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--upgrade-strategy",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--only-binary",
        "--no-binary",
        "--progress-bar",
        "--trusted-host",
        "--cache-dir",
        "--src",
        "--log",
        "--timeout",
        "--retries",
        "--proxy",
        "--cert",
        "--client-cert",
        "--global-option",
        "--install-option",
        "--config-settings",
        "-C",
        "--exists-action",
        "--report",
        "-e",
        "--editable",
    }
)
_PIP_CONSTRAINTS = frozenset({"-r", "--requirement", "-c", "--constraint"})
_PIP_NAME = re.compile(r"^pip(?:\d+(?:\.\d+)?)?$")
_PYTHON_NAME = re.compile(r"^python(?:\d+(?:\.\d+)?)?$")


def subcommand(argv: Command, takes_value: frozenset[str]) -> tuple[str, list[str], list[str]]:
    options, positionals = _split_options(argv[1:], takes_value)
    if not positionals:
        return "", options, []
    return positionals[0], options, positionals[1:]


def apt_installs(run: RunScript) -> list[Command]:
    return [
        argv
        for argv in run.commands
        if command_name(argv[0]) in _APT_NAMES and subcommand(argv, APT_VALUE_OPTIONS)[0] == "install"
    ]


def apt_updates(run: RunScript) -> list[Command]:
    return [
        argv
        for argv in run.commands
        if command_name(argv[0]) in _APT_NAMES and subcommand(argv, APT_VALUE_OPTIONS)[0] == "update"
    ]


def apk_adds(run: RunScript) -> list[Command]:
    return [
        argv
        for argv in run.commands
        if command_name(argv[0]) == "apk" and subcommand(argv, APK_VALUE_OPTIONS)[0] == "add"
    ]


def yum_installs(run: RunScript) -> list[Command]:
    return [
        argv
        for argv in run.commands
        if command_name(argv[0]) in YUM_NAMES
        and subcommand(argv, YUM_VALUE_OPTIONS)[0] in ("install", "groupinstall", "reinstall")
    ]


def pip_installs(run: RunScript) -> list[Command]:
    found: list[Command] = []
    for command in run.commands:
        argv = command
        if _PYTHON_NAME.match(command_name(argv[0])) and len(argv) > 2 and argv[1] == "-m" and _PIP_NAME.match(argv[2]):
            argv = argv[2:]
        if _PIP_NAME.match(command_name(argv[0])) and subcommand(argv, _PIP_VALUE_OPTIONS)[0] == "install":
            found.append(argv)
    return found


def unpinned_os(packages: Iterable[str], pin_marks: str) -> list[str]:
    return [
        package
        for package in packages
        if "$" not in package
        and "/" not in package
        and not package.endswith((".deb", ".apk", ".rpm"))
        and not any(mark in package for mark in pin_marks)
    ]


def unpinned_pip(argv: Command) -> list[str]:
    _sub, options, packages = subcommand(argv, _PIP_VALUE_OPTIONS)
    if any(option.split("=", 1)[0] in _PIP_CONSTRAINTS or re.match(r"^-[rc]\S", option) for option in options):
        return []
    return [
        package
        for package in packages
        if "$" not in package
        and "/" not in package
        and not package.startswith(".")
        and not package.endswith((".whl", ".tar.gz", ".zip"))
        and "==" not in package
        and "@" not in package
    ]
