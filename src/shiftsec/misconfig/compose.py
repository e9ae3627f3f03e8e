"""docker-compose checks: services that give up the container boundary, or carry secrets in the file.

Pure: `check(data)` receives one compose document as plain data (see `kubernetes.load_documents`, which also gives
the lines) and returns `Hit`s with the path of the field to point at. Messages name variables, never their values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shiftsec.misconfig.common import Check, Hit, Path, SecretTest, literal_secret
from shiftsec.model import Severity

_DOCS = "https://docs.docker.com/reference/compose-file/services/"


def _check(id: str, title: str, severity: Severity, description: str, remediation: str) -> Check:
    return Check(id, title, severity, description, remediation, (_DOCS,))


CHECKS: tuple[Check, ...] = (
    _check("compose-privileged", "Privileged service", Severity.HIGH,
          "A privileged container has every capability and the host's devices: it is root on the host.",
          "Remove privileged: true; add only the capabilities the service needs."),
    _check("compose-host-namespace", "Service shares a host namespace", Severity.HIGH,
          "network_mode, pid or ipc set to host lets the service see and reach the host's network, processes or "
          "shared memory.", "Remove network_mode/pid/ipc: host; publish the ports the service needs."),
    _check("compose-docker-socket", "Docker socket mounted into a service", Severity.CRITICAL,
          "Whoever controls the Docker socket controls the host.",
          "Do not mount /var/run/docker.sock; if a tool needs the API, give it a restricted proxy."),
    _check("compose-cap-add", "Service adds Linux capabilities", Severity.MEDIUM,
          "Added capabilities widen what a compromised process may do (SYS_ADMIN or ALL: nearly root).",
          "Drop cap_add, or keep only what the service needs (and cap_drop: [ALL])."),
    _check("compose-unconfined", "Service runs without seccomp or AppArmor confinement", Severity.HIGH,
          "security_opt seccomp:unconfined or apparmor:unconfined removes the kernel's syscall and file filters.",
          "Remove the unconfined security_opt; use a custom profile if the default blocks something needed."),
    _check("compose-secret-in-env", "Secret-like value written literally in environment", Severity.HIGH,
          "A password or token in the compose file is in every copy of it: the repository, CI logs, `docker inspect`.",
          "Use compose secrets, or an env_file kept out of the repository, or ${VARIABLE} substitution."),
)
BY_ID = {check.id: check for check in CHECKS}

_UNCONFINED = ("seccomp:unconfined", "apparmor:unconfined")


def _env(environment: Any) -> Iterator[tuple[Path, str, str]]:
    """(path, name, value) of each literal variable, in either compose form (a mapping, or NAME=value items)."""
    if isinstance(environment, Mapping):
        for name, value in environment.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                yield (str(name),), str(name), str(value)
    elif isinstance(environment, list):
        for index, item in enumerate(environment):
            if isinstance(item, str) and "=" in item:
                name, _, value = item.partition("=")
                yield (index,), name, value


def _service(name: str, service: Mapping[str, Any], secret: SecretTest) -> Iterator[Hit]:
    where: Path = ("services", name)
    if service.get("privileged") is True:
        yield Hit("compose-privileged", (*where, "privileged"), f'service "{name}" is privileged')
    for field in ("network_mode", "pid", "ipc"):
        if service.get(field) == "host":
            yield Hit("compose-host-namespace", (*where, field), f'service "{name}" sets {field}: host')
    volumes = service.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        source = volume.get("source") if isinstance(volume, Mapping) else volume
        host_path = source.split(":", 1)[0] if isinstance(source, str) else ""
        if "docker.sock" in host_path:
            yield Hit("compose-docker-socket", (*where, "volumes", index), f'service "{name}" mounts {host_path}')
    added = service.get("cap_add")
    if isinstance(added, list) and added:
        yield Hit("compose-cap-add", (*where, "cap_add"), f'service "{name}" adds {", ".join(map(str, added))}')
    options = service.get("security_opt")
    for index, option in enumerate(options if isinstance(options, list) else []):
        if isinstance(option, str) and option.replace("=", ":").lower() in _UNCONFINED:
            yield Hit("compose-unconfined", (*where, "security_opt", index), f'service "{name}" sets {option}')
    for path, variable, value in _env(service.get("environment")):
        if secret(variable, value):
            yield Hit("compose-secret-in-env", (*where, "environment", *path),
                      f'service "{name}" sets {variable} to a literal value')


def is_compose(rel: str) -> bool:
    """Whether the file at `rel` is a compose file by its name (compose.yaml, docker-compose.override.yml...)."""
    name = rel.rsplit("/", 1)[-1].lower()
    stem, _, suffix = name.rpartition(".")
    return suffix in ("yml", "yaml") and (stem in ("compose", "docker-compose") or stem.startswith(
        ("docker-compose.", "compose.")))


def check(data: Any, secret: SecretTest = literal_secret) -> list[Hit]:
    """The problems of one compose document, service by service in file order; `secret` judges literal
    environment values."""
    services = data.get("services") if isinstance(data, Mapping) else None
    if not isinstance(services, Mapping):
        return []
    return [hit for name, service in services.items() if isinstance(service, Mapping)
            for hit in _service(str(name), service, secret)]
