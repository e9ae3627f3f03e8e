"""Tests of the dotnet parsers. `BAD_EXPECTATIONS` names EXPECTED_PACKAGES.json cases believed wrong."""

# (extractor folder, fixture path as in EXPECTED_PACKAGES.json) -> why the expectation is believed wrong
BAD_EXPECTATIONS: dict[tuple[str, str], str] = {
    ("language/dotnet/packageslockjson", "testdata/invalid/invalid"): (
        "the fixture is 'not\\njson'; packageslockjson_test.go ('non json input') wants cmpopts.AnyError, the "
        "regex extraction missed wantErr; we raise ParseError as the analyzer contract requires"
    ),
    ("language/dotnet/depsjson", "testdata/invalid"): (
        "the fixture is 'not\\njson'; depsjson_test.go ('application1.deps.json file not json') wants "
        "cmpopts.AnyError, the regex extraction missed wantErr; we raise ParseError as the contract requires"
    ),
}
