"""Literal secrets in Kubernetes env, compose environment and Dockerfile ENV/ARG are judged by the variable's
name and by the secret scanner's rules on the value, so a token under an innocent name is still caught and a
placeholder under a secret-sounding name is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.engine import misconfig_options
from shiftsec.scanners.misconfig import Options, scan_files

GITHUB_TOKEN = "ghp_" + "1234567890abcdefghij" + "ABCDEFGHIJ123456"  # split so this file holds no token
DATABASE_URL = "postgres://app:" + "S3cr3tPassw0rd" + "@db:5432/app"

CASES = [
    # (variable, value, a secret?) — the reason is in the name of each case.
    pytest.param("GITHUB_AUTH", GITHUB_TOKEN, True, id="provider token under a plain name: by the rules"),
    pytest.param("DATABASE_URL", DATABASE_URL, True, id="connection string with a password: by the rules"),
    pytest.param("DB_PASSWORD", "hunter2-but-longer", True, id="secret-sounding name with a literal: by the name"),
    pytest.param("API_TOKEN", "${TOKEN}", False, id="substitution placeholder"),
    pytest.param("TOKEN_FILE", "/run/secrets/token", False, id="names the file holding the secret"),
    pytest.param("LOG_LEVEL", "debug", False, id="ordinary setting"),
    pytest.param("UPSTREAM", "https://api.example.com/v1", False, id="ordinary URL"),
]


def _k8s(name: str, value: str) -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: shop}}\nspec:\n  containers:\n"
            f"    - name: a\n      image: a@sha256:1\n      env:\n        - name: {name}\n"
            f"          value: \"{value}\"\n")


@pytest.fixture(scope="module")
def options() -> Options:
    return misconfig_options(None, (), False)


@pytest.mark.parametrize(("name", "value", "secret"), CASES)
def test_literal_values_in_every_config_type(tmp_path: Path, options: Options, name: str, value: str,
                                             secret: bool) -> None:
    files = {
        "pod.yaml": _k8s(name, value),
        "compose.yaml": f"services:\n  web:\n    image: nginx\n    environment:\n      {name}: \"{value}\"\n",
        "Dockerfile": f"FROM alpine:3.20\nENV {name}=\"{value}\"\nUSER app\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).write_text(text)
    result = scan_files(tmp_path, sorted(files), options=options)
    hits = sorted((f.rule_id, f.location.path, f.location.line) for f in result.findings
                  if f.rule_id.endswith("secret-in-env"))
    expected = [("compose-secret-in-env", "compose.yaml", 5), ("dockerfile-secret-in-env", "Dockerfile", 2),
                ("k8s-secret-in-env", "pod.yaml", 10)] if secret else []
    assert hits == expected
    for finding in result.findings:  # the value itself never appears in a message
        assert value not in finding.message or not secret
