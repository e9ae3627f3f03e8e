"""The security gate: the policy file (`config`), governed exceptions (`exceptions`), inline ignores
(`inline`), the comparison with a baseline (`baseline`) and the verdict (`gate`).

Data flows one way: scanners produce findings → `gate.judge` marks them (new or existing, suppressed or
open) and decides → reporters print the judged report. Nothing here prints or exits.
"""
