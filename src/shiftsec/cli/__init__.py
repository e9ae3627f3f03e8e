"""The `shiftsec` command line: the only package that prints and exits.

`common` holds the `main` group and what every command shares; `db`, `scan` (sbom, fs, repo, image, config)
and `gate` (ci, explain, init) register their commands on it; `run` turns errors into exit codes.

Exit codes: 0 = scan done and the gate (--fail-on, or the policy for `ci`) passed; 1 = it failed;
2 = could not do what was asked (bad usage, unreadable input, missing database). Every `ShiftsecError`
becomes one line on stderr (plus a hint line when there is one), never a traceback.
Heavy modules (rich, the reporters, the importers) are imported inside the commands that need them so that
`shiftsec --version` and `--help` start fast.
"""

from __future__ import annotations

import sys

import click

from shiftsec.cli import db, engines, gate, scan  # noqa: F401  (each registers its commands on `main`)
from shiftsec.cli.common import FIXTURE_DIRS, FORMATS, err, main
from shiftsec.errors import ShiftsecError

__all__ = ["FIXTURE_DIRS", "FORMATS", "main", "run"]


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the console script and `python -m shiftsec` call this)."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    try:
        code = main.main(args=argv, prog_name="shiftsec", standalone_mode=False)
    except ShiftsecError as exc:
        err(f"shiftsec: error: {exc}")
        if exc.hint:
            err(f"hint: {exc.hint}")
        return 2
    except click.exceptions.Abort:
        err("shiftsec: aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        err("shiftsec: interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # an input or output the OS refused, not caught closer to its source
        where = f" {exc.filename}" if exc.filename else ""
        err(f"shiftsec: error:{where} {exc.strerror or exc}")
        return 2
    return code if isinstance(code, int) else 0
