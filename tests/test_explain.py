"""`shiftsec.explain`: one id of each kind, alias resolution in a database built from real advisories, the
misses, and every built-in check and secret rule explained from its own metadata."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from shiftsec.errors import DatabaseError, InputError
from shiftsec.explain import KINDS, Explanation, explain, render_text, to_dict
from shiftsec.misconfig.catalog import builtin_checks
from shiftsec.misconfig.pss_text import PSS_DOCS
from shiftsec.secrets.rules import default_rules
from shiftsec.vulndb.importing import import_paths
from shiftsec.vulndb.store import Store
from tests.conftest import shared

RECORDS = (
    ("advisories", "pypa", "vulns", "requests", "PYSEC-2023-74.yaml"),  # aliases CVE-2023-32681, GHSA-j8r2-…
    ("advisories", "pypa", "vulns", "protobuf", "PYSEC-2022-48.yaml"),  # CVE-2021-22570, also in the GHSA below
    ("advisories", "ghsa-maven-subset", "vulns", "GHSA-77rm-9x9h-xj3g.json"),
    ("advisories", "ghsa-maven-subset", "vulns", "GHSA-2268-98wh-qfhf.json"),  # alias CVE-2023-50572
)
KEV_FIXTURE = Path(__file__).parent / "vulndb" / "fixtures" / "known_exploited_vulnerabilities.json"
# A made-up EPSS score for a real CVE: only the plumbing from the epss table to the text is under test.
EPSS_TEXT = ("#model_version:v2025.03.14,score_date:2026-11-22T00:00:00+0000\ncve,epss,percentile\n"
             "CVE-2023-50572,0.01234,0.5\n")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("explain")
    inputs = folder / "inputs"
    inputs.mkdir()
    for parts in RECORDS:
        source = shared(*parts)
        shutil.copy(source, inputs / source.name)
    shutil.copy(KEV_FIXTURE, inputs / KEV_FIXTURE.name)
    (inputs / "epss_scores-2026-11-22.csv").write_text(EPSS_TEXT, encoding="utf-8")
    path = folder / "db.sqlite"
    with Store.open(path, create=True) as store:
        result = import_paths(store, [inputs], workers=1)
        assert result.errors == []
        assert store.count() == len(RECORDS)
    yield path


# (asked, id, kind, severity, words in `what`, words in `fix`, a reference, an extra label)
CASES = [
    ("pss-privileged", "pss-privileged", "pss-control", "HIGH", "privileged container",
     "securityContext.privileged", PSS_DOCS, "Pod Security Standards level"),
    ("k8s-memory-limit", "k8s-memory-limit", "misconfig-check", "MEDIUM", "memory limit",
     "resources.limits.memory", "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
     "Family"),
    ("dockerfile-root-user", "dockerfile-root-user", "misconfig-check", "HIGH", "USER",
     "unprivileged user", "https://github.com/hadolint/hadolint/wiki/DL3002", "Family"),
    ("compose-docker-socket", "compose-docker-socket", "misconfig-check", "CRITICAL", "Docker socket",
     "/var/run/docker.sock", "https://docs.docker.com/reference/compose-file/services/", "Family"),
    ("aws-access-key-id", "aws-access-key-id", "secret-rule", "CRITICAL", "AWS access key ID",
     "AWS IAM console", "https://console.aws.amazon.com/iam/home#/security_credentials", "Keywords"),
    ("GHSA-2268-98wh-qfhf", "GHSA-2268-98wh-qfhf", "advisory", "MEDIUM", "GroovyEngine.execute",
     "Upgrade org.jline:jline-parent (Maven) to 3.25.0 or later.", "https://github.com/jline/jline3/issues/909",
     "Affected"),
    ("CVE-2023-50572", "GHSA-2268-98wh-qfhf", "advisory", "MEDIUM", "out of memory",
     "3.25.0 or later", "https://nvd.nist.gov/vuln/detail/CVE-2023-50572", "Asked for"),
    ("CVE-2023-32681", "PYSEC-2023-74", "advisory", None, "Proxy-Authorization",
     "Upgrade requests (PyPI) to 2.31.0 or later.", "https://github.com/psf/requests/releases/tag/v2.31.0",
     "Affected"),
]


@pytest.mark.parametrize(("asked", "ident", "kind", "severity", "what", "fix", "reference", "label"), CASES,
                         ids=[c[0] for c in CASES])
def test_one_id_of_each_kind(db: Path, asked: str, ident: str, kind: str, severity: str | None, what: str,
                             fix: str, reference: str, label: str) -> None:
    found = explain(asked, db)
    assert (found.id, found.kind, found.severity) == (ident, kind, severity)
    assert what in found.what
    assert fix in found.fix
    assert reference in found.references
    assert label in dict(found.extra)
    assert found.title and found.why and found.source
    text = render_text(found)
    for heading in ("What it is", "Why it matters", "How to fix it", "References"):
        assert f"\n{heading}\n" in text
    assert json.loads(json.dumps(to_dict(found)))["id"] == ident


def test_advisory_text_comes_from_the_record_and_the_store(db: Path) -> None:
    found = explain("GHSA-2268-98wh-qfhf", db)
    assert found.title == "JLine vulnerable to out of memory error"
    assert found.why.startswith("Severity MEDIUM: CVSS 5.5 (CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H).")
    assert "Not in CISA's KEV catalogue" in found.why  # the fixture catalogue is loaded and does not list it
    assert "EPSS: 1.2%" in found.why
    assert found.aliases == ("CVE-2023-50572",)
    assert dict(found.extra)["Affected"] == "org.jline:jline-parent (Maven): < 3.25.0"
    assert dict(found.extra)["CWE"] == "CWE-122, CWE-787"
    assert "advisory database (GHSA-2268-98wh-qfhf" in found.source and str(db) in found.source


def test_alias_carried_by_several_advisories_prefers_ghsa_and_lists_the_others(db: Path) -> None:
    found = explain("cve-2021-22570", db)
    assert found.id == "GHSA-77rm-9x9h-xj3g"
    extra = dict(found.extra)
    assert extra["Also in the database"] == "PYSEC-2022-48"
    assert extra["Asked for"] == "cve-2021-22570 (an alias of GHSA-77rm-9x9h-xj3g)"
    assert "PYSEC-2022-48" in found.aliases
    # five packages, each with its own line
    assert found.fix.count("\n- ") == 4
    assert "- Upgrade protobuf (PyPI) to 3.15.0 or later." in found.fix
    assert "- Upgrade Google.Protobuf (NuGet) to 3.15.0 or later." in found.fix


def test_an_id_that_is_an_alias_elsewhere_explains_its_own_record(db: Path) -> None:
    found = explain("PYSEC-2022-48", db)
    assert found.id == "PYSEC-2022-48"
    assert dict(found.extra)["Also in the database"] == "GHSA-77rm-9x9h-xj3g"


@pytest.mark.parametrize("asked", ["PSS-PRIVILEGED", "Dockerfile-Root-User", "AWS-ACCESS-KEY-ID",
                                   "ghsa-2268-98WH-QFHF", " cve-2023-50572 "])
def test_ids_are_case_insensitive(db: Path, asked: str) -> None:
    found = explain(asked, db)
    assert found.id.lower() in (asked.strip().lower(), "ghsa-2268-98wh-qfhf")


@pytest.mark.parametrize("asked", ["not-a-rule", "CVE-1999-0001", "GHSA-xxxx-xxxx-xxxx", "pss"])
def test_unknown_id_is_an_input_error_with_a_hint(db: Path, asked: str) -> None:
    with pytest.raises(InputError) as info:
        explain(asked, db)
    message = str(info.value)
    assert "\n" not in message and asked in message and str(db) in message
    assert info.value.hint and "db update" in info.value.hint and "db import" in info.value.hint


def test_empty_id_is_an_input_error(db: Path) -> None:
    with pytest.raises(InputError):
        explain("  ", db)


def test_rule_ids_need_no_database(tmp_path: Path) -> None:
    absent = tmp_path / "absent.sqlite"
    assert explain("pss-run-as-non-root", absent).kind == "pss-control"
    assert explain("github-pat", absent).kind == "secret-rule"
    assert not absent.exists()


def test_advisory_id_without_database_is_a_database_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no advisory database") as info:
        explain("CVE-2023-50572", tmp_path / "absent.sqlite")
    assert info.value.hint and "db import" in info.value.hint


def _non_empty(found: Explanation) -> None:
    assert found.kind in KINDS
    assert found.what.strip() and found.fix.strip() and found.why.strip() and found.title.strip()
    assert render_text(found).count("\n\n") >= 3


def test_every_builtin_check_explains_with_its_catalog_text(tmp_path: Path) -> None:
    absent = tmp_path / "absent.sqlite"
    entries = builtin_checks()
    assert len(entries) > 50
    for entry in entries:
        found = explain(entry.id, absent)
        _non_empty(found)
        # the very text the reports and docs/rules use, not a copy
        assert (found.id, found.title, found.what, found.fix, found.references) == (
            entry.id, entry.title, entry.description, entry.remediation, entry.references), entry.id
        assert found.severity == entry.severity.name
        assert found.kind == ("pss-control" if entry.family == "kubernetes-pss" else "misconfig-check")


def test_every_builtin_secret_rule_explains_with_its_own_remediation(tmp_path: Path) -> None:
    absent = tmp_path / "absent.sqlite"
    rules = default_rules()
    assert len(rules) > 200
    for rule in rules:
        found = explain(rule.id, absent)
        _non_empty(found)
        assert (found.id, found.kind, found.title, found.fix) == (rule.id, "secret-rule", rule.title,
                                                                  rule.remediation), rule.id
        assert rule.provider in found.what


def test_render_text_wraps_and_keeps_paragraphs() -> None:
    found = Explanation(
        id="X-1", kind="advisory", title="A title", severity=None,
        what="First paragraph " + "word " * 40 + "\n\nSecond paragraph.\n\n- item one\n- item two",
        why="Severity unknown.", fix="- Upgrade a (PyPI) to 1.0 or later.\n- Upgrade b (npm) to 2.0 or later.",
        references=("https://example.org/a",), extra=(("Affected", "a (PyPI): < 1.0"),), source="test",
    )
    text = render_text(found, width=60)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "\n\n  Second paragraph.\n\n  - item one\n  - item two\n" in text
    assert "  - Upgrade a (PyPI) to 1.0 or later.\n  - Upgrade b (npm) to 2.0 or later.\n" in text
    assert "References\n  - https://example.org/a\n" in text
    assert "Details\n  Affected: a (PyPI): < 1.0\n" in text
    assert to_dict(found)["extra"] == [{"label": "Affected", "value": "a (PyPI): < 1.0"}]


def test_long_details_are_cut_at_a_paragraph_or_sentence() -> None:
    from shiftsec.explain import _trim

    paragraphs = ["Paragraph one. " * 10, "Paragraph two. " * 10, "Paragraph three. " * 10]
    cut = _trim("\n\n".join(paragraphs), limit=350)
    assert cut.startswith(paragraphs[0].strip() + "\n\n" + paragraphs[1].strip() + "\n\n[…]")
    assert "three" not in cut
    one = _trim("First sentence is here. " * 30, limit=200)
    assert one.split("\n\n")[0].endswith("here.") and len(one.split("\n\n")[0]) <= 200
    assert _trim("short", limit=200) == "short"


def test_the_cli_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from shiftsec.cli import run

    assert run(["explain", "PSS-PRIVILEGED", "--db", str(tmp_path / "none.sqlite")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pss-privileged: Privileged containers\n") and "How to fix it" in out
    assert run(["explain", "aws-access-key-id", "-f", "json", "--db", str(tmp_path / "none.sqlite")]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "secret-rule"
    assert run(["explain", "nope", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "Traceback" not in capsys.readouterr().err
