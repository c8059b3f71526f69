"""Every text file the tool reads or writes names its encoding (UTF-8): without it Python
uses the locale's, so on Windows (cp1252) or a Latin-1 Linux ``report`` stopped with a
UnicodeEncodeError at its first "≥" or "–" (a portability review), and files written there
would not be UTF-8. Checked on the source: every ``write_text``/``read_text`` and every
``open`` in text mode passes ``encoding``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((ROOT / "designs").rglob("*.py")), *sorted((ROOT / "progression").rglob("*.py"))]
SOURCES += [ROOT / "simulate.py"]


def _text_calls_without_encoding(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg for k in node.keywords}
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("write_text", "read_text"):
            if "encoding" not in keywords:
                lines.append(node.lineno)
        elif (isinstance(func, ast.Name) and func.id == "open") or (
            isinstance(func, ast.Attribute) and func.attr == "fdopen"
        ):
            mode = node.args[1] if len(node.args) > 1 else None
            mode = next((k.value for k in node.keywords if k.arg == "mode"), mode)
            text = "r" if mode is None else mode.value if isinstance(mode, ast.Constant) else "?"
            if isinstance(text, str) and "b" not in text and "encoding" not in keywords:
                lines.append(node.lineno)
    return lines


def test_every_text_read_and_write_names_its_encoding():
    found = []
    for path in SOURCES:
        for line in _text_calls_without_encoding(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []


def test_the_check_finds_a_call_without_encoding():
    """The check itself can fail: it finds each kind of call without an encoding."""
    code = (
        "p.write_text('x')\np.read_text()\nopen(f, 'w')\nopen(f)\nos.fdopen(fd, 'w')\n"
        "p.write_text('x', encoding='utf-8')\nopen(f, 'rb')\nopen(f, 'w', encoding='utf-8')\n"
    )
    assert _text_calls_without_encoding(ast.parse(code)) == [1, 2, 3, 4, 5]
