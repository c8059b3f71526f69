"""The layout holds: imports point one way, the disease layer stands alone, modules stay small.

Read from the source (imports anywhere in a module, function bodies included), so a
back-and-forth import cannot hide in a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Package -> packages it must never import (the data flow of docs/architecture.md).
FORBIDDEN = {
    "progression": ("designs", "simulate", "benchmarks"),
    "designs.spec": (
        "designs.simulation",
        "designs.planning",
        "designs.outputs",
        "designs.cli",
        "designs.explorer",
        "simulate",
    ),
    "designs.analyses": (
        "designs.spec",
        "designs.simulation",
        "designs.planning",
        "designs.outputs",
        "designs.cli",
        "designs.explorer",
        "simulate",
    ),
    "designs.sequential": (
        "designs.spec",
        "designs.analyses",
        "designs.simulation",
        "designs.planning",
        "designs.outputs",
        "designs.cli",
        "designs.explorer",
        "simulate",
    ),
    "designs.simulation": (
        "designs.planning",
        "designs.outputs",
        "designs.cli",
        "designs.explorer",
        "simulate",
    ),
    "designs.planning": ("designs.outputs", "designs.cli", "designs.explorer", "simulate"),
    "designs.outputs": ("designs.cli", "designs.explorer", "simulate"),
    # the page sits beside the command line (which starts it), never on top of it
    "designs.explorer": ("designs.cli", "simulate"),
    "designs.cli": ("simulate",),
}
MAX_LINES = 500


def _modules(package: str):
    folder = ROOT / package.replace(".", "/")
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        yield name, path


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                base = module.split(".")[: -node.level]
                found.add(".".join([*base, node.module or ""]).rstrip("."))
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("package", list(FORBIDDEN))
def test_imports_point_one_way(package):
    bad = []
    for name, path in _modules(package):
        for imported in _imports(path, name):
            for forbidden in FORBIDDEN[package]:
                if imported == forbidden or imported.startswith(forbidden + "."):
                    bad.append(f"{name} imports {imported}")
    assert not bad, "\n".join(bad)


def test_no_module_over_the_size_limit():
    long = []
    paths = [ROOT / "simulate.py"]
    for package in ("designs", "progression", "benchmarks"):
        paths += [path for _, path in _modules(package)]
    for path in paths:
        n = len(path.read_text().splitlines())
        if n > MAX_LINES:
            long.append(f"{path.relative_to(ROOT)}: {n} lines")
    assert not long, "\n".join(long)


def test_no_file_cites_material_outside_the_repository():
    """Every citation points into docs/ or to a publication (none to files users lack)."""
    words = ("natural_history.md", "DESIGN.md", "phase2_trial.md", "validation_tables.md",
             "shared/reference", "../shared")  # fmt: skip
    hits = []
    for path in ROOT.rglob("*"):
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(ROOT).parts):
            continue
        if path.suffix not in {".py", ".md", ".toml", ".ipynb", ".txt", ""}:
            continue
        if path.relative_to(ROOT).parts[0] in {"docs"} or path.name == "test_architecture.py":
            continue
        text = path.read_text(errors="replace")
        hits += [f"{path.relative_to(ROOT)}: {w}" for w in words if w in text]
    assert not hits, "\n".join(hits)


def test_architecture_page_names_every_module():
    """docs/architecture.md's map names every module of the two packages (a new module
    that the map leaves out is found here, not by a reader who cannot find it)."""
    page = (ROOT / "docs" / "architecture.md").read_text()
    missing = [
        str(path.relative_to(ROOT))
        for package in ("designs", "progression")
        for _, path in _modules(package)
        if path.name != "__init__.py" and path.name not in page
    ]
    assert not missing, "not in docs/architecture.md: " + ", ".join(missing)
