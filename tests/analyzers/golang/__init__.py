"""Tests of the golang parsers. `BAD_EXPECTATIONS` names EXPECTED_PACKAGES.json cases believed wrong."""

_GOMOD = "language/golang/gomod"
_VENDOR = "language/golang/vendormodules"
_SPLIT = ("the Go test expects one package set for indirect-1.16.mod, whose go directive (1.16) makes the "
          "extractor add go.sum's modules; the regex extraction split that set by each package's Location "
          "(and by test function) into several cases")
_NOT_A_FILE = ("'#N' marks a second table entry for an already-listed fixture (another test function or "
               "config); no such file exists, and its package list is an extraction fragment")

# (extractor folder, fixture path as in EXPECTED_PACKAGES.json) -> why the expectation is believed wrong
BAD_EXPECTATIONS: dict[tuple[str, str], str] = {
    (_GOMOD, "testdata/indirect-1.16.mod"): _SPLIT,
    (_GOMOD, "testdata/indirect-1.16.sum"): _SPLIT + "; the .sum file is never parsed as a go.mod",
    (_GOMOD, "testdata/indirect-1.16.mod#15"): _NOT_A_FILE,
    (_GOMOD, "testdata/indirect-1.16.mod#18"): _NOT_A_FILE,
    (_GOMOD, "testdata/indirect-1.16.mod#19"): _NOT_A_FILE,
    (_GOMOD, "testdata/indirect-1.16.sum#20"): _NOT_A_FILE,
    (_GOMOD, "testdata/replace-local.mod"): (
        "osv-scalibr reports a local-directory replacement as a package named './fork/net' with an empty "
        "version; it has nothing to match, so the analyzer reports it as a note instead (by design)"),
    (_VENDOR, "testdata/valid/vendor/modules.txt"): (
        "the Go test (vendormodules_test.go, valid_modules) also expects github.com/BurntSushi/toml 1.2.1 "
        "(line 1); the regex extraction dropped it"),
    (_VENDOR, "testdata/valid/vendor/modules.txt#3"): _NOT_A_FILE + " (TestExtractor_Extract_ContextCancelled)",
}
