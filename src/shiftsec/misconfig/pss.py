"""Kubernetes Pod Security Standards (baseline and restricted), as pod-security-admission evaluates policy v1.37.

Pure functions over an already-parsed Pod document (``{"metadata": ..., "spec": ...}``); a workload's pod template
is passed in the same shape. The semantics follow the checks registered in ``k8s.io/pod-security-admission/policy``
at policy version v1.37, including its overrides (restricted checks replacing baseline ones), the Windows exemptions
of some restricted checks and the user-namespace (``hostUsers: false``) relaxations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from operator import indexOf, itemgetter
from typing import Any, NamedTuple

__all__ = ["CONTROLS", "LEVELS", "Violation", "check_pod"]

Path = tuple[str | int, ...]

LEVELS = ("baseline", "restricted")


class Violation(NamedTuple):
    """One breach of a Pod Security Standards control. A named tuple rather than a frozen dataclass: as immutable,
    and three times cheaper to build (each frozen field is set by a call) and to define (12 M instructions less
    on Checkov's 311 examples, 1,968 violations)."""

    control: str
    level: str
    title: str
    path: Path
    message: str


CONTROLS: tuple[tuple[str, str, str], ...] = (
    ("pss-host-process", "baseline", "HostProcess"),
    ("pss-host-namespaces", "baseline", "Host namespaces"),
    ("pss-privileged", "baseline", "Privileged containers"),
    ("pss-capabilities-baseline", "baseline", "Capabilities"),
    ("pss-host-path-volumes", "baseline", "HostPath volumes"),
    ("pss-host-ports", "baseline", "Host ports"),
    ("pss-host-probes-lifecycle", "baseline", "Host probes and lifecycle hooks"),
    ("pss-apparmor", "baseline", "AppArmor"),
    ("pss-selinux", "baseline", "SELinux"),
    ("pss-proc-mount", "baseline", "/proc mount type"),
    ("pss-seccomp-baseline", "baseline", "Seccomp"),
    ("pss-sysctls", "baseline", "Sysctls"),
    ("pss-volume-types", "restricted", "Volume types"),
    ("pss-privilege-escalation", "restricted", "Privilege escalation"),
    ("pss-run-as-non-root", "restricted", "Running as non-root"),
    ("pss-run-as-user", "restricted", "Running as non-root user"),
    ("pss-seccomp-restricted", "restricted", "Seccomp (restricted)"),
    ("pss-capabilities-restricted", "restricted", "Capabilities (restricted)"),
    ("pss-proc-mount-restricted", "restricted", "/proc mount type (restricted)"),
)

_CONTROL_INFO: dict[str, tuple[str, str]] = {cid: (level, title) for cid, level, title in CONTROLS}

# Baseline controls that a restricted control replaces when the restricted level is checked (PSA OverrideCheckIDs).
_OVERRIDDEN_AT_RESTRICTED = frozenset(
    {"pss-host-path-volumes", "pss-capabilities-baseline", "pss-seccomp-baseline", "pss-proc-mount"}
)

_BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)

_SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})

_SAFE_SYSCTLS = frozenset(
    {
        # policy 1.0
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        # policy 1.27
        "net.ipv4.ip_local_reserved_ports",
        # policy 1.29
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        # policy 1.32
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
        # policy 1.37
        "net.ipv4.tcp_slow_start_after_idle",
        "net.ipv4.tcp_notsent_lowat",
    }
)

_RESTRICTED_VOLUME_SOURCES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)

_APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
_APPARMOR_FIELD_TYPES = frozenset({"RuntimeDefault", "Localhost"})
_SECCOMP_RESTRICTED_TYPES = frozenset({"RuntimeDefault", "Localhost"})

_CONTAINER_KINDS = ("initContainers", "containers", "ephemeralContainers")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_LIFECYCLE_HANDLERS = ("postStart", "preStop")
_HOST_ACTIONS = ("httpGet", "tcpSocket")


# ---------------------------------------------------------------------------------------------------------------
# Small accessors tolerant of malformed documents (wrong types are treated as absent). Documents from the loader
# hold plain dicts: `type(x) is dict` answers for them, and for None, before the ABC check `isinstance(x, Mapping)`,
# which costs ten times more (28,000 of them on Checkov's 311 examples).


def _map(value: Any) -> Mapping[str, Any]:
    if type(value) is dict:
        return value
    return value if value is not None and isinstance(value, Mapping) else {}


def _seq(value: Any) -> Sequence[Any]:
    return value if isinstance(value, (list, tuple)) else ()


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_true(value: Any) -> bool:
    return value is True


def _is_false(value: Any) -> bool:
    return value is False


class _Container:
    """One container of the pod, with what every control reads of it (read once). A plain class: defining a
    dataclass costs more at start-up than it saves here."""

    __slots__ = ("body", "label", "name", "path", "security_context")

    def __init__(self, path: Path, name: str, body: Mapping[str, Any]) -> None:
        self.path = path  # ("spec", kind, index)
        self.name = name
        self.body = body
        self.security_context = _map(body.get("securityContext"))
        self.label = f'container "{name}"' if name else f"container at {'.'.join(map(str, path[1:]))}"


def _containers(spec: Mapping[str, Any]) -> Iterator[_Container]:
    for kind in _CONTAINER_KINDS:
        for index, item in enumerate(_seq(spec.get(kind))):
            body = _map(item)
            yield _Container(("spec", kind, index), _str(body.get("name")), body)


def _deepest(doc: Mapping[str, Any], path: Path) -> tuple[Path, tuple[int, ...]]:
    """Longest prefix of `path` that exists in `doc` (the closest existing parent of a missing field), and its
    place in document order (each step's key insertion index or list index: the sort key of violations)."""
    node: Any = doc
    position: list[int] = []
    for depth, step in enumerate(path):
        if isinstance(step, str) and (type(node) is dict or isinstance(node, Mapping)) and step in node:
            position.append(indexOf(node, step))  # the key's insertion index, without a list of the keys
        elif isinstance(step, int) and isinstance(node, (list, tuple)) and 0 <= step < len(node):
            position.append(step)
        else:
            return path[:depth], tuple(position)
        node = node[step]
    return path, tuple(position)


def _quote(items: Sequence[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)


class _Sink:
    """Collects violations for one pod (and holds its containers, read once for every control)."""

    def __init__(self, doc: Mapping[str, Any], spec: Mapping[str, Any]) -> None:
        self.doc = doc
        self.containers = list(_containers(spec))
        self.found: list[tuple[tuple[int, ...], Violation]] = []  # with each one's place in the document

    def add(self, control: str, path: Path, message: str) -> None:
        level, title = _CONTROL_INFO[control]
        where, position = _deepest(self.doc, path)
        self.found.append((position, Violation(control, level, title, where, message)))

    def in_document_order(self) -> list[Violation]:
        return [violation for _, violation in sorted(self.found, key=itemgetter(0))]  # stable: ties keep order


_Check = Callable[[Mapping[str, Any], Mapping[str, Any], _Sink], None]


# ---------------------------------------------------------------------------------------------------------------
# Baseline controls.


def _host_process(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    pod_sc = _map(spec.get("securityContext"))
    if _is_true(_map(pod_sc.get("windowsOptions")).get("hostProcess")):
        out.add(
            "pss-host-process",
            ("spec", "securityContext", "windowsOptions", "hostProcess"),
            "pod sets securityContext.windowsOptions.hostProcess: true",
        )
    for c in out.containers:
        if _is_true(_map(c.security_context.get("windowsOptions")).get("hostProcess")):
            out.add(
                "pss-host-process",
                (*c.path, "securityContext", "windowsOptions", "hostProcess"),
                f"{c.label} sets securityContext.windowsOptions.hostProcess: true",
            )


def _host_namespaces(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if _is_true(spec.get(field)):
            out.add("pss-host-namespaces", ("spec", field), f"pod sets {field}: true")


def _privileged(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for c in out.containers:
        if _is_true(c.security_context.get("privileged")):
            out.add(
                "pss-privileged",
                (*c.path, "securityContext", "privileged"),
                f"{c.label} sets securityContext.privileged: true",
            )


def _capabilities_baseline(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for c in out.containers:
        added = _seq(_map(c.security_context.get("capabilities")).get("add"))
        bad = [str(cap) for cap in added if str(cap) not in _BASELINE_CAPABILITIES]
        if bad:
            out.add(
                "pss-capabilities-baseline",
                (*c.path, "securityContext", "capabilities", "add"),
                f"{c.label} adds non-default capabilities {_quote(bad)}",
            )


def _host_path_volumes(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for index, item in enumerate(_seq(spec.get("volumes"))):
        volume = _map(item)
        if volume.get("hostPath") is not None:
            out.add(
                "pss-host-path-volumes",
                ("spec", "volumes", index, "hostPath"),
                f'volume "{_str(volume.get("name"))}" is a hostPath volume',
            )


def _host_ports(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for c in out.containers:
        for index, item in enumerate(_seq(c.body.get("ports"))):
            host_port = _map(item).get("hostPort")
            if host_port not in (None, 0):
                out.add(
                    "pss-host-ports",
                    (*c.path, "ports", index, "hostPort"),
                    f"{c.label} uses hostPort {host_port}",
                )


def _host_probes_lifecycle(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for c in out.containers:
        handlers: list[tuple[Path, str, Mapping[str, Any]]] = [
            ((probe,), probe, _map(c.body.get(probe))) for probe in _PROBES
        ]
        lifecycle = _map(c.body.get("lifecycle"))
        handlers += [
            (("lifecycle", hook), f"lifecycle.{hook}", _map(lifecycle.get(hook))) for hook in _LIFECYCLE_HANDLERS
        ]
        for rel, label, handler in handlers:
            for action in _HOST_ACTIONS:
                host = _map(handler.get(action)).get("host")
                if host not in (None, ""):
                    out.add(
                        "pss-host-probes-lifecycle",
                        (*c.path, *rel, action, "host"),
                        f"{c.label} sets {label}.{action}.host: {host}",
                    )


def _apparmor(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for key, value in _map(meta.get("annotations")).items():
        if not isinstance(key, str) or not key.startswith(_APPARMOR_ANNOTATION_PREFIX):
            continue
        profile = _str(value)
        if profile in {"", "runtime/default"} or profile.startswith("localhost/"):
            continue
        container = key[len(_APPARMOR_ANNOTATION_PREFIX) :]
        out.add(
            "pss-apparmor",
            ("metadata", "annotations", key),
            f'annotation {key} sets AppArmor profile "{profile}" for container "{container}"',
        )
    pod_profile = _map(spec.get("securityContext")).get("appArmorProfile")
    pod_type = _str(_map(pod_profile).get("type"))
    if pod_profile is not None and pod_type not in _APPARMOR_FIELD_TYPES:
        out.add(
            "pss-apparmor",
            ("spec", "securityContext", "appArmorProfile", "type"),
            f'pod sets securityContext.appArmorProfile.type: "{pod_type}"',
        )
    for c in out.containers:
        profile_field = c.security_context.get("appArmorProfile")
        c_type = _str(_map(profile_field).get("type"))
        if profile_field is not None and c_type not in _APPARMOR_FIELD_TYPES:
            out.add(
                "pss-apparmor",
                (*c.path, "securityContext", "appArmorProfile", "type"),
                f'{c.label} sets securityContext.appArmorProfile.type: "{c_type}"',
            )


def _selinux_options(out: _Sink, where: Path, who: str, options: Mapping[str, Any]) -> None:
    se_type = options.get("type")
    if se_type is not None and (not isinstance(se_type, str) or se_type not in _SELINUX_TYPES):
        out.add("pss-selinux", (*where, "type"), f'{who} sets securityContext.seLinuxOptions.type: "{se_type}"')
    for field in ("user", "role"):
        value = options.get(field)
        if value not in (None, ""):
            out.add("pss-selinux", (*where, field), f'{who} sets securityContext.seLinuxOptions.{field}: "{value}"')


def _selinux(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    pod_options = _map(_map(spec.get("securityContext")).get("seLinuxOptions"))
    _selinux_options(out, ("spec", "securityContext", "seLinuxOptions"), "pod", pod_options)
    for c in out.containers:
        options = _map(c.security_context.get("seLinuxOptions"))
        _selinux_options(out, (*c.path, "securityContext", "seLinuxOptions"), c.label, options)


def _user_namespace_pod(spec: Mapping[str, Any]) -> bool:
    return _is_false(spec.get("hostUsers"))


def _proc_mount_check(control: str, spec: Mapping[str, Any], out: _Sink) -> None:
    for c in out.containers:
        mount = c.security_context.get("procMount")
        if mount is not None and mount != "Default":
            message = f'{c.label} sets securityContext.procMount: "{mount}"'
            out.add(control, (*c.path, "securityContext", "procMount"), message)


def _proc_mount(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    # Policy 1.35+: baseline allows any procMount in a user-namespaced pod (hostUsers: false).
    if not _user_namespace_pod(spec):
        _proc_mount_check("pss-proc-mount", spec, out)


def _seccomp_baseline(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    # Policy 1.19+ checks the seccompProfile fields only (the alpha annotations are checked below 1.19 only).
    pod_profile = _map(_map(spec.get("securityContext")).get("seccompProfile"))
    if pod_profile.get("type") == "Unconfined":
        out.add(
            "pss-seccomp-baseline",
            ("spec", "securityContext", "seccompProfile", "type"),
            'pod sets securityContext.seccompProfile.type: "Unconfined"',
        )
    for c in out.containers:
        if _map(c.security_context.get("seccompProfile")).get("type") == "Unconfined":
            out.add(
                "pss-seccomp-baseline",
                (*c.path, "securityContext", "seccompProfile", "type"),
                f'{c.label} sets securityContext.seccompProfile.type: "Unconfined"',
            )


def _sysctls(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for index, item in enumerate(_seq(_map(spec.get("securityContext")).get("sysctls"))):
        name = _map(item).get("name")
        if not isinstance(name, str) or name not in _SAFE_SYSCTLS:
            out.add(
                "pss-sysctls",
                ("spec", "securityContext", "sysctls", index, "name"),
                f'pod sets unsafe sysctl "{name}"',
            )


# ---------------------------------------------------------------------------------------------------------------
# Restricted controls.


def _windows_pod(spec: Mapping[str, Any]) -> bool:
    return _map(spec.get("os")).get("name") == "windows"


def _volume_types(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    for index, item in enumerate(_seq(spec.get("volumes"))):
        volume = _map(item)
        sources = [key for key, value in volume.items() if key != "name" and value is not None]
        # The API server defaults a volume without any source to emptyDir, which is allowed.
        if not sources or any(source in _RESTRICTED_VOLUME_SOURCES for source in sources):
            continue
        out.add(
            "pss-volume-types",
            ("spec", "volumes", index, sources[0]),
            f'volume "{_str(volume.get("name"))}" uses restricted volume type {sources[0]}',
        )


def _privilege_escalation(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    if _windows_pod(spec):  # policy 1.25+
        return
    for c in out.containers:
        if not _is_false(c.security_context.get("allowPrivilegeEscalation")):
            out.add(
                "pss-privilege-escalation",
                (*c.path, "securityContext", "allowPrivilegeEscalation"),
                f"{c.label} must set securityContext.allowPrivilegeEscalation: false",
            )


def _run_as_non_root(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    if _user_namespace_pod(spec):  # policy 1.35+
        return
    pod_value = _map(spec.get("securityContext")).get("runAsNonRoot")
    explicit: list[tuple[Path, str]] = []
    implicit: list[tuple[Path, str]] = []
    if pod_value is not None and not _is_true(pod_value):
        explicit.append((("spec", "securityContext", "runAsNonRoot"), "pod sets securityContext.runAsNonRoot: false"))
    for c in out.containers:
        value = c.security_context.get("runAsNonRoot")
        path = (*c.path, "securityContext", "runAsNonRoot")
        if value is not None:
            if not _is_true(value):
                explicit.append((path, f"{c.label} sets securityContext.runAsNonRoot: false"))
        elif not _is_true(pod_value):
            implicit.append((path, f"pod or {c.label} must set securityContext.runAsNonRoot: true"))
    # PSA reports explicit offenders first and only falls back to the implicit ones when there are none.
    for path, message in explicit or implicit:
        out.add("pss-run-as-non-root", path, message)


def _run_as_user(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    if _user_namespace_pod(spec):  # policy 1.35+
        return
    pod_sc = _map(spec.get("securityContext"))
    if pod_sc.get("runAsUser") == 0 and pod_sc.get("runAsUser") is not False:
        out.add("pss-run-as-user", ("spec", "securityContext", "runAsUser"), "pod sets securityContext.runAsUser: 0")
    for c in out.containers:
        value = c.security_context.get("runAsUser")
        if value == 0 and value is not False:
            out.add(
                "pss-run-as-user",
                (*c.path, "securityContext", "runAsUser"),
                f"{c.label} sets securityContext.runAsUser: 0",
            )


def _seccomp_restricted(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    if _windows_pod(spec):  # policy 1.25+
        return
    pod_profile = _map(spec.get("securityContext")).get("seccompProfile")
    pod_valid = False
    if pod_profile is not None:
        pod_type = _str(_map(pod_profile).get("type"))
        if pod_type in _SECCOMP_RESTRICTED_TYPES:
            pod_valid = True
        else:
            out.add(
                "pss-seccomp-restricted",
                ("spec", "securityContext", "seccompProfile", "type"),
                f'pod must not set securityContext.seccompProfile.type to "{pod_type}"',
            )
    for c in out.containers:
        profile = c.security_context.get("seccompProfile")
        path = (*c.path, "securityContext", "seccompProfile", "type")
        if profile is not None:
            ctype = _str(_map(profile).get("type"))
            if ctype not in _SECCOMP_RESTRICTED_TYPES:
                out.add(
                    "pss-seccomp-restricted",
                    path,
                    f'{c.label} must not set securityContext.seccompProfile.type to "{ctype}"',
                )
        elif not pod_valid:
            out.add(
                "pss-seccomp-restricted",
                path,
                f'pod or {c.label} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
            )


def _capabilities_restricted(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    if _windows_pod(spec):  # policy 1.25+
        return
    for c in out.containers:
        caps = _map(c.security_context.get("capabilities"))
        if "ALL" not in _seq(caps.get("drop")):
            out.add(
                "pss-capabilities-restricted",
                (*c.path, "securityContext", "capabilities", "drop"),
                f'{c.label} must set securityContext.capabilities.drop: ["ALL"]',
            )
        bad = [str(cap) for cap in _seq(caps.get("add")) if cap != "NET_BIND_SERVICE"]
        if bad:
            out.add(
                "pss-capabilities-restricted",
                (*c.path, "securityContext", "capabilities", "add"),
                f'{c.label} must not add capabilities other than "NET_BIND_SERVICE" (adds {_quote(bad)})',
            )


def _proc_mount_restricted(meta: Mapping[str, Any], spec: Mapping[str, Any], out: _Sink) -> None:
    # Policy 1.35+: replaces the baseline procMount check and applies it without the user-namespace relaxation.
    _proc_mount_check("pss-proc-mount-restricted", spec, out)


_CHECKS: dict[str, _Check] = {
    "pss-host-process": _host_process,
    "pss-host-namespaces": _host_namespaces,
    "pss-privileged": _privileged,
    "pss-capabilities-baseline": _capabilities_baseline,
    "pss-host-path-volumes": _host_path_volumes,
    "pss-host-ports": _host_ports,
    "pss-host-probes-lifecycle": _host_probes_lifecycle,
    "pss-apparmor": _apparmor,
    "pss-selinux": _selinux,
    "pss-proc-mount": _proc_mount,
    "pss-seccomp-baseline": _seccomp_baseline,
    "pss-sysctls": _sysctls,
    "pss-volume-types": _volume_types,
    "pss-privilege-escalation": _privilege_escalation,
    "pss-run-as-non-root": _run_as_non_root,
    "pss-run-as-user": _run_as_user,
    "pss-seccomp-restricted": _seccomp_restricted,
    "pss-capabilities-restricted": _capabilities_restricted,
    "pss-proc-mount-restricted": _proc_mount_restricted,
}


def _plan(level: str) -> tuple[_Check, ...]:
    """The checks run at `level`, in `CONTROLS` order."""
    return tuple(_CHECKS[control] for control, control_level, _title in CONTROLS
                 if not (level == "baseline" and control_level != "baseline")
                 and not (level == "restricted" and control in _OVERRIDDEN_AT_RESTRICTED))


_PLAN = {level: _plan(level) for level in LEVELS}


def check_pod(pod: Mapping[str, Any], level: str = "restricted") -> list[Violation]:
    """Check a Pod-shaped document against the Pod Security Standards at `level`.

    `pod` has the shape of a Pod: {"metadata": {...annotations...}, "spec": {...}} (a workload's pod template is
    passed in the same shape). `level` "baseline" checks the baseline controls only; "restricted" checks baseline +
    restricted. Violations in document order.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown Pod Security Standards level {level!r} (expected one of {', '.join(LEVELS)})")
    meta = _map(pod.get("metadata"))
    spec = _map(pod.get("spec"))
    out = _Sink(pod, spec)
    for check in _PLAN[level]:
        check(meta, spec, out)
    return out.in_document_order()
