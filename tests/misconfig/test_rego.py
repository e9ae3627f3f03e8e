"""Custom checks in Rego: the two shipped examples end to end, both metadata styles, Rego v0 and v1 rule forms,
input selectors, locations from `path` and `startline`, and every way a check folder can be broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftsec.cli import run
from shiftsec.errors import InputError
from shiftsec.misconfig.dockerfile_input import dockerfile_input
from shiftsec.misconfig.rego import load_checks
from shiftsec.model import Severity
from shiftsec.scanners.misconfig import Options, scan_files
from tests.misconfig.texts import deployment, write_tree

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "checks"

DEPLOYMENT = (deployment("web", "nginx:1.27", labels={"app": "web"}) + "---\n"
              + deployment("api", "registry.example.com/api:2", labels={"team": "payments"}))

DOCKERFILE = """\
FROM golang:1.22 AS build
RUN go build -o /app .
FROM build AS test
RUN go test ./...
FROM registry.example.com/distroless/static:1
COPY --from=build /app /app
"""


def _meta(package: str, check_id: str | None = "A", title: str | None = "t", severity: str = "LOW") -> str:
    fields = {"id": check_id, "title": title, "severity": severity}
    body = ", ".join(f'"{key}": "{value}"' for key, value in fields.items() if value is not None)
    return f"package {package}\n__rego_metadata__ := {{{body}}}\n"


def _custom(tmp_path: Path, checks: Path, files: dict[str, str]) -> list[tuple[str, str, int | None, Severity, str]]:
    target = write_tree(tmp_path / "target", files)
    result = scan_files(target, sorted(files), options=Options(hardened=False, custom=load_checks([checks]),
                                                              render=False))
    assert not result.errors, result.errors
    return sorted((f.rule_id, f.location.path, f.location.line, f.severity, f.message) for f in result.findings
                  if not f.rule_id.startswith("pss-"))


def test_the_shipped_examples_find_what_they_describe(tmp_path: Path) -> None:
    found = _custom(tmp_path, EXAMPLES, {"deploy/app.yaml": DEPLOYMENT, "Dockerfile": DOCKERFILE})
    assert found == [
        # FROM golang:... is not from the mirror; `FROM build` names a stage; the last FROM is approved.
        ("ORG-DF-001", "Dockerfile", 1, Severity.HIGH, "FROM golang:1.22 is not from registry.example.com/"),
        # Only the Deployment without a team label, at its labels (line 6).
        ("ORG-K8S-001", "deploy/app.yaml", 6, Severity.MEDIUM, "Deployment web has no team label"),
    ]


def test_example_metadata_is_read_from_both_styles() -> None:
    checks = {check.id: check for check in load_checks([EXAMPLES]).checks}
    team = checks["ORG-K8S-001"]
    assert team.title == "Workload without an owning team"
    assert team.remediation == "Add metadata.labels.team with the owning team's name."
    assert team.references == ("https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",)
    assert team.description.startswith("Every workload must say which team owns it")
    assert team.types == frozenset({"kubernetes"})
    registry = checks["ORG-DF-001"]
    assert (registry.title, registry.severity) == ("Base image from an unapproved registry", Severity.HIGH)
    assert registry.remediation.startswith("Use registry.example.com/")
    assert registry.types == frozenset({"dockerfile"})


CONFTEST_STYLE = """\
package main

__rego_metadata__ := {"id": "C-1", "title": "No latest", "severity": "low"}

deny[msg] {
  input.kind == "Pod"
  c := input.spec.containers[_]
  endswith(c.image, ":latest")
  msg := sprintf("container %s uses latest", [c.name])
}

deny[res] {
  input.kind == "Pod"
  not input.spec.securityContext
  res := {"msg": "pod has no securityContext", "path": ["spec"]}
}

warn[msg] {
  input.kind == "Pod"
  msg := "pods are better run by a Deployment"
}
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: a
      image: nginx:latest
"""


def test_rego_v0_partial_sets_strings_objects_and_warn(tmp_path: Path) -> None:
    checks = write_tree(tmp_path / "checks", {"policy.rego": CONFTEST_STYLE})
    found = _custom(tmp_path, checks, {"pod.yaml": POD})
    assert found == [
        ("C-1", "pod.yaml", 1, Severity.LOW, "Pod/p: container a uses latest"),
        ("C-1", "pod.yaml", 1, Severity.LOW, "Pod/p: pods are better run by a Deployment"),
        ("C-1", "pod.yaml", 5, Severity.LOW, "Pod/p: pod has no securityContext"),
    ]


def test_selectors_keep_a_check_to_its_input_type(tmp_path: Path) -> None:
    checks = write_tree(tmp_path / "checks", {"any.rego": """\
        package user.anything
        import rego.v1
        __rego_metadata__ := {"id": "ANY", "title": "Sees everything", "severity": "MEDIUM"}
        deny contains "kubernetes" if input.kind
        deny contains "dockerfile" if input.Stages
        deny contains "compose" if input.services
        """})
    found = _custom(tmp_path, checks, {"pod.yaml": POD, "Dockerfile": DOCKERFILE,
                                       "compose.yaml": "services:\n  web:\n    image: nginx\n"})
    assert {(path, message) for _, path, _, _, message in found} == {
        ("pod.yaml", "Pod/p: kubernetes"), ("Dockerfile", "dockerfile"), ("compose.yaml", "compose")}


def test_a_failing_check_is_an_error_and_the_others_still_run(tmp_path: Path) -> None:
    checks = write_tree(tmp_path / "checks", {
        "bad.rego": """\
            package user.conflict
            import rego.v1
            __rego_metadata__ := {"id": "BAD", "title": "Conflicts", "severity": "HIGH"}
            # Two values for one complete rule: an evaluation error, on every input with a kind.
            name := "a" if input.kind
            name := "b" if input.kind
            deny contains name
            """,
        "good.rego": """\
            package user.good
            import rego.v1
            __rego_metadata__ := {"id": "GOOD", "title": "Works", "severity": "HIGH"}
            deny contains "seen" if input.kind == "Pod"
            """})
    target = write_tree(tmp_path / "target", {"pod.yaml": POD})
    result = scan_files(target, ["pod.yaml"], options=Options(hardened=False, custom=load_checks([checks]),
                                                              render=False))
    assert [f.rule_id for f in result.findings if not f.rule_id.startswith("pss-")] == ["GOOD"]
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.path, error.kind) == ("pod.yaml", "custom-check")
    assert error.message.startswith("custom check BAD (") and "failed" in error.message


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"broken.rego": "package x\n\ndeny[msg] {\n  input.a ==\n}\n"},
                 r"broken.rego:4:11: ", id="syntax error: file, line and column"),
    pytest.param({"a.rego": _meta("a", check_id=None) + "deny contains 1 if { true }\n"},
                 r"a.rego:1: check a has no id", id="no id"),
    pytest.param({"a.rego": _meta("a", severity="bad")},
                 r"a.rego:1: severity must be one of", id="bad severity"),
    pytest.param({"a.rego": _meta("a", title=None)},
                 r"a.rego:1: check A has no title", id="no title"),
    pytest.param({"a.rego": "package a\n\ndeny contains \"x\" if { true }\n"},
                 r"a.rego:1: package a has deny/warn rules but no metadata", id="rules without metadata"),
    pytest.param({"a.rego": _meta("a"), "b.rego": _meta("b", title="u")},
                 r"b.rego:1: check id A is also used by .*a.rego", id="duplicate id"),
    pytest.param({"a.rego": "# METADATA\n# custom: [unclosed\npackage a\n"},
                 r"a.rego:3: the METADATA block is not valid YAML", id="broken METADATA YAML"),
    pytest.param({"a.rego": "# METADATA\n# title: t\n# custom:\n#   id: A\n#   severity: LOW\n#   input:\n"
                            "#     selector:\n#       - type: terraform\npackage a\n"},
                 r"a.rego:9: unknown input selector type 'terraform'", id="unknown selector"),
    pytest.param({"a.rego": "deny[msg] { true }\n"}, r"a.rego:1:1: no `package` declaration", id="no package"),
])
def test_broken_check_folders_name_the_file_and_line(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    checks = write_tree(tmp_path / "checks", files)
    with pytest.raises(InputError, match=expected):
        load_checks([checks])


def test_libraries_and_opa_tests_are_not_checks(tmp_path: Path) -> None:
    checks = write_tree(tmp_path / "checks", {
        "lib/k8s.rego": "package lib.k8s\nimport rego.v1\nis_pod if input.kind == \"Pod\"\n",
        "pods.rego": "package user.pods\nimport rego.v1\nimport data.lib.k8s\n"
                     "__rego_metadata__ := {\"id\": \"P\", \"title\": \"Pod\", \"severity\": \"CRITICAL\"}\n"
                     "deny contains \"a bare pod\" if k8s.is_pod\n",
        "pods_test.rego": "package user.pods_test\nthis is not even valid rego\n",
    })
    found = _custom(tmp_path, checks, {"pod.yaml": POD})
    assert found == [("P", "pod.yaml", 1, Severity.CRITICAL, "Pod/p: a bare pod")]


def test_dockerfile_input_has_trivys_shape() -> None:
    document = dockerfile_input('FROM alpine:3.20 AS base\nENV A=1 B="two words"\nCOPY --from=base --chown=1:1 a b\n'
                                'RUN apk add \\\n  curl\nCMD ["sh", "-c", "x"]\n', "Dockerfile")
    (stage,) = document["Stages"]
    assert stage["Name"] == "alpine:3.20 AS base"
    commands = [(c["Cmd"], c["Flags"], c["Value"], c["JSON"], c["StartLine"], c["EndLine"]) for c in stage["Commands"]]
    assert commands == [
        ("from", [], ["alpine:3.20", "AS", "base"], False, 1, 1),
        ("env", [], ["A", "1", "B", "two words"], False, 2, 2),
        ("copy", ["--from=base", "--chown=1:1"], ["a", "b"], False, 3, 3),
        ("run", [], ["apk add curl"], False, 4, 5),
        ("cmd", [], ["sh", "-c", "x"], True, 6, 6),
    ]


def test_cli_runs_custom_checks_and_a_broken_one_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = write_tree(tmp_path / "target", {"deploy/app.yaml": DEPLOYMENT, "Dockerfile": DOCKERFILE})
    code = run(["config", str(target), "--checks", str(EXAMPLES), "-f", "json", "--fail-on", "high"])
    out, err = capsys.readouterr()
    assert code == 1
    report = json.loads(out)  # nothing but the report on stdout (rego-cpp's own error printing is off)
    assert {"ORG-DF-001", "ORG-K8S-001"} <= {f["rule_id"] for f in report["findings"]}
    broken = write_tree(tmp_path / "broken", {"x.rego": "package x\n\ndeny[msg] {\n  input.a ==\n}\n"})
    code = run(["fs", str(target), "--scanners", "misconfig", "--checks", str(broken)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "x.rego:4:11:" in err and "Traceback" not in err


def test_loading_rego_first_leaves_the_other_cpp_extensions_working(tmp_path: Path) -> None:
    # rego-cpp exports its own operator new/delete; loaded before libstdc++ is bound, it corrupted the heap of
    # google-re2 (used by the secret engine right after the custom checks): the process aborted.
    import subprocess
    import sys

    script = ("from pathlib import Path\nfrom shiftsec.misconfig.rego import load_checks\n"
              f"load_checks([Path({str(EXAMPLES)!r})])\n"
              "import re2\nfor i in range(300):\n    re2.compile('(?i)abc' + str(i) + '[a-z]{3,}')\nprint('ok')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr[-500:]
