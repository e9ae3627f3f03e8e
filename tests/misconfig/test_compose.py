"""docker-compose checks: each fires at its field, the hardened service is clean, values never reach a message."""

from __future__ import annotations

import pytest

from shiftsec.misconfig.compose import CHECKS, check, is_compose
from shiftsec.misconfig.kubernetes import load_documents

COMPOSE = """\
services:
  web:
    image: nginx:1.27
    environment:
      LOG_LEVEL: info
      DB_PASSWORD: ${DB_PASSWORD}
  tools:
    image: docker:27
    privileged: true
    network_mode: host
    pid: host
    cap_add: [NET_ADMIN]
    security_opt: ["seccomp:unconfined"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - type: bind
        source: /srv/data
        target: /data
    environment:
      - API_TOKEN=q7Zr2Lw0pVx9Kd3m
      - CERT_FILE=/run/secrets/cert
"""


def test_compose_checks_at_their_lines() -> None:
    ((data, lines),) = load_documents(COMPOSE)

    def line(path: tuple[str | int, ...]) -> int:
        return next(lines[path[:cut]] for cut in range(len(path), -1, -1) if path[:cut] in lines)

    assert [(hit.check, line(hit.path), hit.message) for hit in check(data)] == [
        ("compose-privileged", 9, 'service "tools" is privileged'),
        ("compose-host-namespace", 10, 'service "tools" sets network_mode: host'),
        ("compose-host-namespace", 11, 'service "tools" sets pid: host'),
        ("compose-docker-socket", 15, 'service "tools" mounts /var/run/docker.sock'),
        ("compose-cap-add", 12, 'service "tools" adds NET_ADMIN'),
        ("compose-unconfined", 13, 'service "tools" sets seccomp:unconfined'),
        ("compose-secret-in-env", 20, 'service "tools" sets API_TOKEN to a literal value'),
    ]


@pytest.mark.parametrize(
    ("rel", "expected"),
    [("docker-compose.yml", True), ("deploy/compose.yaml", True), ("docker-compose.override.yml", True),
     ("compose.prod.yaml", True), ("compose.json", False), ("my-compose.yml", False), ("values.yaml", False)],
)
def test_is_compose(rel: str, expected: bool) -> None:
    assert is_compose(rel) is expected


def test_not_a_compose_document() -> None:
    assert check(["a", "list"]) == [] and check({"services": "x"}) == [] and check({"version": "3"}) == []


def test_every_check_is_documented() -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS)
    assert all(c.id.startswith("compose-") and c.description and c.remediation and c.references for c in CHECKS)
