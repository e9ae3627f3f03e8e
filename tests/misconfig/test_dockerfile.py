"""Dockerfile parser and checks, case by case (agreement with peers: test_agreement_dockerfile.py)."""

from __future__ import annotations

import pytest

from shiftsec.misconfig.dockerfile import CHECKS, Hit, Instruction, check, parse

# ---------------------------------------------------------------------------------------------------------------
# Parser


def test_parse_continuations_and_comments() -> None:
    text = (
        "# a comment\n"
        "\n"
        "FROM debian:12\n"
        "RUN apt-get update \\\n"
        "    # comment inside a continuation\n"
        "\n"
        "    && apt-get install -y curl\n"
        "env A=1\n"
    )
    assert parse(text) == [
        Instruction("FROM", "debian:12", 3, 3, 0),
        Instruction("RUN", "apt-get update && apt-get install -y curl", 4, 7, 0),
        Instruction("ENV", "A=1", 8, 8, 0),
    ]


def test_parse_escape_directive_backtick() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    && echo done\n"
    assert parse(text) == [
        Instruction("FROM", "mcr.microsoft.com/windows/servercore:ltsc2022", 2, 2, 0),
        Instruction("RUN", "dir c:\\ && echo done", 3, 4, 0),
    ]


def test_escape_directive_only_at_the_top() -> None:
    text = "FROM alpine:3\n# escape=`\nRUN echo a `\nRUN echo b\n"
    assert [(i.keyword, i.line, i.end_line) for i in parse(text)] == [("FROM", 1, 1), ("RUN", 3, 3), ("RUN", 4, 4)]


def test_parse_heredocs() -> None:
    text = (
        "FROM alpine:3\n"
        "RUN <<EOF\n"
        "# a script comment, part of the body\n"
        "apk add --no-cache curl\n"
        "EOF\n"
        "COPY <<-'END' /etc/app.conf\n"
        "\tkey=value\n"
        "\tEND\n"
        "USER app\n"
    )
    assert parse(text) == [
        Instruction("FROM", "alpine:3", 1, 1, 0),
        Instruction("RUN", "<<EOF\n# a script comment, part of the body\napk add --no-cache curl\nEOF", 2, 5, 0),
        Instruction("COPY", "<<-'END' /etc/app.conf\n\tkey=value\nEND", 6, 8, 0),
        Instruction("USER", "app", 9, 9, 0),
    ]


def test_parse_multi_stage() -> None:
    text = (
        "ARG GO=1.22\n"
        "FROM golang:${GO} AS builder\n"
        "RUN go build -o /app .\n"
        "FROM gcr.io/distroless/static:nonroot\n"
        "COPY --from=builder /app /app\n"
    )
    assert [(i.keyword, i.line, i.stage) for i in parse(text)] == [
        ("ARG", 1, -1),
        ("FROM", 2, 0),
        ("RUN", 3, 0),
        ("FROM", 4, 1),
        ("COPY", 5, 1),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "# only a comment\n",
        "\\\n",
        "RUN <<EOF\n",
        "NOTAKEYWORD x y\n",
        "FROM\n",
        "ADD\nCOPY\nUSER\n",
        "\x00",
    ],
)
def test_parse_and_check_never_raise(text: str) -> None:
    parse(text)
    check(text, has_dockerignore=False)


def test_unknown_keyword_kept_and_trailing_continuation() -> None:
    assert parse("FROM a:1\nfoo bar \\\n") == [Instruction("FROM", "a:1", 1, 1, 0), Instruction("FOO", "bar", 2, 2, 0)]


# ---------------------------------------------------------------------------------------------------------------
# Checks: each case is (Dockerfile text, expected [(line, end_line)] of hits of that check). The fixtures add
# USER/HEALTHCHECK/tags so that only the check under test fires where intended.

OK = "FROM alpine:3.20\nUSER app\nHEALTHCHECK CMD true\n"

CASES: dict[str, list[tuple[str, list[tuple[int, int]]]]] = {
    "dockerfile-root-user": [
        ("FROM alpine:3.20\nRUN true\n", [(1, 1)]),
        ("FROM alpine:3.20\nUSER app\nUSER root\n", [(3, 3)]),
        ("FROM alpine:3.20\nUSER 0\n", [(2, 2)]),
        ("FROM alpine:3.20\nUSER 0:0\n", [(2, 2)]),
        ("FROM alpine:3.20\nUSER root\nRUN x\nUSER 1000\n", []),
        ("FROM alpine:3.20\nUSER 1000:0\n", []),
        # USER only in an unrelated earlier stage does not count ...
        ("FROM alpine:3.20 AS b\nUSER app\nFROM alpine:3.20\nRUN x\n", [(3, 3)]),
        # ... but a stage built FROM an earlier stage inherits its USER.
        ("FROM alpine:3.20 AS b\nUSER app\nFROM b\nRUN x\n", []),
        ("", []),
    ],
    "dockerfile-latest-tag": [
        ("FROM alpine\n", [(1, 1)]),
        ("FROM alpine:latest\n", [(1, 1)]),
        ("FROM localhost:5000/team/app\n", [(1, 1)]),
        ("FROM localhost:5000/team/app:1.0\n", []),
        ("FROM alpine@sha256:" + "a" * 64 + "\n", []),
        ("FROM scratch\n", []),
        ("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM build\n", []),
        ("FROM alpine:3 AS Base\nFROM base AS x\nFROM x\n", []),
        ("ARG IMG=alpine\nFROM $IMG\n", [(2, 2)]),
        ("ARG TAG=3.20\nFROM alpine:${TAG}\n", []),
        ("ARG TAG\nFROM alpine:${TAG}\n", []),  # unresolvable: not judged
        ("ARG TAG\nFROM alpine:${TAG:-latest}\n", [(2, 2)]),
        ("FROM node:18 AS a\nFROM python\n", [(2, 2)]),
    ],
    "dockerfile-add-remote-url": [
        (OK + "ADD https://example.com/x.tgz /tmp/\n", [(4, 4)]),
        (OK + 'ADD ["http://example.com/a", "/a"]\n', [(4, 4)]),
        (OK + "ADD --checksum=sha256:abc https://example.com/x.tgz /tmp/\n", []),
        (OK + "ADD local.tgz /tmp/\n", []),
        (OK + "COPY https-notes.txt /tmp/\n", []),
    ],
    "dockerfile-curl-pipe-shell": [
        (OK + "RUN curl -fsSL https://get.example.com | sh\n", [(4, 4)]),
        (OK + "RUN wget -O- https://x.example | sudo bash -s -- --yes\n", [(4, 4)]),
        (OK + "RUN set -e; \\\n    curl -s https://x.example \\\n    | /bin/bash\n", [(4, 6)]),
        (OK + 'RUN sh -c "curl -s https://x.example | sh"\n', [(4, 4)]),
        (OK + 'RUN bash -c "$(curl -fsSL https://x.example/install.sh)"\n', [(4, 4)]),
        (OK + "RUN <<EOF\nset -e\ncurl -s https://x.example | sh\nEOF\n", [(4, 7)]),
        (OK + "RUN curl -fsSLo /tmp/i.sh https://x.example && sha256sum -c sums && sh /tmp/i.sh\n", []),
        (OK + "RUN curl -s https://x.example | tar xz\n", []),
        (OK + "RUN echo hi | sh\n", []),
    ],
    "dockerfile-apt-no-install-recommends": [
        (OK + "RUN apt-get update && apt-get install -y curl=7.1 && rm -rf /var/lib/apt/lists/*\n", [(4, 4)]),
        (OK + "RUN apt-get install -y --no-install-recommends curl=7.1 && rm -rf /var/lib/apt/lists/*\n", []),
        (OK + "RUN apt-get -o APT::Install-Recommends=false install -y c=1 && rm -rf /var/lib/apt/lists\n", []),
        (OK + "RUN apt-get update\n", []),
    ],
    "dockerfile-apt-lists-not-removed": [
        (OK + "RUN apt-get update && apt-get install -y --no-install-recommends curl=7.1\n", [(4, 4)]),
        (OK + "RUN apt-get install -y --no-install-recommends c=1 \\\n && rm -rf /var/lib/apt/lists/*\n", []),
        (OK + "RUN --mount=type=cache,target=/var/lib/apt apt-get install -y --no-install-recommends c=1\n", []),
        (OK + "RUN apt-get install -y --no-install-recommends c=1\nRUN rm -rf /var/lib/apt/lists/*\n", [(4, 4)]),
    ],
    "dockerfile-apk-no-cache": [
        (OK + "RUN apk add curl=8.0-r0\n", [(4, 4)]),
        (OK + "RUN apk --update add curl=8.0-r0\n", [(4, 4)]),
        (OK + "RUN apk add --no-cache curl=8.0-r0\n", []),
        (OK + "RUN apk update && apk upgrade\n", []),
    ],
    "dockerfile-yum-no-clean": [
        (OK + "RUN yum install -y httpd-2.4.6\n", [(4, 4)]),
        (OK + "RUN dnf -y install httpd\n", [(4, 4)]),
        (OK + "RUN yum install -y httpd-2.4.6 && yum clean all\n", []),
        (OK + "RUN microdnf install -y httpd && microdnf clean all\n", []),
        (OK + "RUN yum install -y httpd && yum clean packages\n", [(4, 4)]),
    ],
    "dockerfile-unpinned-package": [
        (
            OK + "RUN apt-get install -y --no-install-recommends curl git=1:2.39 && rm -rf /var/lib/apt/lists/*\n",
            [(4, 4)],
        ),
        (OK + "RUN apt-get install -y --no-install-recommends curl=7.1 && rm -rf /var/lib/apt/lists/*\n", []),
        (OK + "RUN apk add --no-cache curl\n", [(4, 4)]),
        (OK + "RUN apk add --no-cache --virtual .build-deps gcc=13.2.1-r0 curl~=8.5\n", []),
        (OK + "RUN pip install flask\n", [(4, 4)]),
        (OK + "RUN python3 -m pip install --no-cache-dir 'flask>=2'\n", [(4, 4)]),
        (OK + "RUN pip install --no-cache-dir flask==3.0.0 -i https://pypi.org/simple\n", []),
        (OK + "RUN pip install -r requirements.txt\n", []),
        (OK + "RUN pip install -c constraints.txt flask\n", []),
        (OK + "RUN pip install . ./dist/app-1.0-py3-none-any.whl\n", []),
        (OK + "RUN pip download flask\n", []),
    ],
    "dockerfile-secret-in-env": [
        (OK + "ENV DB_PASSWORD=hunter2\n", [(4, 4)]),
        (OK + "ENV GITHUB_TOKEN ghp_abc\n", [(4, 4)]),
        (OK + 'ENV A=1 API_KEY="k e y" \\\n    PRIVATE_KEY=x\n', [(4, 5), (4, 5)]),
        (OK + "ARG AWS_SECRET_ACCESS_KEY=abc\n", [(4, 4)]),
        (OK + "ARG NPM_TOKEN\n", []),
        (OK + "ENV API_KEY=$API_KEY\n", []),
        (OK + 'ENV PASSWORD=""\n', []),
        (OK + "ENV PASSWORD_FILE=/run/secrets/db\n", []),
        (OK + "ENV LOG_LEVEL=debug\n", []),
    ],
    "dockerfile-no-healthcheck": [
        ("FROM alpine:3.20\nUSER app\n", [(1, 1)]),
        ("FROM alpine:3.20 AS a\nHEALTHCHECK CMD true\nFROM alpine:3.20\nUSER app\n", [(3, 3)]),
        ("FROM alpine:3.20 AS a\nHEALTHCHECK CMD true\nFROM a\nUSER app\n", []),
        ("FROM alpine:3.20\nHEALTHCHECK NONE\n", []),
        (OK, []),
    ],
    "dockerfile-sudo": [
        (OK + "RUN sudo apt-get update\n", [(4, 4)]),
        (OK + "RUN DEBIAN_FRONTEND=noninteractive sudo -E make install\n", [(4, 4)]),
        (OK + "RUN make && echo sudo\n", []),
        (OK + "RUN apt-get install -y --no-install-recommends sudo=1.9 && rm -rf /var/lib/apt/lists/*\n", []),
    ],
    "dockerfile-multiple-cmd-entrypoint": [
        (OK + "CMD a\nCMD b\n", [(4, 4)]),
        (OK + "ENTRYPOINT a\nCMD x\nENTRYPOINT b\nENTRYPOINT c\n", [(4, 4), (6, 6)]),
        ("FROM alpine:3 AS a\nCMD a\n" + OK + "CMD b\n", []),
        (OK + "CMD a\nENTRYPOINT b\n", []),
    ],
}

NO_IGNORE_CASES: list[tuple[str, list[tuple[int, int]]]] = [
    (OK + "COPY . .\n", [(4, 4)]),
    (OK + "COPY --chown=app:app ./ /app\n", [(4, 4)]),
    (OK + "ADD . /app\n", [(4, 4)]),
    (OK + 'COPY [".", "/app"]\n', [(4, 4)]),
    (OK + "COPY --from=build . /app\n", []),
    (OK + "COPY src/ /app/src/\n", []),
]


def _lines(hits: list[Hit], check_id: str) -> list[tuple[int, int]]:
    return [(hit.line, hit.end_line) for hit in hits if hit.check == check_id]


@pytest.mark.parametrize(
    ("check_id", "text", "expected"),
    [(check_id, text, expected) for check_id, cases in CASES.items() for text, expected in cases],
)
def test_check_cases(check_id: str, text: str, expected: list[tuple[int, int]]) -> None:
    assert _lines(check(text), check_id) == expected


@pytest.mark.parametrize(("text", "expected"), NO_IGNORE_CASES)
def test_copy_whole_context(text: str, expected: list[tuple[int, int]]) -> None:
    assert _lines(check(text, has_dockerignore=False), "dockerfile-copy-whole-context") == expected
    assert _lines(check(text, has_dockerignore=True), "dockerfile-copy-whole-context") == []


def test_every_check_has_cases_and_metadata() -> None:
    ids = [item.id for item in CHECKS]
    assert len(ids) == len(set(ids))
    assert set(CASES) | {"dockerfile-copy-whole-context"} == set(ids)
    for item in CHECKS:
        assert item.id.startswith("dockerfile-") and item.id == item.id.lower()
        assert item.severity in ("critical", "high", "medium", "low")
        assert item.title and item.description and item.remediation and item.references
    severity = {item.id: item.severity for item in CHECKS}
    assert severity["dockerfile-unpinned-package"] == "low"
    assert severity["dockerfile-no-healthcheck"] == "low"


def test_secret_message_names_variable_only() -> None:
    hits = check(OK + "ENV DB_PASSWORD=s3cr3t-value API_TOKEN s3cr3t-other\nARG GH_TOKEN=s3cr3t-third\n")
    secret_hits = [hit for hit in hits if hit.check == "dockerfile-secret-in-env"]
    assert len(secret_hits) == 2
    for hit in secret_hits:
        assert "s3cr3t" not in hit.message
    assert "DB_PASSWORD" in secret_hits[0].message
    assert "GH_TOKEN" in secret_hits[1].message


def test_hits_in_line_order_with_messages() -> None:
    text = (
        "FROM python\n"
        "RUN sudo pip install flask\n"
        "ADD https://example.com/tool /usr/local/bin/tool\n"
        "COPY . /app\n"
        "USER root\n"
    )
    hits = check(text, has_dockerignore=False)
    assert [(hit.line, hit.check) for hit in hits] == [
        (1, "dockerfile-latest-tag"),
        (1, "dockerfile-no-healthcheck"),
        (2, "dockerfile-unpinned-package"),
        (2, "dockerfile-sudo"),
        (3, "dockerfile-add-remote-url"),
        (4, "dockerfile-copy-whole-context"),
        (5, "dockerfile-root-user"),
    ]
    messages = {hit.check: hit.message for hit in hits}
    assert "python" in messages["dockerfile-latest-tag"]
    assert "flask" in messages["dockerfile-unpinned-package"]
    assert "https://example.com/tool" in messages["dockerfile-add-remote-url"]
    assert "USER root" in messages["dockerfile-root-user"]
