"""Tests of the python parsers. `BAD_EXPECTATIONS` names EXPECTED_PACKAGES.json cases believed wrong."""

_RANGE = ("osv-scalibr reports a range's bound as the version ({}); our contract (api.Parsed, the analyzer brief) "
          "makes only exact pins packages and notes ranges, so these are notes here")
_UV_HELPER = ("extraction missed the Go test's helper calls (`pkg(t, ...)`/`inventory(t, ...)`); the test wants {} "
              "(google/osv-scalibr uvlock_test.go), which is what we report")

# (extractor folder, fixture path as in EXPECTED_PACKAGES.json) -> why the expectation is believed wrong
BAD_EXPECTATIONS: dict[tuple[str, str], str] = {
    ("language/python/requirements", "testdata/per_req_options.txt"):
        "wants foo7 at version '1.0 unexpected_text_before_options_stays_around'; pip rejects that line "
        "(Invalid requirement) and a version with a space can match nothing, so it is a note here",
    ("language/python/requirements", "testdata/example.txt#6"):
        "a second Go case reading example.txt, extracted with no packages at all; whatever its options, the "
        "file pins docopt == 0.6.1 (and its -r file pandas==2.2.3), which we report",
    ("language/python/requirements", "testdata/other-requirements.txt"):
        "extraction artifact: the Go test has no case for this file (it is only a Location of example.txt's "
        "included package); the file pins pandas==2.2.3, which we report",
    ("language/python/uvlock", "testdata/one-package.lock"): _UV_HELPER.format("emoji 2.14.0"),
    ("language/python/uvlock", "testdata/two-packages.lock"): _UV_HELPER.format("emoji 2.14.0 and protobuf 4.25.5"),
    ("language/python/uvlock", "testdata/grouped-packages.lock"):
        _UV_HELPER.format("all 14 non-project packages (emoji, colorama, mccabe, ... not only black, click, flake8)"),
    ("language/python/uvlock", "testdata/names-outside-package-block.lock"):
        _UV_HELPER.format("first-pkg 1.0.0 and second-pkg 2.0.0"),
    ("language/python/pyprojecttoml", "testdata/simple_deps.toml"):
        _RANGE.format("flask>=3.0.0 as 3.0.0, and the unversioned numpy with an empty version"),
}
