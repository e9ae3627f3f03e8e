"""Tests of the java parsers. `BAD_EXPECTATIONS` names EXPECTED_PACKAGES.json cases believed wrong."""

# (extractor folder, fixture path as in EXPECTED_PACKAGES.json) -> why the expectation is believed wrong
BAD_EXPECTATIONS: dict[tuple[str, str], str] = {}
