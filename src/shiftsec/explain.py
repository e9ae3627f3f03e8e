"""`shiftsec explain ID`: the text behind every finding, looked up by the id a report shows.

This module owns resolving an identifier to what it names and assembling an `Explanation` from the metadata
that already exists; it writes no rule text of its own beyond the glue of a sentence. Resolution, in order
(case-insensitive):

1. a built-in misconfiguration check (`misconfig.catalog.builtin_checks()`: Pod Security Standards controls,
   Kubernetes hardening, Dockerfile and compose checks — every id in `docs/rules/`), with the very description,
   remediation and references the reports use;
2. a built-in secret rule (`secrets.rules.default_rules()`): its title, provider, remediation, keywords, path;
3. an advisory in the database, by id or by alias (GHSA-…, CVE-…, PYSEC-…, GO-…, RUSTSEC-…). When several
   advisories carry the id, the first by `ADVISORY_PREFERENCE` (GHSA-, then PYSEC-, GO-, RUSTSEC-, then any
   other; live before withdrawn, then alphabetical) is explained and the others are listed in `extra`.

The database is opened only for step 3, so explaining a rule works without one. `render_text` and `to_dict`
format an `Explanation` for the terminal and for `--format json`.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiftsec.errors import InputError, InvalidRecord
from shiftsec.misconfig.catalog import FAMILIES, Entry, builtin_checks
from shiftsec.misconfig.pss import CONTROLS as PSS_CONTROLS
from shiftsec.model import Advisory, Affected, Range, Severity
from shiftsec.secrets.api import Rule
from shiftsec.secrets.rules import default_rules
from shiftsec.vulndb import versions
from shiftsec.vulndb.osv import parse_advisory
from shiftsec.vulndb.store import AdvisoryRow, Store, default_path

__all__ = ["ADVISORY_PREFERENCE", "KINDS", "Explanation", "explain", "render_text", "to_dict"]

KINDS = ("advisory", "secret-rule", "misconfig-check", "pss-control")
# Which advisory to explain when several carry the asked id (see the module docstring).
ADVISORY_PREFERENCE = ("GHSA-", "PYSEC-", "GO-", "RUSTSEC-")
DETAILS_LIMIT = 2000  # characters of an advisory's details kept (whole paragraphs, then a cut sentence)
_PSS_LEVEL = {cid: level for cid, level, _title in PSS_CONTROLS}
_URL = re.compile(r"https?://[^\s)<>\"']+")


@dataclass(frozen=True, slots=True)
class Explanation:
    """What an id names, why it matters and how to fix it. `kind` is one of `KINDS`; `severity` a `Severity`
    name (None when unknown); `extra` holds (label, value) facts such as affected packages or a rule's keywords;
    `source` says where the text came from."""

    id: str
    kind: str
    title: str
    severity: str | None
    what: str
    why: str
    fix: str
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    source: str = ""


def explain(identifier: str, db_path: Path | None) -> Explanation:
    """Explain a check id, a secret rule id or an advisory id/alias (see the module docstring for the order).

    `db_path` None means the default database (`vulndb.store.default_path()`). Raises `InputError` for an
    unknown id and `DatabaseError` when the id is no rule and the database is missing or unusable."""
    wanted = identifier.strip()
    if not wanted:
        raise InputError("no id to explain", hint="give a rule id (see docs/rules/) or an advisory id")
    key = wanted.lower()
    check = _checks().get(key)
    if check is not None:
        return _from_check(check)
    rule = _secret_rules().get(key)
    if rule is not None:
        return _from_secret_rule(rule)
    path = db_path or default_path()
    with Store.open(path) as store:
        found = _from_database(store, wanted, path)
    if found is None:
        raise InputError(
            f"{wanted}: not a rule id, nor an advisory in the database at {path}",
            hint="rule ids are listed in docs/rules/ and docs/secret-rules.md; `shiftsec db update` or "
                 "`shiftsec db import PATH` to get advisories",
        )
    return found


# --- misconfiguration checks ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _checks() -> dict[str, Entry]:
    return {entry.id.lower(): entry for entry in builtin_checks()}


def _from_check(entry: Entry) -> Explanation:
    pss = entry.family == "kubernetes-pss"
    why = f"Severity {entry.severity.name}"
    why += f": a breach of {'; '.join(entry.controls)}." if entry.controls else f" ({FAMILIES[entry.family]} check)."
    extra = [("Family", FAMILIES[entry.family])]
    if pss:
        extra.append(("Pod Security Standards level", _PSS_LEVEL[entry.id]))
    return Explanation(
        id=entry.id,
        kind="pss-control" if pss else "misconfig-check",
        title=entry.title,
        severity=entry.severity.name,
        what=entry.description,
        why=why,
        fix=entry.remediation,
        references=entry.references,
        extra=tuple(extra),
        source=f"built-in check ({FAMILIES[entry.family]}; docs/rules/{entry.family}.md)",
    )


# --- secret rules -----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _secret_rules() -> dict[str, Rule]:
    return {rule.id.lower(): rule for rule in default_rules()}


def _from_secret_rule(rule: Rule) -> Explanation:
    category = rule.tags[0] if rule.tags else None
    what = f"{rule.title}: a credential issued by {rule.provider}"
    what += f" (category: {category})." if category else "."
    what += (" shiftsec reports it where a file, or a commit, holds one written literally; the report carries "
             "a redacted form and its SHA-256, never the value.")
    why = (f"Severity {rule.severity.name}. Whoever can read the file — the repository and its history, CI logs, "
           f"a built image — can use the credential as its owner until it is revoked at {rule.provider}.")
    extra = [("Provider", rule.provider)]
    if rule.tags:
        extra.append(("Tags", ", ".join(rule.tags)))
    extra.append(("Files searched", f"paths matching {rule.path}" if rule.path else "every text file"))
    extra.append(("Keywords", ", ".join(rule.keywords) if rule.keywords
                  else "none: every file is searched with the pattern"))
    if rule.entropy is not None:
        extra.append(("Minimum entropy", f"{rule.entropy:g} bits per character"))
    return Explanation(
        id=rule.id,
        kind="secret-rule",
        title=rule.title,
        severity=rule.severity.name,
        what=what,
        why=why,
        fix=rule.remediation,
        references=tuple(dict.fromkeys(url.rstrip(".,;") for url in _URL.findall(rule.remediation))),
        extra=tuple(extra),
        source="built-in rule (secrets/rules/default.toml; docs/secret-rules.md)",
    )


# --- advisories -------------------------------------------------------------------------------------------


def _matching_ids(store: Store, wanted: str) -> tuple[list[str], list[str]]:
    """(advisory ids equal to `wanted`, ids of advisories carrying `wanted` as an alias), case-insensitively."""
    conn = store.conn
    direct = [str(r[0]) for r in conn.execute("SELECT id FROM advisories WHERE id = ?", (wanted,))]
    if not direct:
        direct = [str(r[0]) for r in conn.execute("SELECT id FROM advisories WHERE id = ? COLLATE NOCASE",
                                                  (wanted,))]
    # `aliases` is a JSON list of strings; LIKE narrows (case-insensitive for ASCII), json.loads decides.
    pattern = "%" + json.dumps(wanted).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    carriers = []
    for adv_id, aliases in conn.execute("SELECT id, aliases FROM advisories WHERE aliases LIKE ? ESCAPE '\\'",
                                        (pattern,)):
        if any(str(a).lower() == wanted.lower() for a in json.loads(aliases)):
            carriers.append(str(adv_id))
    return direct, [i for i in carriers if i not in direct]


def _preference(row: AdvisoryRow) -> tuple[bool, int, str]:
    rank = next((n for n, prefix in enumerate(ADVISORY_PREFERENCE) if row.id.upper().startswith(prefix)),
                len(ADVISORY_PREFERENCE))
    return row.withdrawn is not None, rank, row.id


def _from_database(store: Store, wanted: str, path: Path) -> Explanation | None:
    direct, carriers = _matching_ids(store, wanted)
    rows = store.advisories([*direct, *carriers])
    if not rows:
        return None
    if direct:
        chosen = rows[direct[0]]
        others = sorted((rows[i] for i in carriers if i in rows), key=_preference)
    else:
        ranked = sorted(rows.values(), key=_preference)
        chosen, others = ranked[0], ranked[1:]
    text = store.record(chosen.id)
    if text is None:  # removed between the two queries
        return None
    try:
        advisory = parse_advisory(json.loads(text))
    except (ValueError, InvalidRecord):
        advisory = Advisory(id=chosen.id, modified="", summary=chosen.summary)
    source_row = store.conn.execute("SELECT source FROM advisories WHERE id = ?", (chosen.id,)).fetchone()
    return _from_advisory(store, advisory, chosen, others, wanted, path, str(source_row[0]) if source_row else "")


def _from_advisory(store: Store, advisory: Advisory, row: AdvisoryRow, others: list[AdvisoryRow], wanted: str,
                   path: Path, origin: str) -> Explanation:
    all_ids = [advisory.id, *advisory.aliases, *(o.id for o in others)]
    severity = Severity(row.severity)
    extra: list[tuple[str, str]] = []
    if wanted.lower() != advisory.id.lower():
        extra.append(("Asked for", f"{wanted} (an alias of {advisory.id})"))
    if others:
        extra.append(("Also in the database", ", ".join(o.id for o in others)))
    for affected in advisory.affected:
        if affected.name:
            extra.append(("Affected", f"{affected.name} ({affected.ecosystem}): {_affected_versions(affected)}"))
    cwes = advisory.database_specific.get("cwe_ids")
    if isinstance(cwes, list) and cwes:
        extra.append(("CWE", ", ".join(str(c) for c in cwes)))
    if advisory.published:
        extra.append(("Published", advisory.published))
    if advisory.modified:
        extra.append(("Modified", advisory.modified))
    if advisory.withdrawn:
        extra.append(("Withdrawn", advisory.withdrawn))
    return Explanation(
        id=advisory.id,
        kind="advisory",
        title=advisory.summary or row.summary or _first_line(advisory.details) or advisory.id,
        severity=None if severity is Severity.UNKNOWN else severity.name,
        what=_trim(advisory.details) or advisory.summary or "The advisory has no description.",
        why=_why(store, row, severity, all_ids),
        fix=_fix(advisory),
        references=tuple(dict.fromkeys(ref.url for ref in advisory.references if ref.url)),
        aliases=tuple(dict.fromkeys(a for a in (*advisory.aliases, *(o.id for o in others)) if a != advisory.id)),
        extra=tuple(extra),
        source=f"advisory database ({advisory.id}, from {origin or 'unknown source'}) at {path}",
    )


def _why(store: Store, row: AdvisoryRow, severity: Severity, ids: Iterable[str]) -> str:
    parts = [f"Severity {severity.name}" if severity is not Severity.UNKNOWN else "Severity unknown"]
    if row.cvss_score is not None:
        parts[0] += f": CVSS {row.cvss_score:.1f}" + (f" ({row.cvss_vector})" if row.cvss_vector else "")
    parts[0] += "."
    cves = sorted({i.upper() for i in ids if i.upper().startswith("CVE-")})
    facts = store.exploit_facts(cves)
    kev, epss = facts.lookup(cves)
    if kev:
        entries = store.kev_entries(cves)
        listed = [entries[c] for c in cves if c in entries]
        when = ", ".join(f"{e.cve} added {e.date_added}" for e in listed if e.date_added)
        parts.append("Known to be exploited: listed in CISA's KEV catalogue" + (f" ({when})" if when else "")
                     + ("; used in ransomware campaigns" if any(e.ransomware for e in listed) else "") + ".")
    elif kev is False and cves:
        parts.append("Not in CISA's KEV catalogue of known exploited vulnerabilities.")
    if epss is not None:
        parts.append(f"EPSS: {epss * 100:.1f}% probability of exploitation in the next 30 days.")
    if row.withdrawn:
        parts.append(f"The advisory was withdrawn on {row.withdrawn}: scans no longer report it.")
    return " ".join(parts)


def _ordered(ecosystem: str, values: Iterable[str]) -> list[str]:
    def compare(a: str, b: str) -> int:
        return versions.compare(ecosystem, a, b)

    return sorted(set(values), key=functools.cmp_to_key(compare))


def _fix(advisory: Advisory) -> str:
    lines: list[str] = []
    for affected in advisory.affected:
        if not affected.name:
            commits = [(r.repo, e.value) for r in affected.ranges for e in r.events if e.kind == "fixed"]
            lines += [f"Update {repo} to include commit {sha} or later." for repo, sha in commits if repo]
            continue
        who = f"{affected.name} ({affected.ecosystem})"
        ordered = [r for r in affected.ranges if r.type != "GIT"]
        fixed = _ordered(affected.ecosystem, (e.value for r in ordered for e in r.events if e.kind == "fixed"))
        open_ended = any(not any(e.kind in ("fixed", "limit") for e in r.events) for r in ordered) or (
            not ordered and bool(affected.versions))
        if len(fixed) == 1:
            line = f"Upgrade {who} to {fixed[0]} or later."
        elif fixed:
            line = f"Upgrade {who} to one of {', '.join(fixed)} (or later in the same release line)."
        else:
            line = f"No fixed version of {who} is known; consider removing or replacing it."
        if fixed and open_ended:
            line += " Some affected versions have no fix yet."
        lines.append(line)
    lines = list(dict.fromkeys(lines))
    if not lines:
        return "The advisory names no fixed version; read its references."
    return lines[0] if len(lines) == 1 else "\n".join(f"- {line}" for line in lines)


def _range_text(rng: Range) -> list[str]:
    spans, start = [], None
    for event in rng.events:
        if event.kind == "introduced":
            start = event.value
        elif event.kind in ("fixed", "last_affected", "limit"):
            op = "<=" if event.kind == "last_affected" else "<"
            low = f">= {start}, " if start not in (None, "0") else ""
            spans.append(f"{low}{op} {event.value}")
            start = None
    if start is not None:
        spans.append(f">= {start}" if start != "0" else "every version")
    return spans


def _affected_versions(affected: Affected) -> str:
    spans = [s for r in affected.ranges if r.type != "GIT" for s in _range_text(r)]
    if spans:
        return "; ".join(spans)
    if affected.versions:
        listed = _ordered(affected.ecosystem, affected.versions)
        shown = ", ".join(listed[:10])
        return f"versions {shown}" + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")
    return "see the advisory"


def _first_line(text: str, limit: int = 120) -> str:
    """The first sentence of `text` (a title for an advisory without a summary), at most `limit` characters."""
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _trim(details: str, limit: int = DETAILS_LIMIT) -> str:
    """`details` with its paragraphs, cut after the last whole paragraph (or sentence) within `limit`."""
    text = details.strip().replace("\r\n", "\n")
    if len(text) <= limit:
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    kept: list[str] = []
    for paragraph in paragraphs:
        if len("\n\n".join([*kept, paragraph])) > limit:
            break
        kept.append(paragraph)
    if not kept:
        head = paragraphs[0][:limit]
        cut = head.rfind(". ")
        kept = [head[: cut + 1] if cut > limit // 2 else head.rstrip() + "…"]
    return "\n\n".join(kept) + "\n\n[…] (the full text is in the advisory's references)"


# --- output -----------------------------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _wrap(text: str, width: int, indent: str = "  ") -> list[str]:
    """Wrap `text`: paragraphs (blank-line separated) kept, list items and code blocks kept as lines."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        if out:
            out.append("")
        lines = block.splitlines()
        if block.startswith(("```", "    ", "\t")):
            out += [indent + line for line in lines]
            continue
        pending: list[str] = []
        items: list[str] = []
        for line in lines:
            if _LIST_ITEM.match(line) or not pending:
                if pending:
                    items.append(" ".join(pending))
                pending = [line.strip()]
            else:
                pending.append(line.strip())
        if pending:
            items.append(" ".join(pending))
        for item in items:
            marker = _LIST_ITEM.match(item)
            hang = " " * (len(marker.group(0)) if marker else 0)
            out += textwrap.wrap(item, width=max(width - len(indent), 20), initial_indent=indent,
                                 subsequent_indent=indent + hang, break_long_words=False, break_on_hyphens=False)
    return out


def render_text(explanation: Explanation, width: int = 100) -> str:
    """Plain text for a terminal: a heading, then "What it is", "Why it matters", "How to fix it", "References"
    and the extra facts, wrapped at `width`."""
    e = explanation
    head = textwrap.wrap(f"{e.id}: {e.title}", width=width, subsequent_indent="  ", break_long_words=False,
                         break_on_hyphens=False)
    facts = [e.kind] + ([f"severity {e.severity}"] if e.severity else [])
    head += textwrap.wrap(" · ".join(facts) + f" · source: {e.source}", width=width, break_long_words=False,
                          break_on_hyphens=False, subsequent_indent="  ")
    if e.aliases:
        head += textwrap.wrap("Aliases: " + ", ".join(e.aliases), width=width, subsequent_indent="  ")
    lines = [*head, ""]
    for heading, body in (("What it is", e.what), ("Why it matters", e.why), ("How to fix it", e.fix)):
        lines += [heading, *_wrap(body, width), ""]
    if e.references:
        lines += ["References", *(f"  - {url}" for url in e.references), ""]
    if e.extra:
        lines.append("Details")
        for label, value in e.extra:
            lines += textwrap.wrap(f"{label}: {value}", width=width, initial_indent="  ", subsequent_indent="    ",
                                   break_long_words=False, break_on_hyphens=False)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_dict(explanation: Explanation) -> dict[str, Any]:
    """The explanation as JSON-ready data (`--format json`)."""
    e = explanation
    return {
        "id": e.id,
        "kind": e.kind,
        "title": e.title,
        "severity": e.severity,
        "what": e.what,
        "why": e.why,
        "fix": e.fix,
        "references": list(e.references),
        "aliases": list(e.aliases),
        "extra": [{"label": label, "value": value} for label, value in e.extra],
        "source": e.source,
    }
