"""Agreement of shiftsec's misconfiguration checks with peers' labelled examples (Checkov, trivy-checks, kube-score,
Hadolint): loading the labelled examples, running shiftsec in-process on each file, and comparing.

A peer check maps to one or more shiftsec checks (the mapping tables live in `test_agreement_k8s.py` and
`test_agreement_dockerfile.py`). An example labelled "fail" agrees when shiftsec reports at least one finding of a
mapped check in the file; one labelled "pass" agrees when it reports none of them.

`python -m tests.misconfig.agreement` prints the tables of `docs/misconfig-agreement.md` from a fresh run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from shiftsec.misconfig import hardening
from shiftsec.misconfig.dockerfile import parse
from shiftsec.misconfig.kubernetes import load_manifests
from shiftsec.scanners.misconfig import dockerfile_findings, findings_for

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CHECKOV_K8S = SHARED / "k8s" / "checkov"
TRIVY = SHARED / "k8s" / "trivy-checks"
KUBE_SCORE = SHARED / "k8s" / "kube-score"
CHECKOV_DOCKER = SHARED / "dockerfile" / "checkov"


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled example: the peer check it is labelled for, the file (relative to the source's folder; a
    trivy-checks example is `<examples file>#good-<n>` or `#bad-<n>`), whether the peer expects a finding, and the
    file's text."""

    peer: str
    file: str
    fail: bool
    text: str


@dataclass(frozen=True, slots=True)
class Outcome:
    example: Example
    ours: tuple[str, ...]  # the mapped shiftsec checks that fired

    @property
    def agrees(self) -> bool:
        return bool(self.ours) == self.example.fail


# ---------------------------------------------------------------------------------------------------------------
# Running shiftsec


@cache
def k8s_checks(rel: str, text: str) -> frozenset[tuple[str, str]]:
    """(check, message) of every shiftsec finding on a Kubernetes file: the Pod Security Standards at both levels
    (so both the baseline and the restricted version of a control can be mapped), the hardening checks, and the
    checks over the whole set of objects (the file alone)."""
    manifests = load_manifests(text)
    fired = {(f.rule_id, f.message) for level in ("baseline", "restricted")
             for f in findings_for(rel, manifests, level)}
    fired.update((hit.check, hit.message) for _, hit in hardening.check_together(manifests))
    return frozenset(fired)


def matches(spec: str, check: str, message: str) -> bool:
    """Whether a finding (check, message) is one of a mapping entry `spec`: a check id, or `id~word` for the
    findings of that check whose message names `word` (e.g. `k8s-resource-requests~CPU`)."""
    wanted, _, word = spec.partition("~")
    return check == wanted and word in message


@cache
def dockerfile_hits(rel: str, text: str) -> tuple[tuple[str, int, str], ...]:
    """(check, line, keyword of the instruction at that line) of every shiftsec Dockerfile finding (a
    .dockerignore is assumed, as in a real repository)."""
    keywords = {instruction.line: instruction.keyword for instruction in parse(text)}
    return tuple((f.rule_id, f.location.line or 0, keywords.get(f.location.line or 0, ""))
                 for f in dockerfile_findings(rel, text, True))


def dockerfile_checks(rel: str, text: str) -> frozenset[tuple[str, str]]:
    return frozenset((check, "") for check, _, _ in dockerfile_hits(rel, text))


def compare(examples: Iterable[Example], mapping: Mapping[str, tuple[str, ...]], dockerfile: bool = False
            ) -> list[Outcome]:
    out = []
    for example in examples:
        fired = (dockerfile_checks if dockerfile else k8s_checks)(example.file, example.text)
        ours = {spec for spec in mapping[example.peer] for check, message in fired if matches(spec, check, message)}
        out.append(Outcome(example, tuple(sorted(ours))))
    return out


def disagreements(outcomes: Iterable[Outcome]) -> set[tuple[str, str]]:
    return {(o.example.file, o.example.peer) for o in outcomes if not o.agrees}


# ---------------------------------------------------------------------------------------------------------------
# Checkov (Kubernetes and Dockerfile)

_CHECKOV_LABEL = re.compile(r"(\d*)[-_]?(PASSED|FAILED|PASS|FAIL)", re.IGNORECASE)


def checkov_label(name: str) -> bool | None:
    """Whether a Checkov example file (labelled by its name: `-PASSED`, `-FAILED`, `-1PASSED-1FAILED`...) expects
    a failure; None when the name carries no label (`UNKNOWN`, none)."""
    labels = {match.group(2).upper()[:4] for match in _CHECKOV_LABEL.finditer(name)}
    if not labels:
        return None
    return "FAIL" in labels  # a file with a failing resource expects at least one finding


def checkov_k8s_ids() -> dict[str, str]:
    """Checkov id -> its example folder name (`example_<Stem>`), Kubernetes checks only."""
    ids = json.loads((CHECKOV_K8S / "CHECK_IDS.json").read_text())["checks"]
    return {meta["id"]: f"example_{key.partition('/')[2]}" for key, meta in ids.items()
            if key.startswith("kubernetes/")}


def checkov_k8s_examples(folders: Mapping[str, str]) -> list[Example]:
    """The labelled examples of each peer check in `folders` (peer id -> example folder under kubernetes/checks)."""
    root = CHECKOV_K8S / "kubernetes" / "checks"
    out = []
    for peer, folder in folders.items():
        for path in sorted((root / folder).iterdir()):
            label = checkov_label(path.stem)
            if label is not None:
                out.append(Example(peer, f"{folder}/{path.name}", label, path.read_text(encoding="utf-8")))
    return out


def checkov_dockerfile_examples(peers: Iterable[str]) -> list[Example]:
    """Labelled Dockerfile examples (`example_<Stem>/<success|failure>*/Dockerfile*`) of the given Checkov ids."""
    ids = json.loads((CHECKOV_DOCKER / "CHECK_IDS.json").read_text())["checks"]
    stems = {meta["id"]: key.partition("/")[2] for key, meta in ids.items() if key.startswith("dockerfile/")}
    root = CHECKOV_DOCKER / "dockerfile" / "checks"
    out = []
    for peer in peers:
        folder = root / f"example_{stems[peer]}"
        for path in sorted(folder.rglob("Dockerfile*")):
            label = path.relative_to(folder).parts[0]
            out.append(Example(peer, str(path.relative_to(root)), label.startswith("failure"),
                               path.read_text(encoding="utf-8")))
    return out


def checkov_dockerfiles() -> list[tuple[str, str]]:
    """(path relative to dockerfile/checks, text) of every Dockerfile in Checkov's examples."""
    root = CHECKOV_DOCKER / "dockerfile" / "checks"
    return [(str(path.relative_to(root)), path.read_text(encoding="utf-8"))
            for path in sorted(root.rglob("Dockerfile*"))]


# ---------------------------------------------------------------------------------------------------------------
# trivy-checks


def trivy_index() -> dict[str, dict[str, object]]:
    return dict(json.loads((TRIVY / "CHECKS_INDEX.json").read_text())["checks"])


def trivy_examples(peers: Iterable[str], section: str) -> list[Example]:
    """The good/bad examples (`section`: "kubernetes" or "dockerfile") of each trivy check id in `peers`."""
    index = trivy_index()
    out = []
    for peer in peers:
        name = index[peer]["examples_file"]
        assert isinstance(name, str), peer
        data = yaml.safe_load((TRIVY / "checks" / name).read_text())[section]
        for label in ("good", "bad"):
            for number, text in enumerate(data.get(label) or []):
                out.append(Example(peer, f"{name}#{label}-{number}", label == "bad", text))
    return out


# ---------------------------------------------------------------------------------------------------------------
# kube-score

GRADES_FAIL = {"GradeCritical": True, "GradeWarning": True, "GradeAlmostOK": True, "GradeAllOK": False}


def kube_score_examples(peers: Iterable[str]) -> list[Example]:
    """The test cases of each kube-score check in `peers` run with kube-score's default configuration (cases that
    enable options are left out: shiftsec has no such options); a grade below AllOK expects a finding."""
    cases = json.loads((KUBE_SCORE / "EXPECTED.json").read_text())["cases"]
    wanted = set(peers)
    out = []
    for case in cases:
        if case["check"] not in wanted or case["with_config"]:
            continue
        text = "\n---\n".join((KUBE_SCORE / "score" / "testdata" / name).read_text() for name in case["files"])
        out.append(Example(case["check"], "+".join(case["files"]), GRADES_FAIL[case["expected_grade"]], text))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Hadolint


def hadolint_binary() -> str | None:
    found = shutil.which("hadolint")
    if found:
        return found
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.exists() else None


def run_hadolint(binary: str, files: Mapping[str, str], workdir: Path) -> dict[str, set[str]]:
    """Hadolint's rule codes per file (`files`: name -> text), from one run over all of them (files written under
    `workdir`, with an empty config so no user or project configuration applies)."""
    paths = {}
    for number, (name, text) in enumerate(sorted(files.items())):
        path = workdir / f"{number:03d}" / "Dockerfile"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        paths[str(path)] = name
    config = workdir / "hadolint.yaml"
    config.write_text("{}\n")
    result = subprocess.run([binary, "--config", str(config), "--format", "json", "--no-fail", *paths],
                            capture_output=True, text=True, check=True, cwd=workdir, timeout=120)
    codes: dict[str, set[str]] = {name: set() for name in files}
    for item in json.loads(result.stdout or "[]"):
        codes[paths[item["file"]]].add(item["code"])
    return codes


def hadolint_files() -> dict[str, str]:
    """Every Dockerfile the Hadolint comparison covers: Checkov's examples and trivy-checks' Dockerfile examples."""
    files = {f"checkov:{rel}": text for rel, text in checkov_dockerfiles()}
    index = trivy_index()
    dockerfile_ids = [peer for peer, meta in index.items()
                      if str(meta.get("examples_file") or "").startswith("docker/")]
    for example in trivy_examples(dockerfile_ids, "dockerfile"):
        files[f"trivy:{example.file}"] = example.text
    return files


@dataclass(frozen=True, slots=True)
class HadolintRule:
    """A Hadolint rule (or group of rules with one intent) and the shiftsec checks of the same intent; `on`
    limits the shiftsec findings that count to those at instructions with these keywords (empty: any)."""

    ours: tuple[str, ...]
    on: frozenset[str] = frozenset()


def hadolint_outcomes(codes: Mapping[str, set[str]], files: Mapping[str, str],
                      mapping: Mapping[str, HadolintRule]) -> list[Outcome]:
    """Per file and per mapped rule (group, `DL3008+DL3013`): Hadolint fired (as `fail`) and what shiftsec
    reported. Files Hadolint cannot parse (DL1000) are left out."""
    out = []
    for name, text in sorted(files.items()):
        if "DL1000" in codes[name]:
            continue
        hits = dockerfile_hits(name, text)
        for group, rule in mapping.items():
            fired = bool(set(group.split("+")) & codes[name])
            ours = sorted({check for check, _, keyword in hits
                           if check in rule.ours and (not rule.on or keyword in rule.on)})
            out.append(Outcome(Example(group, name, fired, text), tuple(ours)))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Reporting


def table(outcomes: list[Outcome], mapping: Mapping[str, object]) -> list[str]:
    """Markdown rows: peer check, shiftsec checks, examples, agree, disagree."""
    rows = []
    for peer, ours in mapping.items():
        mine = [o for o in outcomes if o.example.peer == peer]
        agree = sum(o.agrees for o in mine)
        shown = ours.ours if isinstance(ours, HadolintRule) else ours
        assert isinstance(shown, tuple)
        rows.append(f"| {peer} | {', '.join(f'`{c}`' for c in shown)} | {len(mine)} | {agree} | {len(mine) - agree} |")
    return rows


def summary(outcomes: list[Outcome]) -> str:
    agree = sum(o.agrees for o in outcomes)
    return f"{len(outcomes)} examples, {agree} agree, {len(outcomes) - agree} disagree ({agree / len(outcomes):.1%})"
