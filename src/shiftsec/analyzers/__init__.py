"""Analyzers: pure parsers that turn one lockfile or manifest into the packages it declares.

Each format lives in its own module under a folder per language and exposes one `ANALYZER` (see `api`).
Analyzers never walk the file system and never touch the advisory database; the directory target hands them
a file's bytes (and a bounded way to read a sibling such as go.sum or a parent pom.xml).
"""
