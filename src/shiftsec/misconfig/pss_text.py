"""What a developer reads about each Pod Security Standards control: why it matters and how to meet it (after
the upstream page, policy v1.37), the severity of a finding at each level, and the page to read. The controls'
logic is `pss`'s."""

from __future__ import annotations

from shiftsec.model import Severity

PSS_DOCS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
PSS_SEVERITY = {"baseline": Severity.HIGH, "restricted": Severity.MEDIUM}  # of a finding, by level

# (description, remediation) of each control, after the Pod Security Standards page (policy v1.37).
_PSS_TEXT: dict[str, tuple[str, str]] = {
    "pss-host-process": (
        "Windows HostProcess containers run with the host's privileges and are forbidden.",
        "Remove securityContext.windowsOptions.hostProcess (pod and containers), or set it to false."),
    "pss-host-namespaces": (
        "Sharing the host's network, PID or IPC namespace lets the pod see and reach host processes and traffic.",
        "Remove hostNetwork, hostPID and hostIPC, or set them to false."),
    "pss-privileged": (
        "A privileged container has every capability and the host's devices: it is root on the node.",
        "Remove securityContext.privileged, or set it to false."),
    "pss-capabilities-baseline": (
        "Only the default container capabilities may be added (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, "
        "KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).",
        "Remove other entries from securityContext.capabilities.add."),
    "pss-host-path-volumes": (
        "hostPath volumes expose the node's filesystem to the pod.",
        "Replace hostPath volumes with emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret."),
    "pss-host-ports": (
        "Host ports bind the node's network interfaces and bypass network policies.",
        "Remove hostPort from the container ports (or set it to 0) and expose the pod through a Service."),
    "pss-host-probes-lifecycle": (
        "Probes and lifecycle handlers with a host field can make the kubelet call any address.",
        "Remove the host field from httpGet and tcpSocket probes and lifecycle handlers."),
    "pss-apparmor": (
        "Overriding or disabling the default AppArmor profile removes a layer of confinement.",
        "Use appArmorProfile.type RuntimeDefault or Localhost (or leave it unset); no unconfined profile."),
    "pss-selinux": (
        "Setting a custom SELinux user or role, or a type outside the container types, escapes the policy.",
        "Leave seLinuxOptions.user and role unset; use type container_t, container_init_t, container_kvm_t or "
        "container_engine_t."),
    "pss-proc-mount": (
        "An unmasked /proc exposes kernel interfaces that the default mask hides.",
        "Leave securityContext.procMount unset or Default."),
    "pss-seccomp-baseline": (
        "An unconfined seccomp profile lets the container make every system call.",
        "Do not set seccompProfile.type to Unconfined."),
    "pss-sysctls": (
        "Sysctls outside the namespaced, safe set can affect the whole node.",
        "Use only the safe sysctls (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, "
        "net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start and the other "
        "net.ipv4 settings the standard lists)."),
    "pss-volume-types": (
        "Only volume types that cannot reach the node may be used: configMap, csi, downwardAPI, emptyDir, "
        "ephemeral, image, persistentVolumeClaim, projected and secret.",
        "Replace other volume types with one of these."),
    "pss-privilege-escalation": (
        "Without allowPrivilegeEscalation: false a process can gain more privileges than its parent (setuid "
        "binaries).",
        "Set securityContext.allowPrivilegeEscalation: false on every container."),
    "pss-run-as-non-root": (
        "Containers must not run as root.",
        "Set securityContext.runAsNonRoot: true on the pod or on every container."),
    "pss-run-as-user": (
        "runAsUser 0 makes the container's processes root.",
        "Set runAsUser to a non-zero id, or leave it unset together with runAsNonRoot: true."),
    "pss-seccomp-restricted": (
        "A seccomp profile must be set explicitly, to RuntimeDefault or a Localhost profile.",
        "Set securityContext.seccompProfile.type: RuntimeDefault on the pod or on every container."),
    "pss-capabilities-restricted": (
        "Containers must drop every capability and may add back only NET_BIND_SERVICE.",
        'Set securityContext.capabilities.drop: ["ALL"] and add at most NET_BIND_SERVICE.'),
    "pss-proc-mount-restricted": (
        "An unmasked /proc exposes kernel interfaces that the default mask hides (also outside a user namespace "
        "at the restricted level).",
        "Leave securityContext.procMount unset or Default."),
}


def pss_text(control: str) -> tuple[str, str]:
    """(description, remediation) of a Pod Security Standards control."""
    return _PSS_TEXT[control]
