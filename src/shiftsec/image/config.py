"""The image config as a scan target: the Dockerfile checks over the instructions its history records, and the
secret rules over its ENV, labels and history commands.

An image's config keeps, for each build step, the instruction that made it (`history[].created_by`): the
classic builder writes `/bin/sh -c #(nop)  CMD ["sh"]` for metadata steps and `/bin/sh -c apt-get …` for RUN;
BuildKit writes `RUN /bin/sh -c apt-get … # buildkit`, `COPY . . # buildkit`, `ENV K=V`. These are turned back
into a Dockerfile (after `FROM scratch`: the base image's name is not recorded), with the config's final
`USER` and `HEALTHCHECK` made explicit, and checked like any Dockerfile (as Trivy does for image configs).
Findings point at `(image config)` and the 1-based history step, with the layer that step created.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from shiftsec.image.source import ImageMeta
from shiftsec.model import Finding, FindingType, Layer, Location, Severity

__all__ = ["CONFIG_PATH", "config_findings", "history_dockerfile"]

CONFIG_PATH = "(image config)"
_NOP = re.compile(r"^/bin/(?:ba)?sh -c #\(nop\)\s*")
_SHELL = re.compile(r"^(?:\|\d+(?: \S+=\S*)* )?/bin/(?:ba)?sh -c ")
_BUILDKIT = re.compile(r"\s*# buildkit\s*$")
_KEYWORDS = frozenset({"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL",
                       "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"})
# Checks that judge the Dockerfile's text rather than the image: the base image's tag is not recorded in the
# config, and the build context is gone.
_NOT_FOR_IMAGES = frozenset({"dockerfile-latest-tag", "dockerfile-copy-whole-context"})


def _instruction(created_by: str) -> str | None:
    text = _BUILDKIT.sub("", created_by.strip())
    if not text:
        return None
    nop = _NOP.match(text)
    if nop is not None:
        rest = text[nop.end():].strip()
        return rest if rest.split(" ", 1)[0].upper() in _KEYWORDS else None
    shell = _SHELL.match(text)
    if shell is not None:
        return "RUN " + text[shell.end():]
    keyword = text.split(" ", 1)[0]
    if keyword in _KEYWORDS:
        if keyword == "RUN":
            body = text[4:]
            inner = _SHELL.match(body)
            return "RUN " + (body[inner.end():] if inner else body)
        return text
    return None


def _history(meta: ImageMeta) -> list[Mapping[str, Any]]:
    history = meta.config.get("history")
    return [h for h in history if isinstance(h, Mapping)] if isinstance(history, list) else []


def history_dockerfile(meta: ImageMeta) -> tuple[str, dict[int, int]]:
    """The Dockerfile the history records, and for each of its lines the 1-based history step."""
    lines = ["FROM scratch"]
    steps: dict[int, int] = {}
    for step, entry in enumerate(_history(meta), 1):
        instruction = _instruction(str(entry.get("created_by", "")))
        if instruction is None:
            continue
        for part in instruction.replace("\r", "").split("\n"):
            lines.append(part if part.strip() else "#")
            steps[len(lines)] = step
        if instruction.rstrip().endswith("\\"):
            lines.append("#")
    config = meta.config.get("config") if isinstance(meta.config.get("config"), Mapping) else {}
    user = str(config.get("User") or "") if isinstance(config, Mapping) else ""
    if user:
        lines.append(f"USER {user}")
    healthcheck = config.get("Healthcheck") if isinstance(config, Mapping) else None
    if isinstance(healthcheck, Mapping) and healthcheck.get("Test") and healthcheck["Test"] != ["NONE"]:
        lines.append("HEALTHCHECK CMD " + json.dumps(healthcheck["Test"][1:] if len(healthcheck["Test"]) > 1
                                                      else healthcheck["Test"]))
    return "\n".join(lines) + "\n", steps


def _layer_of_step(meta: ImageMeta) -> dict[int, Layer]:
    """Each non-empty history step's layer (history steps marked empty_layer make none)."""
    out: dict[int, Layer] = {}
    layers = iter(meta.layers)
    for step, entry in enumerate(_history(meta), 1):
        if entry.get("empty_layer"):
            continue
        ref = next(layers, None)
        if ref is None:
            break
        out[step] = Layer(ref.digest, ref.diff_id, ref.created_by)
    return out


def config_findings(meta: ImageMeta, engine: Any, rules: Mapping[str, Any]) -> list[Finding]:
    """The Dockerfile checks over the recorded history, and secrets in ENV, labels and history."""
    from shiftsec.misconfig import dockerfile
    from shiftsec.model import fingerprint

    text, steps = history_dockerfile(meta)
    by_step = _layer_of_step(meta)
    out: list[Finding] = []
    for hit in dockerfile.check(text, has_dockerignore=True):
        if hit.check in _NOT_FOR_IMAGES:
            continue
        check = dockerfile.BY_ID[hit.check]
        step = steps.get(hit.line)
        message = hit.message.replace("final stage (FROM scratch)", "the image")
        out.append(Finding(
            type=FindingType.MISCONFIG,
            rule_id=check.id,
            severity=Severity.parse(check.severity),
            title=check.title,
            message=message + (f" (history step {step})" if step else " (image config)"),
            fingerprint=fingerprint("misconfig", check.id, CONFIG_PATH, message),
            location=Location(CONFIG_PATH, step, layer=by_step.get(step) if step else None),
            remediation=check.remediation,
            references=check.references,
            description=check.description,
        ))
    if engine is not None:
        out.extend(_config_secrets(meta, engine, rules, by_step))
    return out


def _config_secrets(meta: ImageMeta, engine: Any, rules: Mapping[str, Any], by_step: Mapping[int, Layer]
                    ) -> list[Finding]:
    """The secret rules over `ENV K=V` and `LABEL k=v` lines and every history command."""
    from dataclasses import replace

    from shiftsec.scanners.secrets import findings_for

    config = meta.config.get("config") if isinstance(meta.config.get("config"), Mapping) else {}
    lines: list[str] = []
    origin: list[int | None] = []
    env = config.get("Env") if isinstance(config, Mapping) else None
    for item in env if isinstance(env, list) else []:
        lines.append(f"ENV {item}")
        origin.append(None)
    labels = config.get("Labels") if isinstance(config, Mapping) else None
    for key, value in (labels.items() if isinstance(labels, Mapping) else []):
        lines.append(f"LABEL {key}={value}")
        origin.append(None)
    for step, entry in enumerate(_history(meta), 1):
        for part in str(entry.get("created_by", "")).splitlines() or [""]:
            lines.append(part)
            origin.append(step)
    data = ("\n".join(lines) + "\n").encode("utf-8", "replace")
    out = []
    for finding in findings_for(engine.scan(data, CONFIG_PATH), dict(rules), CONFIG_PATH, data):
        line = finding.location.line if finding.location else None
        origin_step = origin[line - 1] if line is not None and 0 < line <= len(origin) else None
        where = f"history step {origin_step}" if origin_step else ("ENV or LABEL" if line else "config")
        out.append(replace(finding, message=finding.message.replace(f"{CONFIG_PATH} line {line}", where),
                           location=Location(CONFIG_PATH, origin_step,
                                             layer=by_step.get(origin_step) if origin_step else None)))
    return out
