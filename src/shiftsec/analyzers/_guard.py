"""What every analyzer shares at its edges: reading bytes as text, and the promise that nothing but
`ParseError` leaves `analyze` (a broken file must become an `errors` entry, never a traceback)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.errors import ParseError


def _one_line(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]


def guarded(parse: Callable[[InputFile], Parsed], what: str = "the file") -> Callable[[InputFile], Parsed]:
    """`parse` with every exception other than `ParseError` turned into one naming `what` was being read."""

    @functools.wraps(parse)
    def analyze(file: InputFile) -> Parsed:
        try:
            return parse(file)
        except ParseError:
            raise
        except RecursionError:
            raise ParseError(f"{what} is nested too deeply to parse") from None
        except MemoryError:
            raise ParseError(f"{what} is too large to parse") from None
        except Exception as exc:  # the contract: nothing but ParseError leaves an analyzer
            raise ParseError(f"malformed {what}: {type(exc).__name__}: {_one_line(str(exc))}") from exc

    return analyze


def decode(data: bytes) -> str:
    """UTF-8 text without a byte-order mark; binary data and other encodings are a `ParseError`."""
    if b"\x00" in data:
        raise ParseError("binary data (NUL bytes), not a text file")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from None
