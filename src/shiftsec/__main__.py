"""Entry point for the `shiftsec` console script and `python -m shiftsec`."""

from __future__ import annotations

import sys


def main() -> None:
    from shiftsec.cli import run

    sys.exit(run())


if __name__ == "__main__":
    main()
