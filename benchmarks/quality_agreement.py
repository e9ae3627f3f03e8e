"""Cyclomatic complexity: the quality engine's line-based count beside a syntax-tree count, function by function.

    .venv/bin/python benchmarks/quality_agreement.py [TREE] [--show 20]

TREE defaults to the standard library of this Python (`site-packages` left out). The syntax-tree count below
(`tree_complexities`) applies radon 6's `ComplexityVisitor` rules to CPython's `ast` (radon itself is not a
dependency: its figures were compared with this count on 673 standard-library functions, including argparse and
tarfile, with no difference). Files that do not parse are skipped. Prints how many functions agree, and the
first `--show` differences; exit 0 either way (a report, not a test: `tests/sast/test_quality.py` holds the
asserted cases).
"""

from __future__ import annotations

import argparse
import ast
import sys
import sysconfig
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shiftsec.sast import quality


class _Decisions(ast.NodeVisitor):
    """Decision points of one function body by radon's rules, nested scopes left out."""

    def __init__(self) -> None:
        self.count = 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return None

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        return None

    def visit_Assert(self, node: ast.Assert) -> None:
        self.count += 1

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Try, ast.TryStar)):
            self.count += len(node.handlers) + bool(node.orelse)
        elif isinstance(node, ast.BoolOp):
            self.count += len(node.values) - 1
        elif isinstance(node, (ast.If, ast.IfExp)):
            self.count += 1
        elif isinstance(node, ast.Match):
            wildcard = any(isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None
                           for case in node.cases)
            self.count += max(0, len(node.cases) - wildcard)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            self.count += 1 + bool(node.orelse)
        elif isinstance(node, ast.comprehension):
            self.count += 1 + len(node.ifs)
        elif isinstance(node, ast.JoinedStr):
            return  # the line-based count sees an f-string as one literal
        super().generic_visit(node)


def tree_complexities(source: str) -> dict[tuple[str, int], int]:
    """(qualified name, def line) -> complexity, for every function of `source`."""
    found: dict[tuple[str, int], int] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visitor = _Decisions()
                for statement in child.body:
                    visitor.visit(statement)
                found[prefix + child.name, child.lineno] = 1 + visitor.count
                walk(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + ".")
            else:
                walk(child, prefix)

    walk(ast.parse(source), "")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--show", type=int, default=20)
    args = parser.parse_args()
    total = agree = files = 0
    differences: list[str] = []
    for path in sorted(args.tree.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        try:
            source = path.read_bytes().decode("utf-8")
            expected = tree_complexities(source)
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        files += 1
        got = {(f.name, f.line): f.complexity for f in quality.complexities(quality.logical_lines(source))}
        for key in sorted(set(expected) | set(got), key=lambda k: (k[1], k[0])):
            total += 1
            if expected.get(key) == got.get(key):
                agree += 1
            else:
                differences.append(f"{path.relative_to(args.tree)}:{key[1]} {key[0]}: tree {expected.get(key)}, "
                                   f"lines {got.get(key)}")
    print(f"{agree} of {total} functions agree ({100 * agree / max(total, 1):.2f}%) in {files} files of "
          f"{args.tree}")
    for line in differences[:args.show]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
