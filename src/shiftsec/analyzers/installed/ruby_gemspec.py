"""`installed/ruby-gemspec`: one installed gem, from the specification RubyGems writes when installing it.

Wanted: `…/specifications/<gem>.gemspec` and `…/specifications/default/<gem>.gemspec` (default gems), under
any gems folder (`usr/local/bundle`, `var/lib/gems/3.1.0`, `usr/lib/ruby/gems/3.2.0`, vendor/bundle).

RubyGems writes Ruby source (`Gem::Specification.new do |s|` … `s.name = "rss".freeze`,
`s.version = "0.2.9"`), never evaluated here: the name and version are read from their assignments, with
the quotings seen in written specifications: `"x"`, `'x'`, an optional `.freeze`, `%q{x}`/`%q<x>`/`%q(x)`/
`%q[x]`, and `Gem::Version.new("x")`. When an assignment is not a literal, the `# stub: <name> <version>`
header line RubyGems puts on top is used (RubyGems itself trusts it: its stub specifications read only
that line), then the file name (`<name>-<version>[-<platform>].gemspec`
does not split unambiguously, so only together with a literal name). Nothing usable, or no
`Gem::Specification.new` at all, is a `ParseError`; version constants (`s.version = Foo::VERSION`, which a
project's own gemspec uses but an installed specification never does) are not evaluated.
"""

from __future__ import annotations

import re

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.installed._common import segments

__all__ = ["ANALYZER", "analyze"]

ECOSYSTEM = "RubyGems"
_LITERAL = (  # "x", 'x', %q{x} %q<x> %q(x) %q[x], then maybe .freeze
    r"""(?:"(?P<dq>[^"\\\n]*)"|'(?P<sq>[^'\\\n]*)'"""
    r"""|%[qQ](?:\{(?P<cb>[^}\n]*)\}|<(?P<ab>[^>\n]*)>|\((?P<pb>[^)\n]*)\)|\[(?P<bb>[^\]\n]*)\]))(?:\.freeze)?"""
)
_ASSIGN = {
    key: re.compile(rf"^[ \t]*\w+\.{key}[ \t]*=[ \t]*(?:Gem::Version\.new\(?[ \t]*)?{_LITERAL}",
                    re.MULTILINE)
    for key in ("name", "version")
}
_STUB = re.compile(r"^# stub: (\S+) (\S+)", re.MULTILINE)
_VERSION = re.compile(r"\d[0-9A-Za-z.]*")  # RubyGems versions have no "-"; a platform may follow one


def _required(path: str) -> bool:
    parts = segments(path)
    if len(parts) < 2 or not parts[-1].endswith(".gemspec"):
        return False
    return parts[-2] == "specifications" or (len(parts) >= 3 and parts[-2] == "default"
                                             and parts[-3] == "specifications")


def _literal(source: str, key: str) -> str | None:
    match = _ASSIGN[key].search(source)
    if match is None:
        return None
    value = next((v for v in match.groups() if v is not None), "")
    return value.strip() or None


def _analyze(file: InputFile) -> Parsed:
    source = file.data.decode("utf-8", "replace")
    if "\x00" in source:
        raise ParseError("binary data (NUL bytes), not a gem specification")
    if "Gem::Specification.new" not in source:
        raise ParseError("not a gem specification (no Gem::Specification.new)")
    name, version = _literal(source, "name"), _literal(source, "version")
    stub = _STUB.search(source)
    if stub is not None:
        name = name or stub.group(1)
        version = version or stub.group(2)
    if name and not version:
        stem = file.path.rsplit("/", 1)[-1].removesuffix(".gemspec")
        if stem.startswith(name + "-"):
            match = _VERSION.match(stem[len(name) + 1:])
            version = match.group(0).rstrip(".") if match else None
    if not name or not version:
        raise ParseError("gem specification without a literal name and version")
    return Parsed(ECOSYSTEM, (Dependency(name, version),))


analyze = guarded(_analyze, "gem specification")

ANALYZER = Analyzer(name="installed/ruby-gemspec", version=1, required=_required, analyze=analyze)
