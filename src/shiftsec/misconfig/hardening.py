"""Kubernetes hardening checks beyond the Pod Security Standards: resources, probes, images, service-account
tokens, namespaces, read-only root filesystems, literal secrets in env, exposed Services, RBAC, and namespaces
that no NetworkPolicy covers.

Pure functions over `Manifest`s (see `kubernetes`): `check_manifest` judges one object, `check_together` what
only the whole set of scanned objects can tell (a namespace without any NetworkPolicy). Each `Hit` names its
check, the path of the field to point at (or of its nearest existing parent), and a one-line message that never
repeats a value that may be a secret.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from shiftsec.misconfig.common import Check, Hit, Path, SecretTest, literal_secret
from shiftsec.misconfig.kubernetes import Manifest, pod_of
from shiftsec.model import Severity

_K8S_DOCS = "https://kubernetes.io/docs/concepts/"


CHECKS: tuple[Check, ...] = (
    Check("k8s-resource-requests", "Container without CPU and memory requests", Severity.LOW,
          "Without requests the scheduler cannot place the pod sensibly and it is the first to be evicted.",
          "Set resources.requests.cpu and resources.requests.memory.",
          (f"{_K8S_DOCS}configuration/manage-resources-containers/",)),
    Check("k8s-memory-limit", "Container without a memory limit", Severity.MEDIUM,
          "A container without a memory limit can exhaust its node's memory.",
          "Set resources.limits.memory.", (f"{_K8S_DOCS}configuration/manage-resources-containers/",)),
    Check("k8s-liveness-probe", "Long-running container without a liveness probe", Severity.LOW,
          "Without a liveness probe a hung container is never restarted.",
          "Add a livenessProbe.", (f"{_K8S_DOCS}configuration/liveness-readiness-startup-probes/",)),
    Check("k8s-readiness-probe", "Long-running container without a readiness probe", Severity.LOW,
          "Without a readiness probe traffic reaches the container before it can serve it.",
          "Add a readinessProbe.", (f"{_K8S_DOCS}configuration/liveness-readiness-startup-probes/",)),
    Check("k8s-image-latest", "Image without a tag or tagged latest", Severity.MEDIUM,
          "A moving tag makes the running version unknown and a rollback impossible.",
          "Pin the image to a version tag, better a digest (image@sha256:...).",
          (f"{_K8S_DOCS}containers/images/",)),
    Check("k8s-image-digest", "Image not pinned by digest", Severity.LOW,
          "A tag can be moved to other content; only a digest names exactly one image.",
          "Refer to the image by digest (image@sha256:...).", (f"{_K8S_DOCS}containers/images/",)),
    Check("k8s-image-pull-policy", "imagePullPolicy is not Always", Severity.LOW,
          "With IfNotPresent a node runs whatever image it cached under the tag, without checking the registry "
          "(and its credentials).",
          "Set imagePullPolicy: Always, or pin images by digest.", (f"{_K8S_DOCS}containers/images/",)),
    Check("k8s-automount-token", "Service-account token mounted automatically", Severity.LOW,
          "Most pods never call the Kubernetes API; a mounted token is a credential an attacker can use.",
          "Set automountServiceAccountToken: false on the pod (or its service account) unless it needs the API.",
          (f"{_K8S_DOCS}security/service-accounts/",)),
    Check("k8s-default-namespace", "Object in the default namespace", Severity.LOW,
          "The default namespace mixes unrelated workloads under the same policies and quotas.",
          "Set metadata.namespace to a namespace of the application's own.",
          (f"{_K8S_DOCS}overview/working-with-objects/namespaces/",)),
    Check("k8s-read-only-root-fs", "Container with a writable root filesystem", Severity.MEDIUM,
          "A writable root filesystem lets an intruder change binaries and configuration inside the container.",
          "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where writing is needed.",
          (f"{_K8S_DOCS}security/pod-security-standards/",)),
    Check("k8s-secret-in-env", "Secret-like value written literally in env", Severity.HIGH,
          "A password or token in the manifest is in every copy of it: the repository, CI logs, `kubectl get`.",
          "Move the value into a Secret and use env[].valueFrom.secretKeyRef.",
          (f"{_K8S_DOCS}configuration/secret/",)),
    Check("k8s-service-exposed", "Service exposed outside the cluster (NodePort or LoadBalancer)", Severity.MEDIUM,
          "NodePort and LoadBalancer Services are reachable from outside the cluster network.",
          "Use ClusterIP behind an Ingress or gateway, or restrict loadBalancerSourceRanges.",
          (f"{_K8S_DOCS}services-networking/service/",)),
    Check("k8s-rbac-wildcard", "RBAC rule with a wildcard", Severity.HIGH,
          "`*` in verbs, resources or apiGroups grants today's and tomorrow's permissions alike.",
          "List the verbs, resources and API groups the subject needs.",
          ("https://kubernetes.io/docs/concepts/security/rbac-good-practices/",)),
    Check("k8s-rbac-escalation", "RBAC rule allowing escalate, bind or impersonate", Severity.HIGH,
          "These verbs let a subject grant itself, or act with, permissions it does not have.",
          "Remove escalate, bind and impersonate unless the subject administers RBAC.",
          ("https://kubernetes.io/docs/concepts/security/rbac-good-practices/",)),
    Check("k8s-rbac-secrets", "RBAC rule allowing to read Secrets", Severity.MEDIUM,
          "get, list or watch on secrets reads every Secret in scope, service-account tokens included.",
          "Grant access to named Secrets (resourceNames) only, or none.",
          ("https://kubernetes.io/docs/concepts/security/rbac-good-practices/",)),
    Check("k8s-cluster-admin-binding", "Binding to cluster-admin", Severity.HIGH,
          "cluster-admin can do anything in the cluster.",
          "Bind a role with the permissions the subject needs.",
          ("https://kubernetes.io/docs/concepts/security/rbac-good-practices/",)),
    Check("k8s-docker-socket", "Container runtime socket mounted from the host", Severity.CRITICAL,
          "A hostPath volume of the Docker, containerd or CRI-O socket gives the pod full control of the node's "
          "container runtime, and so of the node.",
          "Do not mount the runtime socket; if a tool needs the API, give it a restricted proxy or a rootless "
          "builder.", (f"{_K8S_DOCS}storage/volumes/#hostpath",)),
    Check("k8s-no-network-policy", "Namespace without any NetworkPolicy", Severity.MEDIUM,
          "Without a NetworkPolicy every pod accepts traffic from every other pod in the cluster.",
          "Add a NetworkPolicy (a default deny, then what each workload needs) to the namespace.",
          (f"{_K8S_DOCS}services-networking/network-policies/",)),
)
BY_ID = {check.id: check for check in CHECKS}

_LONG_RUNNING = frozenset({"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"})
_READ = frozenset({"get", "list", "watch", "*"})
_ESCALATE = frozenset({"escalate", "bind", "impersonate"})
# (API groups, resources) on which the verb * includes escalate and bind, or impersonate.
_WILDCARD_IMPLIES = (
    (frozenset({"rbac.authorization.k8s.io", "*"}), frozenset({"roles", "clusterroles", "*"}), ("bind", "escalate")),
    (frozenset({"", "*"}), frozenset({"users", "groups", "serviceaccounts", "*"}), ("impersonate",)),
)
# Objects Kubernetes itself creates in the default namespace: there is no other namespace to put them in.
_BUILT_IN_DEFAULT = frozenset({("ServiceAccount", "default"), ("Service", "kubernetes"),
                               ("ConfigMap", "kube-root-ca.crt")})
# hostPath files or folders of container runtime sockets.
_RUNTIME_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock")


def _containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    for field in ("initContainers", "containers"):
        items = spec.get(field)
        if isinstance(items, list):
            for index, container in enumerate(items):
                if isinstance(container, dict):
                    yield field, index, container


def _name(container: Mapping[str, Any]) -> str:
    return str(container.get("name") or "?")


def _image_hits(where: Path, container: Mapping[str, Any]) -> Iterator[Hit]:
    image = container.get("image")
    if not isinstance(image, str) or not image:
        return
    name = _name(container)
    reference = image.split("@", 1)[0]
    tag = reference.rsplit(":", 1)[1] if ":" in reference.rsplit("/", 1)[-1] else None
    if "@" not in image and (tag is None or tag == "latest"):
        yield Hit("k8s-image-latest", (*where, "image"),
                  f'container "{name}" runs image {image} ({"tag latest" if tag else "no tag"})')
    elif "@" not in image:
        yield Hit("k8s-image-digest", (*where, "image"), f'container "{name}" runs {image} by tag, not digest')
    policy = container.get("imagePullPolicy")
    # Unset, the policy defaults to Always for an image tagged latest or untagged (IfNotPresent otherwise).
    effective = policy or ("Always" if tag is None or tag == "latest" else "IfNotPresent")
    if effective != "Always" and "@" not in image:
        yield Hit("k8s-image-pull-policy", (*where, "imagePullPolicy") if policy else where,
                  f'container "{name}" has imagePullPolicy {policy or "unset (IfNotPresent for a version tag)"}')


def _container_hits(kind: str, where: Path, field: str, container: Mapping[str, Any],
                    secret: SecretTest) -> Iterator[Hit]:
    name = _name(container)
    resources = container.get("resources") if isinstance(container.get("resources"), dict) else {}
    assert isinstance(resources, dict)
    requests = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    limits = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
    assert isinstance(requests, dict) and isinstance(limits, dict)
    missing = [what for what, key in (("CPU", "cpu"), ("memory", "memory")) if not requests.get(key)]
    if missing:
        what = "CPU and memory requests" if len(missing) == 2 else f"a {missing[0]} request"
        yield Hit("k8s-resource-requests", (*where, "resources"), f'container "{name}" lacks {what}')
    if not limits.get("memory"):
        yield Hit("k8s-memory-limit", (*where, "resources"), f'container "{name}" has no memory limit')
    if kind in _LONG_RUNNING and field == "containers":
        if "livenessProbe" not in container:
            yield Hit("k8s-liveness-probe", where, f'container "{name}" has no livenessProbe')
        if "readinessProbe" not in container:
            yield Hit("k8s-readiness-probe", where, f'container "{name}" has no readinessProbe')
    yield from _image_hits(where, container)
    context = container.get("securityContext") if isinstance(container.get("securityContext"), dict) else {}
    assert isinstance(context, dict)
    if context.get("readOnlyRootFilesystem") is not True:
        yield Hit("k8s-read-only-root-fs", (*where, "securityContext", "readOnlyRootFilesystem"),
                  f'container "{name}" does not set securityContext.readOnlyRootFilesystem: true')
    env = container.get("env")
    for index, variable in enumerate(env if isinstance(env, list) else []):
        if not isinstance(variable, dict):
            continue
        value = variable.get("value")
        if isinstance(value, str) and secret(str(variable.get("name", "")), value):
            yield Hit("k8s-secret-in-env", (*where, "env", index, "value"),
                      f'container "{name}" sets {variable.get("name")} to a literal value')


def _rbac_hits(manifest: Manifest) -> Iterator[Hit]:
    rules = manifest.data.get("rules")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        where: Path = ("rules", index)
        verbs = {str(v).lower() for v in rule.get("verbs") or [] if isinstance(v, str)}
        resources = {str(r).lower() for r in rule.get("resources") or [] if isinstance(r, str)}
        groups = {str(g) for g in rule.get("apiGroups") or [] if isinstance(g, str)}
        wild = [field for field, values in (("verbs", verbs), ("resources", resources), ("apiGroups", groups))
                if "*" in values]
        if wild:
            yield Hit("k8s-rbac-wildcard", (*where, wild[0]), f"rule {index} allows * in {', '.join(wild)}")
        risky = sorted(verbs & _ESCALATE)
        if not risky and "*" in verbs:
            implied = [verb for on_groups, on_resources, implies in _WILDCARD_IMPLIES
                       if groups & on_groups and resources & on_resources for verb in implies]
            risky = [f"* (so {', '.join(implied)})"] if implied else []
        if risky:
            yield Hit("k8s-rbac-escalation", (*where, "verbs"), f"rule {index} allows {', '.join(risky)}")
        if (resources & {"secrets", "*"}) and verbs & _READ and not rule.get("resourceNames") and (
                not groups or groups & {"", "*"}):
            yield Hit("k8s-rbac-secrets", (*where, "verbs"),
                      f"rule {index} allows {', '.join(sorted(verbs & _READ))} on secrets")


def _subject(manifest: Manifest) -> str:
    return f"{manifest.kind}/{manifest.name}" if manifest.name else manifest.kind


def check_manifest(manifest: Manifest, secret: SecretTest = literal_secret) -> list[Hit]:
    """The hardening problems of one object, in document order of their checks; `secret` judges literal env
    values."""
    hits: list[Hit] = []
    if manifest.kind != "Namespace" and manifest.namespace in (None, "default") and manifest.kind not in (
            "ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition", "StorageClass",
            "PersistentVolume", "PriorityClass", "IngressClass", "List") and (
            manifest.kind, manifest.name) not in _BUILT_IN_DEFAULT:
        hits.append(Hit("k8s-default-namespace", ("metadata", "namespace") if manifest.namespace else ("metadata",),
                        f"{_subject(manifest)} is in the default namespace"))
    found = pod_of(manifest)
    if found is not None:
        pod, prefix = found
        spec = pod.get("spec")
        if isinstance(spec, dict):
            if spec.get("automountServiceAccountToken") is not False:
                hits.append(Hit("k8s-automount-token", (*prefix, "spec", "automountServiceAccountToken"),
                                "the pod does not set automountServiceAccountToken: false"))
            volumes = spec.get("volumes")
            for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
                host = volume.get("hostPath") if isinstance(volume, dict) else None
                path = host.get("path") if isinstance(host, dict) else None
                if isinstance(path, str) and path.rstrip("/").endswith(_RUNTIME_SOCKETS):
                    hits.append(Hit("k8s-docker-socket", (*prefix, "spec", "volumes", index, "hostPath", "path"),
                                    f"the pod mounts the container runtime socket {path} from the host"))
            for field, index, container in _containers(spec):
                hits.extend(_container_hits(manifest.kind, (*prefix, "spec", field, index), field, container,
                                             secret))
    if manifest.kind == "Service":
        spec = manifest.data.get("spec") if isinstance(manifest.data.get("spec"), dict) else {}
        assert isinstance(spec, dict)
        if spec.get("type") in ("NodePort", "LoadBalancer") and not spec.get("loadBalancerSourceRanges"):
            hits.append(Hit("k8s-service-exposed", ("spec", "type"), f"{_subject(manifest)} is a {spec['type']}"))
    if manifest.kind in ("Role", "ClusterRole"):
        hits.extend(_rbac_hits(manifest))
    if manifest.kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = manifest.data.get("roleRef")
        if isinstance(ref, dict) and ref.get("name") == "cluster-admin":
            hits.append(Hit("k8s-cluster-admin-binding", ("roleRef", "name"),
                            f"{_subject(manifest)} binds cluster-admin"))
    return hits


def check_together(manifests: Sequence[Manifest]) -> list[tuple[Manifest, Hit]]:
    """Problems of the set: each namespace that holds workloads and no NetworkPolicy (reported once, at its
    first workload)."""
    covered = {m.namespace or "default" for m in manifests if m.kind == "NetworkPolicy"}
    reported: set[str] = set()
    out: list[tuple[Manifest, Hit]] = []
    for manifest in manifests:
        namespace = manifest.namespace or "default"
        if pod_of(manifest) is None or namespace in covered or namespace in reported:
            continue
        reported.add(namespace)
        out.append((manifest, Hit("k8s-no-network-policy", ("metadata",),
                                  f'namespace "{namespace}" holds workloads and no NetworkPolicy')))
    return out
