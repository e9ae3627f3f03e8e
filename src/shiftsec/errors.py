"""Exceptions raised by shiftsec. Only the CLI turns them into messages and exit codes.

    ShiftsecError                 base; `str()` is a one-line message fit for a user, `hint` an optional next step
    ├── UsageError                bad option values or combinations                       (exit 2)
    ├── InputError                a target or input file cannot be read or understood     (exit 2)
    │   ├── SbomError             a file is not a CycloneDX or SPDX document we can read
    │   └── ParseError            a lockfile or manifest is broken (an `errors` entry in a tree scan)
    ├── DatabaseError             the advisory database is missing, corrupt or too new    (exit 2)
    │   └── DownloadError         `db update` could not fetch a dump (offline, HTTP error, bad archive)
    └── InvalidRecord             one advisory record is not valid OSV (reported and skipped, never fatal)
"""

from __future__ import annotations


class ShiftsecError(Exception):
    """Base class; carries a one-line message and an optional hint."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(ShiftsecError):
    pass


class InputError(ShiftsecError):
    pass


class SbomError(InputError):
    pass


class ParseError(InputError):
    """A file an analyzer recognised but cannot read; `str()` is the reason, without the path."""


class DatabaseError(ShiftsecError):
    pass


class DownloadError(DatabaseError):
    pass


class InvalidRecord(ShiftsecError):
    """An advisory that cannot be used; `str()` is the reason."""
