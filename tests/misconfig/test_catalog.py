"""docs/rules/ is generated from the checks' metadata and kept current (`--update-golden` rewrites it); every
built-in check has complete metadata and a unique id."""

from __future__ import annotations

from pathlib import Path

from shiftsec.misconfig import catalog, pss
from shiftsec.scanners import misconfig

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_docs_rules_match_the_metadata(update_golden: bool) -> None:
    pages = catalog.render_docs()
    if update_golden:
        DOCS.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            (DOCS / name).write_text(text, encoding="utf-8")
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}
    assert on_disk == pages, "docs/rules/ is stale: run pytest tests/misconfig/test_catalog.py --update-golden"


def test_every_check_is_documented_once_and_completely() -> None:
    entries = catalog.builtin_checks()
    ids = [entry.id for entry in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.title and entry.description and entry.remediation and entry.references, entry.id
        assert entry.description.endswith((".", ")")), entry.id
    assert {cid for cid, _, _ in pss.CONTROLS} <= set(ids)


def test_pss_findings_carry_the_controls_own_fix(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n"
                                       "  containers: [{name: a, image: a}]\n")
    result = misconfig.scan_files(tmp_path, ["pod.yaml"], "baseline", hardened=False)
    (finding,) = result.findings
    assert finding.rule_id == "pss-host-namespaces"
    assert finding.remediation == "Remove hostNetwork, hostPID and hostIPC, or set them to false."
    assert finding.references == (catalog.PSS_DOCS,)
