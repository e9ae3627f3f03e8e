"""The scanner imports `shiftsec.misconfig.render` only when a file names a chart or a kustomization: its list of
those names must be render's."""

from shiftsec.misconfig import render
from shiftsec.scanners import misconfig


def test_render_files_are_renders_own() -> None:
    assert {"Chart.yaml", *render.KUSTOMIZATION_NAMES} == misconfig._RENDER_FILES
