"""Tests of the java parsers. `BAD_EXPECTATIONS` names EXPECTED_PACKAGES.json cases believed wrong."""

# (extractor folder, fixture path as in EXPECTED_PACKAGES.json) -> why the expectation is believed wrong
BAD_EXPECTATIONS: dict[tuple[str, str], str] = {
    ("language/java/pomxml", "testdata/interpolation.xml"): (
        "org.mine:ranged-package is declared with the range [9.4.35.v20201120,9.5); osv-scalibr reports the "
        "range's lower bound (parseResolvedVersion), but Maven resolves a range to the newest version in it, so "
        "the lower bound is not a version the file pins or resolves; we note the range instead (the other two "
        "packages of this case match)"
    ),
}
