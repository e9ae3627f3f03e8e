"""What the installed-package analyzers share: the in-image places where executables are looked for, path
segments, and one-line messages.

`in_binary_place(path)` is the `required` of the binary analyzers (Go build info, cargo-auditable): a file
whose name has no extension, in one of the places images put programs:

- the FHS program folders and the Go toolchain's (`BINARY_DIRS`: `bin/`, `sbin/`, `usr/bin/`, `usr/sbin/`,
  `usr/local/bin/`, `usr/local/sbin/`, `usr/local/go/bin/`), at any depth below them;
- `/app`, where Dockerfiles conventionally copy a built service: `app/<name>` and `app/bin|sbin/<name>`;
- `/opt`: `opt/<name>`, `opt/<pkg>/<name>` and `opt/<pkg>/bin|sbin/<name>`.

`/app` and `/opt` are limited in depth so that a virtualenv or a node_modules tree copied there (full of
extension-less METADATA, LICENSE and RECORD files) is not captured as candidate executables. Files with an
extension are left out (`.so` libraries, scripts, data) to keep the bytes captured from layers small; the
analyzers then check the ELF/Mach-O/PE magic themselves and return nothing for anything else (a shell
script in `/usr/bin` is not an error).
"""

from __future__ import annotations

BINARY_DIRS: tuple[str, ...] = (
    "bin/", "sbin/", "usr/bin/", "usr/sbin/", "usr/local/bin/", "usr/local/sbin/", "usr/local/go/bin/",
)
_BIN = frozenset({"bin", "sbin"})


def in_binary_place(path: str) -> bool:
    """Whether `path` (in-image, relative, forward slashes) may be an executable worth reading."""
    parts = segments(path)
    if not parts or path.endswith("/") or "." in parts[-1]:
        return False
    if path.startswith(BINARY_DIRS):
        return True
    if parts[0] == "app":
        return len(parts) == 2 or (len(parts) == 3 and parts[1] in _BIN)
    if parts[0] == "opt":
        return len(parts) in (2, 3) or (len(parts) == 4 and parts[2] in _BIN)
    return False


def segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
