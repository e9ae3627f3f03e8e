"""Small Kubernetes texts the misconfiguration tests share, written out so each test's line numbers are plain."""

from __future__ import annotations

import textwrap
from pathlib import Path


def deployment(name: str, image: str, *, labels: dict[str, str] | None = None, namespace: str = "shop") -> str:
    """A one-container Deployment. Lines: 4 name, 5 namespace, 6 labels (when given; each label one line after),
    then the container's `- name:` and `image:` lines last."""
    label_lines = "".join(f"    {key}: {value}\n" for key, value in (labels or {}).items())
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            + (f"  labels:\n{label_lines}" if labels else "")
            + f"spec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: {image}\n")


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text, dedented) under `root`; returns `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root
