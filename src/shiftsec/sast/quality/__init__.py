"""The built-in quality engine: cyclomatic complexity per function and duplicated blocks, for Python, in the
SonarQube spirit (quality-gate metrics that the gate can count on new code only with `--diff-base`).

- `source`: each file read once into logical lines, string literals and comments blanked out (no syntax tree:
  building CPython's `ast` objects costs more than Ruff's whole scan, 10 s against 1.8 s on the standard
  library);
- `complexity`: cyclomatic complexity by radon's rules, read off those lines;
- `duplication`: duplicated blocks, compared as SonarQube's copy-paste detection compares them;
- `analysis`: the engine: findings, fingerprints, the per-file work shared among forked workers on large trees.

`quality_engine(complexity=15, duplicate_lines=10)` builds the `SastEngine` ("quality", languages
("python",)); `ENGINE` is the one with the defaults, which `scan_sast` runs beside Ruff (on the files Ruff
parsed: a file that is not Python 3 is Ruff's error, never a quality finding). On the standard library both
metrics take about 4.3 s in one process.
"""

from shiftsec.sast.quality.analysis import (
    COMPLEXITY_RULE,
    DEFAULT_COMPLEXITY,
    DEFAULT_DUPLICATE_LINES,
    DUPLICATION_RULE,
    ENGINE,
    NAME,
    analyse,
    quality_engine,
)
from shiftsec.sast.quality.complexity import FunctionComplexity, complexities
from shiftsec.sast.quality.source import LogicalLine, logical_lines

__all__ = [
    "COMPLEXITY_RULE", "DEFAULT_COMPLEXITY", "DEFAULT_DUPLICATE_LINES", "DUPLICATION_RULE", "ENGINE", "NAME",
    "FunctionComplexity", "LogicalLine", "analyse", "complexities", "logical_lines", "quality_engine",
]
