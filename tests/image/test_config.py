"""The image config read back as a Dockerfile: each builder's way of recording a step, and where findings land."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shiftsec.image.config import _instruction, history_dockerfile
from shiftsec.image.source import ImageMeta, LayerRef


@pytest.mark.parametrize(("created_by", "instruction"), [
    ('/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]'),
    ("/bin/sh -c #(nop) ADD file:0123 in / ", "ADD file:0123 in /"),
    ("/bin/sh -c #(nop)  ENV PATH=/usr/local/bin", "ENV PATH=/usr/local/bin"),
    ("/bin/sh -c apt-get update && apt-get install -y curl", "RUN apt-get update && apt-get install -y curl"),
    ("|2 VERSION=1 TARGET=x /bin/sh -c make install", "RUN make install"),  # classic builder with build args
    ("RUN /bin/sh -c pip install -r requirements.txt # buildkit", "RUN pip install -r requirements.txt"),
    ("RUN |1 X=1 /bin/sh -c echo $X # buildkit", "RUN echo $X"),
    ("COPY . /app # buildkit", "COPY . /app"),
    ("USER app", "USER app"),
    ('ENTRYPOINT ["python" "app.py"]', 'ENTRYPOINT ["python" "app.py"]'),
    ("", None),
    ("/bin/sh -c #(nop)  MAINTAINER someone", "MAINTAINER someone"),
    ("something the builder made up", None),
])
def test_history_steps_become_instructions(created_by: str, instruction: str | None) -> None:
    assert _instruction(created_by) == instruction


def _meta(history: list[dict[str, Any]], config: dict[str, Any]) -> ImageMeta:
    layers = tuple(LayerRef(f"sha256:{i:064x}", f"sha256:{i + 100:064x}", "tar", 1, h["created_by"])
                   for i, h in enumerate(h for h in history if not h.get("empty_layer")))
    return ImageMeta("x", None, "sha256:" + "0" * 64, {"config": config, "history": history}, layers, None)


def test_the_config_makes_user_and_healthcheck_explicit() -> None:
    meta = _meta([{"created_by": "/bin/sh -c #(nop) ADD file:1 in / "},
                  {"created_by": "/bin/sh -c #(nop)  USER root", "empty_layer": True},
                  {"created_by": "RUN /bin/sh -c apk add --no-cache curl # buildkit"}],
                 {"User": "1000", "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}})
    text, steps = history_dockerfile(meta)
    assert text.splitlines() == [
        "FROM scratch", "ADD file:1 in /", "USER root", "RUN apk add --no-cache curl", "USER 1000",
        "HEALTHCHECK CMD " + json.dumps(["curl -f http://localhost/ || exit 1"]),
    ]
    assert steps == {2: 1, 3: 2, 4: 3}


def test_config_findings_name_the_step_and_its_layer() -> None:
    from shiftsec.image.config import config_findings

    meta = _meta([{"created_by": "/bin/sh -c #(nop) ADD file:1 in / "},
                  {"created_by": "/bin/sh -c #(nop)  ENV A=1", "empty_layer": True},
                  {"created_by": "/bin/sh -c wget -qO- https://x.example/i.sh | sh"}], {})
    found = {f.rule_id: f for f in config_findings(meta, None, {})}
    assert set(found) == {"dockerfile-curl-pipe-shell", "dockerfile-root-user", "dockerfile-no-healthcheck"}
    curl = found["dockerfile-curl-pipe-shell"].location
    assert curl is not None and curl.line == 3 and curl.layer is not None
    assert curl.layer.digest == f"sha256:{1:064x}"  # the second non-empty step made the second layer
    assert found["dockerfile-root-user"].message == "the image sets no USER; runs as root (image config)"
