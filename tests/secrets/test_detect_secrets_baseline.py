"""shiftsec's default rules on detect-secrets' test data, compared with detect-secrets' own baseline.

`test_data/baseline.file` lists what detect-secrets (2020, 16 plugins) reports per file: line, detector type and the
SHA-1 of the secret. Every file of `test_data` is scanned with shiftsec's shipped rules (one engine, as `shiftsec fs`
scans) and the two are compared per (file, line): lines both report ("agree"), lines only detect-secrets reports and
lines only shiftsec reports. detect-secrets' entropy and keyword detectors are heuristics, shiftsec's rules are
provider formats plus gated generic rules, so differences are expected; `EXPECTED` holds the reviewed classification
of every row with the reason, asserted exactly.

Some test files changed after the baseline was written (a line was added near the top of `each_secret.py`, one
removed from `config.yaml`), so each baseline entry is first located by its hash: on its line, else within two
lines, else where another entry of the same baseline line moved; an entry whose hash is nowhere keeps its line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from shiftsec.secrets.engine import Engine
from shiftsec.secrets.rules import default_rule_file
from tests.conftest import shared

AGREE = "agree"
DS_ONLY = "detect-secrets only"
SHIFTSEC_ONLY = "shiftsec only"

# Reasons shared by several rows.
NO_NAME = "no credential name on the line: detect-secrets' entropy heuristic flags any random-looking string"
DIGITS = "a digit run with one letter (`123456789a`-style): detect-secrets' hex heuristic, no secret"
PRAGMA = "detect-secrets honours its `pragma: allowlist secret` comment; shiftsec's inline marker is `shiftsec:ignore`"
BINARY = "a YAML `!!binary` value: detect-secrets' keyword detector takes `!!binary` for the value and its entropy "
STALE = "the baseline predates the current file: this entry's hash is in no line of it"

# (file, line, detect-secrets type | "shiftsec:<rule id>") -> (classification, reason)
EXPECTED: dict[tuple[str, int, str], tuple[str, str]] = {
    ("config.env", 1, "Base64 High Entropy String"): (DS_ONLY, NO_NAME + " (`mimi=`)"),
    ("config.ini", 2, "Hex High Entropy String"): (AGREE, "an unquoted INI password: generic-config-password"),
    ("config.ini", 2, "Secret Keyword"): (AGREE, "an unquoted INI password: generic-config-password"),
    ("config.ini", 2, "shiftsec:generic-config-password"): (AGREE, "the same password"),
    ("config.ini", 10, "Hex High Entropy String"): (
        DS_ONLY,
        "`aws_secret_key = 23456789a1`: 10 characters, no AWS secret key (those are 40 base64 characters)",
    ),
    ("config.ini", 26, "shiftsec:generic-config-password"): (SHIFTSEC_ONLY, PRAGMA),
    ("config.ini", 32, "shiftsec:generic-api-key"): (
        SHIFTSEC_ONLY,
        "the baseline predates the `[key with id in name]` section; detect-secrets' own tests expect this line "
        "(`real_secret_which_isnt_an_i_d`) to be reported and the next (`foreign_key_id`) not, as shiftsec does",
    ),
    ("config.md", 10, "Base64 High Entropy String"): (
        DS_ONLY,
        "`key=\"...\"`: a bare `key` is too common a name for shiftsec's generic rules (key bindings, dict keys, ids)",
    ),
    ("config.yaml", 3, "Hex High Entropy String"): (DS_ONLY, DIGITS + " (`other_value_here: 1234567890a`)"),
    ("config.yaml", 4, "Hex High Entropy String"): (DS_ONLY, STALE),
    ("config.yaml", 12, "shiftsec:generic-api-key"): (SHIFTSEC_ONLY, PRAGMA),
    ("config.yaml", 13, "Base64 High Entropy String"): (
        DS_ONLY,
        BINARY + "detector the base64 payload, which decodes to a low-entropy test string; shiftsec does not decode",
    ),
    ("config.yaml", 13, "Secret Keyword"): (DS_ONLY, BINARY + "detector the payload"),
    ("config2.yaml", 2, "Hex High Entropy String"): (
        DS_ONLY,
        BINARY + "detector the decoded payload, a 32-hex string; shiftsec does not decode YAML binary scalars",
    ),
    ("config2.yaml", 2, "Secret Keyword"): (DS_ONLY, BINARY + "detector the payload"),
    ("each_secret.py", 4, "Base64 High Entropy String"): (AGREE, "`base64_secret = '...'`: generic-api-key"),
    ("each_secret.py", 4, "Secret Keyword"): (AGREE, "`base64_secret = '...'`: generic-api-key"),
    ("each_secret.py", 4, "shiftsec:generic-api-key"): (AGREE, "the same secret"),
    ("each_secret.py", 5, "Hex High Entropy String"): (AGREE, "`hex_secret = '<40 hex>'`: generic-hex-secret"),
    ("each_secret.py", 5, "Secret Keyword"): (AGREE, "`hex_secret = '<40 hex>'`: generic-hex-secret"),
    ("each_secret.py", 5, "shiftsec:generic-hex-secret"): (AGREE, "the same secret"),
    ("each_secret.py", 6, "Basic Auth Credentials"): (AGREE, "a password in an http URL: url-basic-auth-password"),
    ("each_secret.py", 6, "shiftsec:url-basic-auth-password"): (AGREE, "the same password"),
    ("each_secret.py", 9, "Base64 High Entropy String"): (
        DS_ONLY,
        "`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` is AWS documentation's example secret key, which "
        "aws-secret-access-key allow-lists (as it does AKIAIOSFODNN7EXAMPLE, which detect-secrets skips too)",
    ),
    ("each_secret.py", 9, "Secret Keyword"): (DS_ONLY, "AWS documentation's example secret key (see above)"),
    ("files/file_with_secrets.py", 3, "Base64 High Entropy String"): (
        DS_ONLY,
        "`SUPER_SEECRET_VALUE` (misspelt) names no credential for shiftsec, and the value is base64 of the text "
        "'super long string should cause enough entropy'",
    ),
    ("files/file_with_secrets.py", 4, "shiftsec:generic-api-key"): (SHIFTSEC_ONLY, PRAGMA),
    ("files/private_key", 1, "Private Key"): (
        DS_ONLY,
        "detect-secrets flags the BEGIN line alone; the body here is 56 characters of prose, and the PEM rules want a "
        "base64 body of 64+ characters (a stub or a truncated key in documentation is not reported)",
    ),
    ("files/tmp/file_with_secrets.py", 3, "Hex High Entropy String"): (
        AGREE,
        "two 32-hex values on one line; generic-hex-secret reports the one right after the name `SUPER_SECRET_VALUES`",
    ),
    ("files/tmp/file_with_secrets.py", 3, "shiftsec:generic-hex-secret"): (AGREE, "the first of the two values"),
    ("sample.diff", 10, "Hex High Entropy String"): (DS_ONLY, DIGITS + ' (`len("012345678a")`)'),
    ("sample.diff", 34, "Hex High Entropy String"): (DS_ONLY, NO_NAME + " (a bare quoted 32-hex string)"),
    ("sample.diff", 72, "Hex High Entropy String"): (
        DS_ONLY,
        '`"hashed_secret": "<sha1>"` of a detect-secrets baseline: a hash, which the generic rules allow-list',
    ),
    ("sample.diff", 72, "Secret Keyword"): (DS_ONLY, "the same SHA-1 hash under `hashed_secret`"),
    ("short_files/first_line.php", 1, "Secret Keyword"): (
        DS_ONLY,
        "`secret = 'notHighEnoughEntropy'`: letters only and 3.4 bits/char, below generic-api-key's floor (3.7); "
        "a readable camelCase word, which detect-secrets' keyword detector takes for a password",
    ),
    ("short_files/last_line.ini", 5, "Hex High Entropy String"): (
        DS_ONLY,
        "`BEEF0123456789a`, a sequential run on a continuation line of a multi-line INI value; "
        "generic-config-password reads `name = value` lines",
    ),
    ("short_files/middle_line.yml", 4, "Base64 High Entropy String"): (
        DS_ONLY,
        "`secure: thequickbrownfoxjumpsoverthelazydog`, a pangram; `secure` names no credential for shiftsec",
    ),
}
# Files of test_data neither tool reports anything in (the other files have rows above).
QUIET = [
    "baseline.file",  # its "hashed_secret" values are SHA-1 hashes, which the generic rules allow-list
    "files/file_with_custom_secrets.py",
    "files/file_with_no_secrets.py",
    "files/tmp/__init__.py",
    "files/tmp/file_with_no_secrets.py",
    "only_comments.yaml",
    "performance/best-songs.txt",
    "performance/long-file.test.json",
    "performance/long-lines.test.json",
    "word_list.txt",
]


@dataclass(frozen=True)
class Entry:
    file: str
    line: int  # 1-based, in the current file
    type: str
    found: bool  # the secret's hash occurs in the file (at `line`)


def _hashes(line: str) -> set[str]:
    """SHA-1 of every substring of `line` up to 200 characters (detect-secrets hashes the secret it extracted)."""
    return {
        hashlib.sha1(line[start:end].encode()).hexdigest()
        for start in range(len(line))
        for end in range(start + 1, min(len(line), start + 200) + 1)
    }


def _baseline(root: Path) -> list[Entry]:
    results = json.loads((root / "baseline.file").read_text(encoding="utf-8"))["results"]
    entries: list[Entry] = []
    for file, items in results.items():
        lines = (root / file).read_text(encoding="utf-8").splitlines()
        hashes: dict[int, set[str]] = {}

        def located(wanted: str, stated: int, lines: list[str] = lines, hashes: dict[int, set[str]] = hashes) -> int:
            for candidate in sorted(range(stated - 2, stated + 3), key=lambda n: abs(n - stated)):
                if 1 <= candidate <= len(lines):
                    if candidate not in hashes:
                        hashes[candidate] = _hashes(lines[candidate - 1])
                    if wanted in hashes[candidate]:
                        return candidate
            return 0

        moved: dict[int, int] = {}
        for item in items:
            line = located(item["hashed_secret"], item["line_number"])
            if line:
                moved[item["line_number"]] = line
        for item in items:
            line = located(item["hashed_secret"], item["line_number"])
            stated = item["line_number"]
            entries.append(Entry(file, line or moved.get(stated, stated), item["type"], bool(line)))
    return entries


@pytest.fixture(scope="module")
def comparison(request: pytest.FixtureRequest) -> tuple[dict[tuple[str, int, str], str], list[str], list[Entry]]:
    root = shared("secrets", "detect-secrets", "test_data")
    cache_dir = str(request.config.cache.mkdir("shiftsec-hyperscan"))
    engine = Engine(*default_rule_file(), cache_dir=cache_dir, one_per_secret=True)  # as `shiftsec fs` runs it
    files = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    ours: dict[tuple[str, int], set[str]] = {}
    for file in files:
        for match in engine.scan((root / file).read_bytes(), file):
            ours.setdefault((file, match.line), set()).add(match.rule_id)
    entries = _baseline(root)
    theirs = {(entry.file, entry.line) for entry in entries}
    table: dict[tuple[str, int, str], str] = {}
    for entry in entries:
        table[(entry.file, entry.line, entry.type)] = AGREE if (entry.file, entry.line) in ours else DS_ONLY
    for (file, line), rule_ids in ours.items():
        for rule_id in rule_ids:
            table[(file, line, f"shiftsec:{rule_id}")] = AGREE if (file, line) in theirs else SHIFTSEC_ONLY
    return table, files, entries


def test_every_file_is_scanned(comparison: tuple[dict[tuple[str, int, str], str], list[str], list[Entry]]) -> None:
    table, files, _ = comparison
    assert len(files) == 23
    assert sorted(set(files) - {file for file, _, _ in table}) == QUIET


def test_baseline_entries_located(comparison: tuple[dict[tuple[str, int, str], str], list[str], list[Entry]]) -> None:
    _, _, entries = comparison
    assert len(entries) == 29
    # The entries whose hash no current line holds (the file changed, or detect-secrets hashed another string);
    # the keyword entries of each_secret.py move with the entropy entries of their baseline line.
    missing = sorted((e.file, e.line, e.type) for e in entries if not e.found)
    assert missing == [
        ("config.yaml", 4, "Hex High Entropy String"),
        ("each_secret.py", 4, "Secret Keyword"),
        ("each_secret.py", 9, "Secret Keyword"),
        ("short_files/first_line.php", 1, "Secret Keyword"),
    ]


def test_classification(
    comparison: tuple[dict[tuple[str, int, str], str], list[str], list[Entry]], capsys: pytest.CaptureFixture[str]
) -> None:
    table, _, _ = comparison
    lines: dict[tuple[str, int], set[str]] = {}
    for (file, line, _), verdict in table.items():
        lines.setdefault((file, line), set()).add(verdict)
    per_line = Counter(next(iter(verdicts)) for verdicts in lines.values())
    with capsys.disabled():
        print(f"\ndetect-secrets baseline vs shiftsec, per (file, line): {dict(sorted(per_line.items()))}")
        for (file, line, kind), verdict in sorted(table.items()):
            print(f"  {verdict:20} {f'{file}:{line}':36} {kind}")
    assert all(len(verdicts) == 1 for verdicts in lines.values())
    assert {key: verdict for key, (verdict, _) in EXPECTED.items()} == table
    assert per_line == {AGREE: 5, DS_ONLY: 16, SHIFTSEC_ONLY: 4}
