"""Advisory severity: CVSS vectors computed by the cvss library, else the source's own rating."""

from __future__ import annotations

from typing import Any

import pytest

from shiftsec.model import Advisory, Affected, Severity, SeverityScore
from shiftsec.vulndb.severity import rate

V3_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
V3_MEDIUM = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"  # 5.4
V4_HIGH = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"  # 8.7
V2 = "AV:N/AC:L/Au:N/C:P/I:P/A:P"  # 7.5


def _adv(*scores: tuple[str, str], affected_scores: tuple[tuple[str, str], ...] = (), **db: Any) -> Advisory:
    return Advisory(
        id="X-1",
        modified="2024-01-01T00:00:00Z",
        severity=tuple(SeverityScore(kind, score) for kind, score in scores),
        affected=(Affected("PyPI", "x", severity=tuple(SeverityScore(k, s) for k, s in affected_scores)),),
        database_specific=db,
    )


CASES = [
    ("v3 vector", _adv(("CVSS_V3", V3_CRITICAL)), Severity.CRITICAL, 9.8),
    ("v3 preferred over v4", _adv(("CVSS_V4", V4_HIGH), ("CVSS_V3", V3_MEDIUM)), Severity.MEDIUM, 5.4),
    ("v4 alone", _adv(("CVSS_V4", V4_HIGH)), Severity.HIGH, 8.7),
    ("v2 alone", _adv(("CVSS_V2", V2)), Severity.HIGH, 7.5),
    ("malformed vector falls through", _adv(("CVSS_V3", "CVSS:3.1/AV:Q"), ("CVSS_V2", V2)), Severity.HIGH, 7.5),
    ("affected-level vector", _adv(affected_scores=(("CVSS_V3", V3_MEDIUM),)), Severity.MEDIUM, 5.4),
    ("GitHub's word", _adv(severity="MODERATE"), Severity.MEDIUM, None),
    ("numeric cvss_v3 kept by a converter", _adv(cvss_v3=7.5), Severity.HIGH, 7.5),
    ("unknown word", _adv(severity="whatever"), Severity.UNKNOWN, None),
    ("nothing", _adv(), Severity.UNKNOWN, None),
]


@pytest.mark.parametrize(("advisory", "severity", "score"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rate(advisory: Advisory, severity: Severity, score: float | None) -> None:
    rating = rate(advisory)
    assert (rating.severity, rating.score) == (severity, score)
