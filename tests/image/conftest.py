"""Fixtures shared by the image tests: Debian's docker-registry on 127.0.0.1, fed by skopeo."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"no {name} on CI: .ci/run should have installed Debian's {name}")
    pytest.skip(f"no {name} on this machine (CI installs Debian's docker-registry and skopeo: see .ci/run)")


@pytest.fixture(scope="module")
def real_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = binary("docker-registry")
    binary("skopeo")
    root = tmp_path_factory.mktemp("registry")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = root / "config.yml"
    config.write_text(f"version: 0.1\nlog:\n  level: warn\n"
                      f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
                      f"http:\n  addr: 127.0.0.1:{port}\n")
    log = (root / "registry.log").open("wb")
    process = subprocess.Popen([server, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                        f"http://127.0.0.1:{port}/v2/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"docker-registry did not start: {(root / 'registry.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def skopeo_copy(layout: Path, tag: str, destination: str, *, all_images: bool = False) -> None:
    command = [binary("skopeo"), "--insecure-policy", "copy", *(["--all"] if all_images else []),
               "--dest-tls-verify=false", f"oci:{layout}:{tag}", f"docker://{destination}"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
