"""A Dockerfile as the document custom Rego checks receive, in the shape Trivy gives its Dockerfile checks.

    {"Stages": [{"Name": "golang:1.22 AS build",
                 "Commands": [{"Cmd": "from", "SubCmd": "", "Flags": [], "Value": ["golang:1.22", "AS", "build"],
                               "Original": "FROM golang:1.22 AS build", "JSON": false, "Stage": 0,
                               "Path": "Dockerfile", "StartLine": 1, "EndLine": 1}]}]}

`Cmd` is the lower-case keyword; `Flags` the leading `--name=value` options (`COPY --from=build`); `Value` the
arguments as BuildKit splits them: the JSON array of the exec form; the whole command line for the shell form
of RUN, CMD, ENTRYPOINT and SHELL; name/value pairs flattened for ENV and LABEL; otherwise the
whitespace-separated words. Instructions before the first FROM (global ARGs) are left out, as Trivy does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from shiftsec.misconfig.dockerfile_syntax import Instruction, parse

_WHOLE_LINE = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL"})
_PAIRS = frozenset({"ENV", "LABEL"})
_FLAG = re.compile(r"--[A-Za-z][\w-]*(?:=\S*)?")
_PAIR = re.compile(r"""([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")


def _exec_form(value: str) -> list[str] | None:
    if not value.startswith("["):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return [str(item) for item in parsed] if isinstance(parsed, list) else None


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _command(instruction: Instruction, stage: int, path: str) -> dict[str, Any]:
    value = instruction.value
    flags: list[str] = []
    while True:
        match = _FLAG.match(value)
        if match is None or instruction.keyword in ("CMD", "ENTRYPOINT", "SHELL"):
            break
        flags.append(match.group(0))
        value = value[match.end():].lstrip()
    exec_form = _exec_form(value)
    words: list[str]
    if exec_form is not None:
        words = exec_form
    elif instruction.keyword in _WHOLE_LINE:
        words = [value]
    elif instruction.keyword in _PAIRS:
        pairs = _PAIR.findall(value)
        if pairs:
            words = [part for name, raw in pairs for part in (name, _unquote(raw))]
        else:  # the old `ENV NAME value` form
            name, _, rest = value.partition(" ")
            words = [name, rest.strip()]
    else:
        words = value.split()
    original = f"{instruction.keyword} {instruction.value}".strip()
    return {
        "Cmd": instruction.keyword.lower(),
        "SubCmd": "",
        "Flags": flags,
        "Value": words,
        "Original": original,
        "JSON": exec_form is not None,
        "Stage": stage,
        "Path": path,
        "StartLine": instruction.line,
        "EndLine": instruction.end_line,
    }


def dockerfile_input(text: str, path: str) -> dict[str, Any]:
    """The Trivy-shaped document for a Dockerfile's text (`path` as it should appear in `Path`)."""
    stages: list[dict[str, Any]] = []
    for instruction in parse(text):
        if instruction.stage < 0:
            continue
        if instruction.keyword == "FROM":
            stages.append({"Name": instruction.value, "Commands": []})
        stages[-1]["Commands"].append(_command(instruction, instruction.stage, path))
    return {"Stages": stages}
