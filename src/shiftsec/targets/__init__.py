"""Targets: the things shiftsec scans and how their inventory is read."""
