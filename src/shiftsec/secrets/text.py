"""What the secret scanner counts as text, and how it makes text valid UTF-8 for the matching engines.

Kept apart from the engine so that the scanner can probe a file before reading it whole without importing
Hyperscan and RE2 (a dependency-only scan never loads them).
"""

from __future__ import annotations

import codecs

BINARY_PROBE = 8192  # bytes looked at to tell a binary file
_UTF8_CHUNK = 1 << 20


def is_binary(probe: bytes) -> bool:
    """Whether a file whose first bytes are `probe` is binary: a NUL byte, or more than 30% of it not UTF-8
    (random or compressed data without a NUL; a Latin-1 text has a few percent)."""
    if b"\x00" in probe:
        return True
    try:
        probe.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(probe) - 3:  # only a sequence cut by the end of the probe
            return False
        text = probe.decode("utf-8", "replace")
        return text.count("\ufffd") > 0.3 * len(text)
    return False


def valid_utf8(data: bytes) -> bytes:
    """`data`, with every invalid UTF-8 sequence replaced by U+FFFD, converted 1 MiB at a time (a whole-file
    `decode` to `str` and back would hold several times the file at once)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        view = memoryview(data)
        parts = [decoder.decode(view[i : i + _UTF8_CHUNK]).encode("utf-8") for i in range(0, len(data), _UTF8_CHUNK)]
        parts.append(decoder.decode(b"", final=True).encode("utf-8"))
        return b"".join(parts)
    return data
