"""Every built-in misconfiguration check in one list, with the metadata a developer reads: id, family, severity,
title, description, remediation, references and the controls it implements; and `docs/rules/` rendered from it.

Each family carries its checks' text in its own module (`pss_text.pss_text`, the others' `CHECKS`).
`python -m shiftsec.misconfig.catalog DIR` writes the pages; `tests/misconfig/test_catalog.py --update-golden`
keeps `docs/rules/` current.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shiftsec.misconfig import compose, dockerfile, hardening, pss
from shiftsec.misconfig.pss_text import PSS_DOCS, PSS_SEVERITY, pss_text
from shiftsec.model import Severity


@dataclass(frozen=True, slots=True)
class Entry:
    """One built-in check, as documented."""

    id: str
    family: str  # "kubernetes-pss" | "kubernetes" | "dockerfile" | "compose"
    severity: Severity
    title: str
    description: str
    remediation: str
    references: tuple[str, ...]
    controls: tuple[str, ...] = ()


FAMILIES = {
    "kubernetes-pss": "Kubernetes: Pod Security Standards",
    "kubernetes": "Kubernetes: hardening",
    "dockerfile": "Dockerfile",
    "compose": "docker-compose",
}


def builtin_checks() -> tuple[Entry, ...]:
    """Every built-in check, family by family, in each family's own order."""
    out = [
        Entry(cid, "kubernetes-pss", PSS_SEVERITY[level], title, *pss_text(cid), (PSS_DOCS,),
              (f"Pod Security Standards {level}: {title}",))
        for cid, level, title in pss.CONTROLS
    ]
    out += [Entry(c.id, "kubernetes", c.severity, c.title, c.description, c.remediation, c.references)
            for c in hardening.CHECKS]
    out += [Entry(c.id, "dockerfile", Severity.parse(c.severity), c.title, c.description, c.remediation,
                  c.references) for c in dockerfile.CHECKS]
    out += [Entry(c.id, "compose", c.severity, c.title, c.description, c.remediation, c.references)
            for c in compose.CHECKS]
    return tuple(out)


def _page(family: str, entries: Iterable[Entry]) -> str:
    lines = [f"# {FAMILIES[family]}", "", "<!-- Generated from the checks' metadata by "
             "`python -m shiftsec.misconfig.catalog docs/rules`; do not edit. -->", ""]
    for entry in entries:
        lines += [f"## `{entry.id}`: {entry.title}", "", f"**Severity**: {entry.severity.name}", "",
                  entry.description, "", f"**Fix**: {entry.remediation}", ""]
        if entry.controls:
            lines += [f"**Implements**: {'; '.join(entry.controls)}", ""]
        if entry.references:
            lines += ["**References**: " + ", ".join(f"<{ref}>" for ref in entry.references), ""]
    return "\n".join(lines).rstrip() + "\n"


def render_docs() -> dict[str, str]:
    """The pages of docs/rules/: an index and one page per family."""
    entries = builtin_checks()
    pages = {f"{family}.md": _page(family, [e for e in entries if e.family == family]) for family in FAMILIES}
    index = ["# Built-in misconfiguration checks", "",
             "<!-- Generated from the checks' metadata by `python -m shiftsec.misconfig.catalog docs/rules`; do not "
             "edit. -->", "",
             f"{len(entries)} checks. Custom checks in Rego: see [../misconfiguration.md](../misconfiguration.md).",
             "", "| check | family | severity | title |", "|---|---|---|---|"]
    index += [f"| [`{e.id}`]({e.family}.md#{_anchor(e)}) | {FAMILIES[e.family]} | {e.severity.name} | {e.title} |"
              for e in entries]
    pages["README.md"] = "\n".join(index) + "\n"
    return pages


def _anchor(entry: Entry) -> str:
    """GitHub's anchor for the heading of an entry."""
    text = f"{entry.id}: {entry.title}".lower()
    return "".join(ch for ch in text.replace(" ", "-") if ch.isalnum() or ch in "-_")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m shiftsec.misconfig.catalog DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in render_docs().items():
        (folder / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
