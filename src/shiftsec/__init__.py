"""shiftsec: the security team's checks in every pipeline run."""

__version__ = "0.1.0"
