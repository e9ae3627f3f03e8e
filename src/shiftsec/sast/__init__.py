"""Source-code analysis (SAST): engines behind one adapter interface (`engine`), the built-in Python engine on
Ruff (`ruff_engine`, its rule table in `rules`), and `scan.scan_sast`, what the CLI and the gate call."""

from shiftsec.sast.engine import EngineResult, Issue, SastEngine
from shiftsec.sast.scan import SastScan, python_files, scan_sast

__all__ = ["EngineResult", "Issue", "SastEngine", "SastScan", "python_files", "scan_sast"]
