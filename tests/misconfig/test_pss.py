"""Pod Security Standards checks against the upstream pod-security-admission v1.37 fixtures, plus hand-written cases."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shiftsec.misconfig.pss import CONTROLS, Violation, check_pod
from tests.conftest import shared

VERSION = "v1.37"
LEVELS = ("baseline", "restricted")

# Fixture stem prefix (the check ID upstream, lower-cased) -> our control id.
CONTROL_OF_FIXTURE = {
    "windowshostprocess": "pss-host-process",
    "hostnamespaces": "pss-host-namespaces",
    "privileged": "pss-privileged",
    "capabilities_baseline": "pss-capabilities-baseline",
    "hostpathvolumes": "pss-host-path-volumes",
    "hostports": "pss-host-ports",
    "hostprobesandhostlifecycle": "pss-host-probes-lifecycle",
    "apparmorprofile": "pss-apparmor",
    "selinuxoptions": "pss-selinux",
    "procmount": "pss-proc-mount",
    "seccompprofile_baseline": "pss-seccomp-baseline",
    "sysctls": "pss-sysctls",
    "restrictedvolumes": "pss-volume-types",
    "allowprivilegeescalation": "pss-privilege-escalation",
    "runasnonroot": "pss-run-as-non-root",
    "runasuser": "pss-run-as-user",
    "seccompprofile_restricted": "pss-seccomp-restricted",
    "capabilities_restricted": "pss-capabilities-restricted",
    "procmount_restricted": "pss-proc-mount-restricted",
}

# At the restricted level PSA replaces these baseline checks by restricted ones (OverrideCheckIDs).
RESTRICTED_OVERRIDES = {
    "pss-host-path-volumes": "pss-volume-types",
    "pss-capabilities-baseline": "pss-capabilities-restricted",
    "pss-seccomp-baseline": "pss-seccomp-restricted",
    "pss-proc-mount": "pss-proc-mount-restricted",
}


def _fixtures(outcome: str) -> list[Any]:
    params = []
    for level in LEVELS:
        folder = shared("k8s", "pod-security-admission", "testdata", level, VERSION, outcome)
        files = sorted(folder.glob("*.yaml"))
        assert files, f"no fixtures in {folder}"
        params += [pytest.param(level, path, id=f"{level}/{path.stem}") for path in files]
    return params


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    assert isinstance(doc, dict)
    return doc


def _expected_control(level: str, stem: str) -> str:
    prefix = re.sub(r"\d+$", "", stem)
    control = CONTROL_OF_FIXTURE[prefix]
    if level == "restricted":
        control = RESTRICTED_OVERRIDES.get(control, control)
    return control


@pytest.mark.parametrize(("level", "path"), _fixtures("pass"))
def test_upstream_pass_fixture_has_no_violation(level: str, path: Path) -> None:
    assert check_pod(_load(path), level) == []


@pytest.mark.parametrize(("level", "path"), _fixtures("fail"))
def test_upstream_fail_fixture_is_caught_by_its_control(level: str, path: Path) -> None:
    violations = check_pod(_load(path), level)
    assert violations, f"{path.name} passed at {level}"
    expected = _expected_control(level, path.stem)
    assert expected in {v.control for v in violations}, violations


def test_every_fixture_prefix_maps_to_a_known_control() -> None:
    known = {control for control, _, _ in CONTROLS}
    assert set(CONTROL_OF_FIXTURE.values()) == known
    for level in LEVELS:
        folder = shared("k8s", "pod-security-admission", "testdata", level, VERSION)
        for path in folder.glob("*/*.yaml"):
            if path.stem.startswith("base"):
                continue
            assert re.sub(r"\d+$", "", path.stem) in CONTROL_OF_FIXTURE, path


def test_controls_table_is_well_formed() -> None:
    ids = [control for control, _, _ in CONTROLS]
    assert len(ids) == len(set(ids))
    assert all(level in LEVELS for _, level, _ in CONTROLS)
    levels = [level for _, level, _ in CONTROLS]
    assert levels == sorted(levels)  # baseline controls first, then restricted


def _template(containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    """A Deployment's spec.template, passed as a Pod."""
    return {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers, **spec}}


RESTRICTED_SC = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def test_privileged_container_path_and_message() -> None:
    pod = _template(
        [
            {"name": "app", "image": "nginx"},
            {"name": "sidecar", "image": "envoy", "securityContext": {"privileged": True}},
        ]
    )
    violations = check_pod(pod, "baseline")
    assert violations == [
        Violation(
            control="pss-privileged",
            level="baseline",
            title="Privileged containers",
            path=("spec", "containers", 1, "securityContext", "privileged"),
            message='container "sidecar" sets securityContext.privileged: true',
        )
    ]


def test_missing_field_points_at_closest_existing_parent() -> None:
    pod = _template([{"name": "app", "image": "nginx", "securityContext": {"runAsNonRoot": True}}])
    by_control = {v.control: v for v in check_pod(pod, "restricted")}
    assert set(by_control) == {"pss-privilege-escalation", "pss-seccomp-restricted", "pss-capabilities-restricted"}
    escalation = by_control["pss-privilege-escalation"]
    assert escalation.path == ("spec", "containers", 0, "securityContext")
    assert escalation.level == "restricted"
    assert '"app"' in escalation.message
    assert by_control["pss-capabilities-restricted"].path == ("spec", "containers", 0, "securityContext")


def test_restricted_template_passes_and_baseline_is_subset() -> None:
    pod = _template([{"name": "app", "image": "nginx", "securityContext": dict(RESTRICTED_SC)}])
    assert check_pod(pod, "restricted") == []
    assert check_pod(pod, "baseline") == []
    # Baseline never reports restricted controls.
    bare = _template([{"name": "app", "image": "nginx"}])
    assert check_pod(bare, "baseline") == []
    assert {v.level for v in check_pod(bare, "restricted")} == {"restricted"}


def test_violations_follow_document_order() -> None:
    pod = {
        "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}},
        "spec": {
            "hostNetwork": True,
            "initContainers": [{"name": "init", "securityContext": {"privileged": True}}],
            "containers": [{"name": "app", "ports": [{"containerPort": 80, "hostPort": 8080}]}],
        },
    }
    paths = [v.path for v in check_pod(pod, "baseline")]
    assert paths == [
        ("metadata", "annotations", "container.apparmor.security.beta.kubernetes.io/app"),
        ("spec", "hostNetwork"),
        ("spec", "initContainers", 0, "securityContext", "privileged"),
        ("spec", "containers", 0, "ports", 0, "hostPort"),
    ]


def test_host_probe_path_and_ephemeral_containers() -> None:
    pod = _template(
        [{"name": "app", "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}}],
        ephemeralContainers=[{"name": "debug", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
    )
    violations = check_pod(pod, "baseline")
    assert [(v.control, v.path) for v in violations] == [
        ("pss-host-probes-lifecycle", ("spec", "containers", 0, "livenessProbe", "httpGet", "host")),
        ("pss-capabilities-baseline", ("spec", "ephemeralContainers", 0, "securityContext", "capabilities", "add")),
    ]
    assert '"debug"' in violations[1].message
    assert "SYS_PTRACE" in violations[1].message


def test_windows_pod_exemptions_and_user_namespace_relaxation() -> None:
    windows = _template([{"name": "app"}], os={"name": "windows"}, securityContext={"runAsNonRoot": True})
    assert check_pod(windows, "restricted") == []
    userns = _template(
        [{"name": "app", "securityContext": {**RESTRICTED_SC, "runAsNonRoot": False, "procMount": "Unmasked"}}],
        hostUsers=False,
    )
    assert check_pod(userns, "baseline") == []
    assert [v.control for v in check_pod(userns, "restricted")] == ["pss-proc-mount-restricted"]


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="privileged"):
        check_pod({"spec": {}}, "privileged")


def test_malformed_document_does_not_crash() -> None:
    pod: dict[str, Any] = {
        "spec": {"containers": None, "volumes": [None, {"name": "v"}, {"name": "n", "nfs": {}}], "securityContext": []}
    }
    violations = check_pod(pod, "restricted")
    # A volume without a source is defaulted to emptyDir by the API server, so only the nfs volume is reported.
    assert [(v.control, v.path) for v in violations] == [("pss-volume-types", ("spec", "volumes", 2, "nfs"))]
    assert violations[0].message == 'volume "n" uses restricted volume type nfs'
    assert check_pod({}, "restricted") == []
