"""The built-in engine against Bandit's labelled examples (see `agreement.py` for the method): the exact list of
cases where shiftsec reports fewer HIGH or MEDIUM findings than Bandit expects, each with its reason, and the
generated document kept in step with the measurement."""

from __future__ import annotations

from tests.sast.agreement import DOC, MISSES, markdown, table


def test_cases_where_shiftsec_finds_fewer_are_exactly_the_explained_ones() -> None:
    rows = table()
    assert len(rows) == 86  # every check_example case with an expectation
    misses = sorted(r.example for r in rows if not r.agrees)
    assert misses == sorted(MISSES)
    assert all(len(reason) > 40 for reason in MISSES.values())


def test_agreement_ratio() -> None:
    rows = table()
    assert sum(r.agrees for r in rows) == 71  # 71 of 86 (82.6%); the 15 misses are MISSES


def test_exact_agreement_on_hash_functions_graded_like_bandit() -> None:
    # hashlib md5/sha1 are HIGH (B324), pycrypto/cryptography hashes MEDIUM (B303), crypt methods MEDIUM (B324)
    row = next(r for r in table() if r.example == "crypto-md5.py")
    assert (row.high, row.medium) == (row.bandit_high, row.bandit_medium) == (9, 16)


def test_document_is_current() -> None:
    assert DOC.read_text() == markdown(table()), "run: .venv/bin/python -m tests.sast.agreement"
