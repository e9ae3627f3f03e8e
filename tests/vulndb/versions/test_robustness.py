"""`parse` never raises, and any two versions of one ecosystem compare, whatever the strings.

`hypothesis` is not a dependency of the project, so this uses a fixed table of hostile strings
plus seeded pseudo-random version-like strings (reproducible: same seed, same strings).
"""

from __future__ import annotations

import itertools
import random

import pytest

from shiftsec.vulndb.versions import Version, parse, supported_ecosystems

GARBAGE = [
    "", " ", "\t\n", "!!", "1..2", "..", ".", "-", "_", "~", "^", ":", "+", "#", "*", "v", "V", "vv1",
    "1.", ".1", "1-", "-1", "1:", ":1", "1::2", "a:b:c", "1-r", "-r", "1-r-", "1_", "_p", "1~", "1^",
    "0", "00", "000.000", "1.0", "1.0.0", "v1.2.3", "1!2!3", "1+2+3", "1.0+", "1.0-+", "1.0--1", "1.0__1",
    "\x00", "1\x00", "\x7f", "é", "1.0é", "🙂", "1.🙂", "\ud800", "１２３", "١٢٣", "²", "1.²", "Ⅻ", "ſ", "K",
    "0x10", "1e10", "-1.0", "+1.0", " 1.0 ", "1 .0", "NaN", "None", "null", "latest", "*", "dev-master",
    "999999999999999999999999999999999999999999", "1." + "9" * 400, "9" * 5000, "1" + ".0" * 2000,
    "a-" * 2000, "#." * 2000, "~" * 3000, "x" * 10_000, "1.2.3.4.5.6.7.8.9.10.11.12",
    "v1.2.3+incompatible", "0.0.0-20210101000000-abcdef123456", "1:2.3-4~5+6", "1.0-r1-r2", "1.0~rc1^git2",
    "1.0.0-SNAPSHOT", "1.0.RELEASE", "6.1H.5-beta", "1.0pl1", "1.0-dev", "2.0b1.post2.dev3+local.7",
]  # fmt: skip

ECOSYSTEMS = (*supported_ecosystems(), "Debian:12", "Alpine:v3.20", "Ubuntu:22.04:LTS", "GIT", "NoSuchEcosystem")

_ALPHABET = "0123456789" * 3 + "....----__++~~^^::!#vVrRpP" + "abcdefghijklmnopqrstuvwxyz" + "ABCZ é"


def _random_versions(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 14))) for _ in range(count)]


def _hash_exempt(ecosystem: str, text: str) -> bool:
    # Packagist: PHP's "#" form equals every number, so a version *starting* with "#" cannot hash
    # like each version it equals (documented in the packagist module); no real version does.
    body = text[1:] if text[:1] in ("v", "V") else text
    return ecosystem == "Packagist" and body.startswith("#")


def _check_pairs(ecosystem: str, texts: list[str]) -> None:
    parsed: list[Version] = [parse(ecosystem, text) for text in texts]
    for (ta, a), (tb, b) in itertools.product(zip(texts, parsed, strict=True), repeat=2):
        result = a.cmp(b)
        assert result in (-1, 0, 1)
        assert b.cmp(a) == -result, (ta, tb)
        assert (a < b, a == b, a > b, a <= b, a >= b) == (
            result < 0, result == 0, result > 0, result <= 0, result >= 0
        ), (ta, tb)  # fmt: skip
        if result == 0 and not (_hash_exempt(ecosystem, ta) or _hash_exempt(ecosystem, tb)):
            assert hash(a) == hash(b), (ta, tb)


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_garbage_parses_and_compares(ecosystem: str) -> None:
    for text in GARBAGE:
        version = parse(ecosystem, text)
        assert version.text == text
        hash(version)
    _check_pairs(ecosystem, GARBAGE)
    sorted(GARBAGE, key=lambda text: parse(ecosystem, text))


def _one_ecosystem_per_family() -> list[str]:
    families: dict[str, str] = {}
    for ecosystem in ECOSYSTEMS:
        families.setdefault(parse(ecosystem, "1").family, ecosystem)
    return sorted(families.values())


@pytest.mark.parametrize("ecosystem", _one_ecosystem_per_family())
def test_random_strings_parse_and_compare(ecosystem: str) -> None:
    texts = _random_versions(seed=sum(map(ord, ecosystem)), count=100)
    _check_pairs(ecosystem, texts + GARBAGE[:40])


@pytest.mark.parametrize("ecosystem", _one_ecosystem_per_family())
def test_long_strings_parse_and_compare(ecosystem: str) -> None:
    hostile = ["1." * 20_000 + "x", "1" * 40_000 + "x", "a1" * 20_000, "1-" * 20_000, "0." * 20_000 + "!"]
    parsed = [parse(ecosystem, text + "?") for text in hostile]  # "?": not cached by an earlier test
    for a, b in itertools.product(parsed, repeat=2):
        assert a.cmp(b) == -b.cmp(a)
