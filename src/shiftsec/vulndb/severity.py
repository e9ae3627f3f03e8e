"""The severity of an advisory: computed from its CVSS vectors, else taken from the database's own rating.

Order of preference, the first that yields a rating wins:
1. a CVSS v3.x vector (what NVD, GitHub and most peers display), then v4.0, then v2 — record level first,
   then the affected entries' own `severity`;
2. the source's own word: `database_specific.severity` (GitHub: LOW/MODERATE/HIGH/CRITICAL), or a numeric
   `cvss_v3`/`cvss_v2` score some converters keep there;
3. UNKNOWN.
Scores are computed with the `cvss` library (RedHatProductSecurity/cvss), never parsed from text.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from shiftsec.model import Advisory, Severity, SeverityScore

_ORDER = {"CVSS_V3": 0, "CVSS_V4": 1, "CVSS_V2": 2}


@dataclass(frozen=True, slots=True)
class Rating:
    severity: Severity
    score: float | None = None
    vector: str | None = None


def score_vector(kind: str, vector: str) -> float | None:
    """Base score of one CVSS vector, or None when the vector is malformed or of an unknown kind."""
    try:
        if kind == "CVSS_V3":
            return float(CVSS3(vector).base_score)
        if kind == "CVSS_V4":
            return float(CVSS4(vector).base_score)
        if kind == "CVSS_V2":
            return float(CVSS2(vector).base_score)
    except (CVSSError, ValueError, KeyError, IndexError, TypeError, ZeroDivisionError):
        return None
    return None


def _from_scores(scores: tuple[SeverityScore, ...]) -> Rating | None:
    for item in sorted((s for s in scores if s.type in _ORDER), key=lambda s: _ORDER[s.type]):
        score = score_vector(item.type, item.score)
        if score is not None:
            return Rating(Severity.from_score(score), score, item.score)
    return None


def rate(advisory: Advisory) -> Rating:
    """The severity of `advisory` (see the module docstring for the order of sources)."""
    found = _from_scores(advisory.severity)
    if found:
        return found
    for affected in advisory.affected:
        found = _from_scores(affected.severity)
        if found:
            return found
    own = advisory.database_specific.get("severity")
    if isinstance(own, str):
        try:
            return Rating(Severity.parse(own))
        except ValueError:
            pass
    for key in ("cvss_v3", "cvss_v2"):
        value = advisory.database_specific.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Rating(Severity.from_score(float(value)), float(value))
    return Rating(Severity.UNKNOWN)
