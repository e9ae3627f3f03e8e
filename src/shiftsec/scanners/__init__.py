"""Scanners: turn an inventory into findings using data beyond one file (advisories, rules)."""
