"""The upstream gitleaks config against the examples extracted from gitleaks' own rule tests.

`rule_examples.json` holds, per gitleaks rule id, the literal true positives (`tps`: the rule must report them)
and false positives (`fps`: the rule must not report them) of the rule's Go test function. Each example is
scanned as one file with every rule enabled, as gitleaks does, and only the rule of the same id is judged.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from shiftsec.secrets.engine import Engine
from shiftsec.secrets.gitleaks import load_gitleaks
from tests.conftest import shared

_EXAMPLES: dict[str, Any] = json.loads(shared("secrets", "gitleaks", "rule_examples.json").read_text(encoding="utf-8"))[
    "rules"
]
_RULE_IDS = {
    line.split("=", 1)[1].strip().strip("\"'")
    for line in shared("secrets", "gitleaks", "config", "gitleaks.toml").read_text(encoding="utf-8").splitlines()
    if line.startswith("id =")
}
# Examples whose rule is not in the shipped gitleaks.toml (upstream keeps the rule function but leaves it out
# of the generated default config), so no rule of that id can find them.
_ABSENT = "rule is not part of the shipped gitleaks.toml (upstream leaves it out of the default config)"


def _params(kind: str) -> list[Any]:
    params = []
    for rule_id, examples in sorted(_EXAMPLES.items()):
        for index, text in enumerate(examples[kind]):
            marks = []
            if kind == "tps" and rule_id not in _RULE_IDS:
                marks.append(pytest.mark.xfail(strict=True, reason=_ABSENT))
            params.append(pytest.param(rule_id, text, id=f"{rule_id}-{index}", marks=marks))
    return params


@pytest.fixture(scope="module")
def engine(request: pytest.FixtureRequest) -> Engine:
    rules, allowlist = load_gitleaks(
        shared("secrets", "gitleaks", "config", "gitleaks.toml").read_text(encoding="utf-8")
    )
    return Engine(rules, allowlist, cache_dir=str(request.config.cache.mkdir("shiftsec-hyperscan")))


def _found(engine: Engine, rule_id: str, text: str) -> list[str]:
    return [m.secret for m in engine.scan(text.encode("utf-8"), "example.txt") if m.rule_id == rule_id]


@pytest.mark.parametrize(("rule_id", "text"), _params("tps"))
def test_true_positive_found(engine: Engine, rule_id: str, text: str) -> None:
    assert _found(engine, rule_id, text), f"{rule_id} missed {text!r}"


@pytest.mark.parametrize(("rule_id", "text"), _params("fps"))
def test_false_positive_not_reported(engine: Engine, rule_id: str, text: str) -> None:
    assert not _found(engine, rule_id, text), f"{rule_id} reported {text!r}"


def test_recall_per_rule(engine: Engine) -> None:
    """Print recall and false positives per rule (visible with `-s`); the totals match the tests above."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for rule_id, examples in sorted(_EXAMPLES.items()):
        row = table[rule_id]
        for text in examples["tps"]:
            row[0] += bool(_found(engine, rule_id, text))
            row[1] += 1
        for text in examples["fps"]:
            row[2] += bool(_found(engine, rule_id, text))
            row[3] += 1
    for rule_id, (tp, tps, fp, fps) in table.items():
        if tps or fps:
            print(f"{rule_id:50} recall {tp}/{tps}  false positives {fp}/{fps}")
    totals = [sum(row[i] for row in table.values()) for i in range(4)]
    print("total: recall {}/{}, false positives {}/{}".format(*totals))
    missed = sorted(r for r, row in table.items() if row[0] < row[1])
    assert all(r not in _RULE_IDS for r in missed), missed
    assert totals[2] == 0
