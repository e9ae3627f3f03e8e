"""Kubernetes manifests: documents, List kinds, the pod each workload runs, and the line of every field."""

from __future__ import annotations

import pytest

from shiftsec.errors import ParseError
from shiftsec.misconfig import kubernetes
from shiftsec.misconfig.kubernetes import load_manifests, pod_of

MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.27
        securityContext:
          privileged: true
---
# a comment, then a document that is no object
just a string
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: debug}
  spec:
    hostNetwork: true
    containers: [{name: x, image: busybox}]
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: job
            image: alpine
"""


def test_documents_lists_and_lines() -> None:
    manifests = load_manifests(MANIFESTS)
    assert [(m.kind, m.name, m.namespace, m.document) for m in manifests] == [
        ("Deployment", "web", "shop", 0), ("Pod", "debug", None, 2), ("ConfigMap", "settings", None, 2),
        ("CronJob", "nightly", None, 3),
    ]
    web, debug, settings, nightly = manifests
    assert web.line_of(("spec", "template", "spec", "containers", 0, "securityContext", "privileged")) == 13
    # a missing field: the line of its nearest ancestor
    assert web.line_of(("spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot")) == 12
    assert debug.line_of(("spec", "hostNetwork")) == 25
    assert pod_of(web) is not None and pod_of(web)[1] == ("spec", "template")  # type: ignore[index]
    assert pod_of(debug) == (debug.data, ())
    assert pod_of(settings) is None
    assert pod_of(nightly)[1] == ("spec", "jobTemplate", "spec", "template")  # type: ignore[index]


def test_json_is_yaml() -> None:
    (pod,) = load_manifests('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},\n'
                            ' "spec": {"containers": [{"name": "c", "image": "i"}]}}')
    assert pod.name == "p" and pod.line_of(("spec", "containers", 0)) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: Pod\nspec: [1,\n", "invalid YAML: line 3"),
        ("kind: Pod\n  bad: indent\n", "invalid YAML: line 2"),
        ("kind: Pod\nmetadata: {created: 2024-13-45}\n", "invalid YAML value: month must be in 1..12"),
    ],
)
def test_invalid_yaml(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        load_manifests(text)


def test_billion_laughs_is_refused_in_bounded_time() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for index, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[index]
        levels.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    bomb = "\n".join([*levels, "kind: Pod"])
    with pytest.raises(ParseError, match="expands to more than 250,000 nodes"):  # not 9**9 of them
        load_manifests(bomb)


def test_unknown_kinds_and_plain_yaml_are_kept_or_skipped() -> None:
    manifests = load_manifests("kind: Widget\nmetadata: {name: w}\n---\nfoo: bar\n---\n- 1\n- 2\n")
    assert [(m.kind, m.name) for m in manifests] == [("Widget", "w")]
    assert pod_of(manifests[0]) is None


def test_ten_thousand_documents() -> None:
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{}\ndata: {{k: v}}\n"
    manifests = load_manifests("---\n".join(doc.format(i) for i in range(10_000)))
    assert len(manifests) == 10_000
    assert manifests[-1].name == "c9999" and manifests[-1].document == 9_999
    assert manifests[-1].line_of(("data", "k")) == 5 * 9_999 + 9_999 + 5  # 5 lines and a "---" per document


def test_document_count_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kubernetes, "_MAX_DOCUMENTS", 3)
    with pytest.raises(ParseError, match="more than 3 YAML documents"):
        load_manifests("kind: A\n---\nkind: B\n---\nkind: C\n---\nkind: D\n")
