"""The rule table of the built-in Python engine: every Ruff rule shiftsec selects, with its severity,
confidence, CWE and fix guidance.

Security rules: Ruff's `S` rules are its port of flake8-bandit, and each `S<nnn>` checks what Bandit's test
`B<nnn>` checks (Ruff's docs: "Derived from the flake8-bandit linter"; e.g. S301 suspicious-pickle-usage is
Bandit's B301 pickle). Severity, confidence and CWE are Bandit 1.9's own defaults, read from its plugin
definitions (`bandit/plugins/*.py`: `bandit.Issue(severity=…, confidence=…, cwe=issue.Cwe.…)`) and its
blacklists (`bandit/blacklists/calls.py`, `imports.py`: `build_conf_dict(name, "B301", Cwe…, …, level)`, the
level defaulting to MEDIUM, blacklist confidence HIGH). Where Bandit grades one test two ways, the table holds
the graver grade and `ruff_engine` lowers it for the case Bandit rates lower (`refine`):
B602/B605 shell calls (HIGH when the command is not a literal, LOW when Ruff says "seems safe"),
B103 chmod (HIGH world-writable, MEDIUM otherwise), B324 (HIGH for hashlib, MEDIUM for crypt),
B202 tarfile (HIGH without `members=`, MEDIUM with one, LOW when it is a filter function's result),
B505 key size (RSA/DSA: HIGH below 1024 bits, MEDIUM below 2048; EC: HIGH below 160, MEDIUM below 224).

Quality rules: a few bug-prone patterns that break at run time, never style. They have no Bandit counterpart,
are rated LOW and carry no CWE; the agreement with Bandit counts security rules only.
Not in the table: S320 (lxml parsing) and S410 (lxml import), which Ruff removed, as Bandit removed B320/B410.
- F821 undefined-name, F822 undefined-export, F823 undefined-local, F811 redefined-while-unused,
  F601/F602 repeated dict keys, F632 `is` against a literal, F502 to F509 broken `%` format calls;
- B002 unary prefix increment, B006 mutable default argument, B012 return/break in `finally`, B015 pointless
  comparison, B016 raising a literal, B018 useless expression, B020 loop variable overrides the iterable,
  B023 closure over a loop variable, B025 duplicate `except`, B033 duplicate set item, B035 static dict-comp key;
- PLE (Pylint errors: every one is a likely crash, e.g. PLE0101 return in `__init__`, PLE1142 await outside
  async).
E9 is selected too so that files Ruff cannot read or parse are reported, as errors, never findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiftsec.model import Severity

H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: Ruff's code (the finding's rule id), a title, Bandit's default severity and confidence, the
    CWE number (0: none), Bandit's test id ("" for quality rules) and what to do about it."""

    rule_id: str
    title: str
    severity: Severity
    confidence: str
    cwe: int
    bandit_id: str
    fix: str

    @property
    def security(self) -> bool:
        return bool(self.bandit_id)


def _s(code: str, title: str, severity: Severity, confidence: str, cwe: int, fix: str) -> Rule:
    return Rule(code, title, severity, confidence, cwe, "B" + code[1:], fix)


def _q(code: str, title: str, fix: str) -> Rule:
    return Rule(code, title, L, "HIGH", 0, "", fix)


_XML = "Parse untrusted XML with defusedxml (`defusedxml.ElementTree`…), which refuses entity expansion and DTDs."
_SHELL = ("Pass the command as a list with shell=False (the default) and never build it from untrusted input; if "
          "a shell is unavoidable, quote every argument with shlex.quote.")
_SUBPROCESS = "Check that the program and its arguments cannot come from untrusted input; use absolute paths."
_PASSWORD = ("Read secrets from the environment or a secret manager at run time; never keep them in source. Rotate "
             "the value if it is a real credential.")
_SQL = "Use the driver's parameter binding (placeholders and an argument tuple), never string formatting."

RULES: tuple[Rule, ...] = (
    # --- security: Ruff's port of Bandit (S<nnn> = B<nnn>) ---------------------------------------------------
    _s("S101", "assert used", L, "HIGH", 703,
       "Do not rely on `assert` for checks that must hold in production: `python -O` removes them. Raise an "
       "exception instead."),
    _s("S102", "exec used", M, "HIGH", 78, "Avoid `exec`; dispatch to known functions instead of running code."),
    _s("S103", "permissive file permissions", H, "HIGH", 732,
       "Grant only what is needed (e.g. 0o600 for private files, 0o644/0o755 at most); never world-writable."),
    _s("S104", "binding to all interfaces", M, "MEDIUM", 605,
       "Bind to a specific interface (e.g. 127.0.0.1) or make the address configurable."),
    _s("S105", "hard-coded password string", L, "MEDIUM", 259, _PASSWORD),
    _s("S106", "hard-coded password argument", L, "MEDIUM", 259, _PASSWORD),
    _s("S107", "hard-coded password default", L, "MEDIUM", 259, _PASSWORD),
    _s("S108", "hard-coded temporary file", M, "MEDIUM", 377,
       "Use the tempfile module (`tempfile.mkstemp`, `NamedTemporaryFile`, `TemporaryDirectory`)."),
    _s("S110", "try-except-pass", L, "HIGH", 703, "Handle or at least log the exception; catch narrow types."),
    _s("S112", "try-except-continue", L, "HIGH", 703, "Handle or at least log the exception; catch narrow types."),
    _s("S113", "request without timeout", M, "LOW", 400, "Pass `timeout=` to every HTTP request."),
    _s("S201", "Flask debug mode", H, "MEDIUM", 94,
       "Never run Flask with debug=True in production: the debugger executes arbitrary code."),
    _s("S202", "unsafe tarfile extraction", H, "HIGH", 22,
       "Extract with `filter='data'` (Python 3.12+) or check every member's path before extracting."),
    _s("S301", "pickle deserialization", M, "HIGH", 502,
       "Never unpickle untrusted data; use JSON or another data-only format."),
    _s("S302", "marshal deserialization", M, "HIGH", 502, "Never unmarshal untrusted data; use a data-only format."),
    _s("S303", "insecure hash function", M, "HIGH", 327,
       "Use SHA-256 or stronger; for passwords use a password hash (argon2, scrypt, bcrypt, PBKDF2)."),
    _s("S304", "insecure cipher", H, "HIGH", 327, "Use AES (e.g. AES-GCM) or ChaCha20-Poly1305."),
    _s("S305", "insecure cipher mode", M, "HIGH", 327, "Use an authenticated mode such as GCM, never ECB."),
    _s("S306", "mktemp", M, "HIGH", 377, "Use `tempfile.mkstemp` or `NamedTemporaryFile` (mktemp races)."),
    _s("S307", "eval", M, "HIGH", 78, "Use `ast.literal_eval` for data, or explicit parsing; never eval input."),
    _s("S308", "mark_safe", M, "HIGH", 79, "Escape the content (`format_html`) instead of marking it safe."),
    _s("S310", "URL open with any scheme", M, "HIGH", 22, "Check the URL's scheme (http/https only) before opening."),
    _s("S311", "non-cryptographic random", L, "HIGH", 330,
       "Use the `secrets` module for tokens, passwords and keys."),
    _s("S312", "telnet", H, "HIGH", 319, "Use SSH or another encrypted protocol."),
    _s("S313", "XML parsing (cElementTree)", M, "HIGH", 20, _XML),
    _s("S314", "XML parsing (ElementTree)", M, "HIGH", 20, _XML),
    _s("S315", "XML parsing (expatreader)", M, "HIGH", 20, _XML),
    _s("S316", "XML parsing (expatbuilder)", M, "HIGH", 20, _XML),
    _s("S317", "XML parsing (sax)", M, "HIGH", 20, _XML),
    _s("S318", "XML parsing (minidom)", M, "HIGH", 20, _XML),
    _s("S319", "XML parsing (pulldom)", M, "HIGH", 20, _XML),
    _s("S321", "FTP", H, "HIGH", 319, "Use SFTP or FTPS."),
    _s("S323", "unverified SSL context", M, "HIGH", 295, "Use `ssl.create_default_context()` (verifies certificates)."),
    _s("S324", "insecure hashlib function", H, "HIGH", 327,
       "Use SHA-256 or stronger; pass `usedforsecurity=False` only where the hash protects nothing."),
    _s("S401", "telnetlib import", H, "HIGH", 319, "Use SSH or another encrypted protocol."),
    _s("S402", "ftplib import", H, "HIGH", 319, "Use SFTP or FTPS."),
    _s("S403", "pickle-family import", L, "HIGH", 502, "Never unpickle untrusted data; use a data-only format."),
    _s("S404", "subprocess import", L, "HIGH", 78, _SUBPROCESS),
    _s("S405", "xml.etree import", L, "HIGH", 20, _XML),
    _s("S406", "xml.sax import", L, "HIGH", 20, _XML),
    _s("S407", "xml.dom.expatbuilder import", L, "HIGH", 20, _XML),
    _s("S408", "xml.dom.minidom import", L, "HIGH", 20, _XML),
    _s("S409", "xml.dom.pulldom import", L, "HIGH", 20, _XML),
    _s("S411", "xmlrpc import", H, "HIGH", 20, "Use `defusedxml.xmlrpc.monkey_patch()` or avoid XML-RPC."),
    _s("S412", "httpoxy-prone CGI handler import", H, "HIGH", 284,
       "Do not run CGI handlers that trust the Proxy header; upgrade or use WSGI."),
    _s("S413", "pycrypto import", H, "HIGH", 327, "PyCrypto is unmaintained: use `cryptography` or PyCryptodome."),
    _s("S415", "IPMI (pyghmi) import", H, "HIGH", 319, "Use an encrypted management protocol."),
    _s("S501", "certificate validation disabled", H, "HIGH", 295, "Keep `verify=True` (the default)."),
    _s("S502", "insecure SSL/TLS version", H, "HIGH", 327, "Use TLS 1.2 or later (`ssl.PROTOCOL_TLS_CLIENT`)."),
    _s("S503", "insecure SSL/TLS default", M, "MEDIUM", 327, "Default to TLS 1.2 or later."),
    _s("S504", "ssl.wrap_socket without version", L, "MEDIUM", 327,
       "Use `SSLContext.wrap_socket` from `ssl.create_default_context()`."),
    _s("S505", "weak cryptographic key", H, "HIGH", 326, "Use RSA/DSA keys of 2048 bits or more, EC curves of 224+."),
    _s("S506", "unsafe yaml.load", M, "HIGH", 20, "Use `yaml.safe_load` (or `Loader=yaml.SafeLoader`)."),
    _s("S507", "SSH host key not verified", H, "MEDIUM", 295,
       "Use `paramiko.RejectPolicy` and a known_hosts file; never AutoAddPolicy."),
    _s("S508", "insecure SNMP version", M, "HIGH", 319, "Use SNMPv3."),
    _s("S509", "SNMPv3 without encryption", M, "HIGH", 319, "Use SNMPv3 with authPriv (authentication and privacy)."),
    _s("S601", "paramiko exec_command", M, "MEDIUM", 78, _SHELL),
    _s("S602", "subprocess with shell=True", H, "HIGH", 78, _SHELL),
    _s("S603", "subprocess without shell", L, "HIGH", 78, _SUBPROCESS),
    _s("S604", "function call with shell=True", M, "LOW", 78, _SHELL),
    _s("S605", "process started with a shell", H, "HIGH", 78, _SHELL),
    _s("S606", "process started without a shell", L, "MEDIUM", 78, _SUBPROCESS),
    _s("S607", "process started with a partial path", L, "HIGH", 78, "Use the program's absolute path."),
    _s("S608", "SQL built from strings", M, "LOW", 89, _SQL),
    _s("S609", "wildcard injection", H, "MEDIUM", 155, "Do not pass `*` to a shell command; list the files."),
    _s("S610", "Django extra()", M, "MEDIUM", 89, _SQL),
    _s("S611", "Django RawSQL", M, "MEDIUM", 89, _SQL),
    _s("S612", "logging.config.listen", M, "HIGH", 94,
       "Do not call `logging.config.listen`: it runs code sent to the port; or pass `verify=`."),
    _s("S701", "jinja2 autoescape off", H, "HIGH", 94,
       "Create the Environment with `autoescape=True` or `select_autoescape()`."),
    _s("S702", "Mako templates", M, "HIGH", 80, "Mako does not escape by default: use `default_filters=['h']`."),
    _s("S704", "unsafe Markup use", M, "HIGH", 79, "Escape the input (`markupsafe.escape`) before wrapping it."),
    # Bandit's B613 trojansource is Pylint's E2502, which Ruff ports as PLE2502 (bidirectional-unicode).
    Rule("PLE2502", "bidirectional Unicode control characters", H, "MEDIUM", 838, "B613",
         "Remove the bidirectional control characters (they make code read differently from how it runs)."),
    # --- quality: bug-prone patterns (no Bandit counterpart) ---------------------------------------------------
    _q("F821", "undefined name", "Define or import the name; this line raises NameError when it runs."),
    _q("F822", "undefined name in __all__", "Remove the name from `__all__` or define it."),
    _q("F823", "local variable used before assignment", "Assign the variable first or declare it global."),
    _q("F811", "redefinition of an unused name", "Remove or rename one of the definitions."),
    _q("F601", "repeated dict key (literal)", "Remove the duplicate key: only the last value is kept."),
    _q("F602", "repeated dict key (variable)", "Remove the duplicate key: only the last value is kept."),
    _q("F632", "`is` comparison with a literal", "Use `==` to compare values."),
    *(_q(f"F50{n}", "broken %-format call", "Make the format string and its arguments agree.") for n in range(2, 10)),
    _q("B002", "unary prefix increment", "Python has no `++`: write `x += 1`."),
    _q("B006", "mutable default argument", "Default to None and create the list/dict inside the function."),
    _q("B012", "return/break/continue in finally", "Do not leave a `finally` block early: it swallows exceptions."),
    _q("B015", "pointless comparison", "The result is unused: assert it or remove it."),
    _q("B016", "raising a literal", "Raise an exception instance."),
    _q("B018", "useless expression", "The expression has no effect: remove it or use its value."),
    _q("B020", "loop variable overrides the iterable", "Rename the loop variable."),
    _q("B023", "function uses a loop variable", "Bind the value as a default argument; the closure sees the last."),
    _q("B025", "duplicate exception handler", "Remove the duplicate `except` clause."),
    _q("B033", "duplicate set item", "Remove the duplicate item."),
    _q("B035", "static key in dict comprehension", "Use a key that depends on the loop variable."),
)

_BY_ID = {rule.rule_id: rule for rule in RULES}
QUALITY_PREFIXES = ("PLE",)  # every Pylint error, rated like the other quality rules


def rule(code: str) -> Rule | None:
    """The table entry of a Ruff code; a Pylint error (PLE…) not listed gets a generic quality entry."""
    found = _BY_ID.get(code)
    if found is None and code.startswith(QUALITY_PREFIXES):
        return _q(code, "Pylint error", "This is a likely crash at run time: fix the code Ruff points at.")
    return found


def selection() -> tuple[str, ...]:
    """The codes passed to `ruff check --select` (E9: unreadable/unparseable files, reported as errors)."""
    return (*(r.rule_id for r in RULES), *QUALITY_PREFIXES, "E9")
