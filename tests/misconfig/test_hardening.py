"""Kubernetes hardening checks on small manifests: each check fires where it should (at the right field) and
stays quiet on the hardened form; the cross-object NetworkPolicy check; secret values never reach a message."""

from __future__ import annotations

import pytest

from shiftsec.misconfig.hardening import BY_ID, CHECKS, check_manifest, check_together
from shiftsec.misconfig.kubernetes import load_manifests

HARDENED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      automountServiceAccountToken: false
      containers:
      - name: app
        image: registry.example.org/web:1.4@sha256:0123456789abcdef
        imagePullPolicy: Always
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 256Mi}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        securityContext: {readOnlyRootFilesystem: true}
        env:
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
        - {name: API_TOKEN, value: "${API_TOKEN}"}
        - {name: LOG_LEVEL, value: debug}
"""


def _checks(text: str) -> list[tuple[str, int | None]]:
    (manifest,) = load_manifests(text)
    return [(hit.check, manifest.line_of(hit.path)) for hit in check_manifest(manifest)]


def test_hardened_deployment_is_clean() -> None:
    assert _checks(HARDENED) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("namespace: shop", "namespace: default", [("k8s-default-namespace", 3)]),
        ("      automountServiceAccountToken: false\n", "", [("k8s-automount-token", 6)]),
        ("web:1.4@sha256:0123456789abcdef", "web:latest", [("k8s-image-latest", 10)]),
        ("web:1.4@sha256:0123456789abcdef", "web", [("k8s-image-latest", 10)]),
        ("web:1.4@sha256:0123456789abcdef", "web:1.4", [("k8s-image-digest", 10)]),
        ("web:1.4@sha256:0123456789abcdef\n        imagePullPolicy: Always",
         "web:1.4\n        imagePullPolicy: IfNotPresent", [("k8s-image-digest", 10), ("k8s-image-pull-policy", 11)]),
        ("          limits: {memory: 256Mi}\n", "", [("k8s-memory-limit", 12)]),
        ("requests: {cpu: 100m, memory: 128Mi}", "requests: {cpu: 100m}", [("k8s-resource-requests", 12)]),
        ("        livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n", "", [("k8s-liveness-probe", 9)]),
        ("{readOnlyRootFilesystem: true}", "{readOnlyRootFilesystem: false}", [("k8s-read-only-root-fs", 17)]),
        ("{name: LOG_LEVEL, value: debug}", "{name: DB_PASSWORD, value: hunter2-prod-9}",
         [("k8s-secret-in-env", 21)]),
        # An unset pull policy is Always for latest or untagged images, IfNotPresent for a version tag.
        ("web:1.4@sha256:0123456789abcdef\n        imagePullPolicy: Always", "web:latest",
         [("k8s-image-latest", 10)]),
        ("web:1.4@sha256:0123456789abcdef\n        imagePullPolicy: Always", "web:1.4",
         [("k8s-image-digest", 10), ("k8s-image-pull-policy", 9)]),  # unset: at the container
        ("      automountServiceAccountToken: false\n",
         "      automountServiceAccountToken: false\n      volumes:\n      - name: docker\n"
         "        hostPath: {path: /var/run/docker.sock}\n", [("k8s-docker-socket", 10)]),
        ("      automountServiceAccountToken: false\n",
         "      automountServiceAccountToken: false\n      volumes:\n      - name: run\n"
         "        hostPath: {path: /run/containerd/containerd.sock/}\n", [("k8s-docker-socket", 10)]),
    ],
)
def test_each_check_fires_on_its_field(old: str, new: str, expected: list[tuple[str, int]]) -> None:
    assert old in HARDENED
    assert _checks(HARDENED.replace(old, new)) == expected


def test_a_secret_value_never_reaches_the_message() -> None:
    (manifest,) = load_manifests(HARDENED.replace("{name: LOG_LEVEL, value: debug}",
                                                  "{name: DB_PASSWORD, value: hunter2-prod-9}"))
    (hit,) = check_manifest(manifest)
    assert hit.message == 'container "app" sets DB_PASSWORD to a literal value'


def test_jobs_need_no_probes() -> None:
    job = HARDENED.replace("kind: Deployment", "kind: Job").replace(
        "        livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n", "").replace(
        "        readinessProbe: {httpGet: {path: /ready, port: 8080}}\n", "")
    assert _checks(job) == []


RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
- apiGroups: ["*"]
  resources: [deployments]
  verbs: ["*"]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, watch]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [app-tls]
  verbs: [get]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles]
  verbs: [bind, escalate]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: ops}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, ports: [{port: 80}]}
"""


def test_rbac_and_services() -> None:
    found = [(m.kind, hit.check, m.line_of(hit.path), hit.message) for m in load_manifests(RBAC)
             for hit in check_manifest(m)]
    assert found == [
        ("ClusterRole", "k8s-rbac-wildcard", 10, "rule 1 allows * in verbs, apiGroups"),
        ("ClusterRole", "k8s-rbac-secrets", 13, "rule 2 allows get, watch on secrets"),
        ("ClusterRole", "k8s-rbac-escalation", 20, "rule 4 allows bind, escalate"),
        ("ClusterRoleBinding", "k8s-cluster-admin-binding", 25, "ClusterRoleBinding/ops-admin binds cluster-admin"),
        ("Service", "k8s-service-exposed", 31, "Service/web is a LoadBalancer"),
    ]


def test_network_policy_per_namespace() -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{containers: []}}\n"
    policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\n"
    manifests = load_manifests("---\n".join([pod.format(name="a", ns="shop"), pod.format(name="b", ns="ops"),
                                             pod.format(name="c", ns="ops"), policy]))
    assert [(m.name, hit.message) for m, hit in check_together(manifests)] == [
        ("b", 'namespace "ops" holds workloads and no NetworkPolicy'),
    ]


def test_every_check_is_documented() -> None:
    assert len(BY_ID) == len(CHECKS)
    for check in CHECKS:
        assert check.id.startswith("k8s-") and check.title and check.description and check.remediation
        assert all(ref.startswith("https://") for ref in check.references)


@pytest.mark.parametrize(("kind", "name", "reported"), [
    ("ServiceAccount", "default", False),  # Kubernetes creates these in every namespace, default included
    ("Service", "kubernetes", False),
    ("ConfigMap", "kube-root-ca.crt", False),
    ("ServiceAccount", "deployer", True),
    ("ConfigMap", "settings", True),
])
def test_objects_kubernetes_creates_in_default_are_not_blamed(kind: str, name: str, reported: bool) -> None:
    (manifest,) = load_manifests(f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: {name}}}\n")
    assert [hit.check for hit in check_manifest(manifest)] == (["k8s-default-namespace"] if reported else [])
