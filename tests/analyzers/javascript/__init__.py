"""Tests of the javascript parsers. `BAD_EXPECTATIONS` names EXPECTED_PACKAGES.json cases believed wrong."""

_PLJ = "language/javascript/packagelockjson"
_METRIC = (
    "regex-extraction artifact: packagelockjson_test.go's TestMetricCollector only checks the stats result "
    "and ignores the packages; the same file's real expectation is "
)

# (extractor folder, fixture path as in EXPECTED_PACKAGES.json) -> why the expectation is believed wrong
BAD_EXPECTATIONS: dict[tuple[str, str], str] = {
    (_PLJ, "testdata/not-json.txt"): _METRIC
    + "an error ('could not extract', the #2 case and the v1/v2 tests), which we raise",
    (_PLJ, "testdata/one-package.v1.json"): _METRIC + "wrappy 1.0.2 (packagelockjson-v1_test.go), which we report",
}
