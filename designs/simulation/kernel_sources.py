"""Which source files can end up inside a compiled kernel (the key of Numba's cache).

Numba inlines, into a cached kernel, every jitted function it calls and every global it reads
(layout slots, salts), also from other modules, but checks only the kernel's own file for
staleness. :func:`kernel_sources` therefore lists, from the sources alone (no import):

1. every module that compiles code: it uses ``njit``/``jit`` (or another Numba decorator);
2. every module such a module takes a name from that its compiled code, its module-level
   statements or its class bodies use (a name used only inside plain Python functions, e.g.
   the benchmark's timing loop calling the engine, cannot reach compiled code; a function
   that compiles something inside it counts whole);
3. every module a module of (2) imports, followed through all its imports (it may re-export
   a name from deeper down, as ``designs.analyses.reml`` does);
4. the ``__init__.py`` of every package above those modules.

A kernel edit, or an edit of anything it reads, changes the list's contents and so the key;
an edit of the planning, output or command-line layers does not. The list is conservative
where the analysis cannot be precise (2 and 3 follow a whole module, not one name). Not
seen: a plain function of a module that compiles nothing, passed to a compiling factory
elsewhere (``k = make(plain)``); no such factory exists here, and
``tests/simulation/test_numba_cache.py`` checks every loaded kernel's globals against the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

#: Names of Numba's compiling decorators and functions; a module using one compiles code.
JIT_NAMES = frozenset(
    {
        "cfunc",
        "generated_jit",
        "guvectorize",
        "intrinsic",
        "jit",
        "jitclass",
        "njit",
        "overload",
        "overload_method",
        "register_jitable",
        "stencil",
        "vectorize",
    }
)


def _modules(folders: tuple[Path, ...]) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` below ``folders`` (each a package)."""
    found = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.py"):
            parts = [folder.name, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _jit_names(tree: ast.Module) -> frozenset[str]:
    """:data:`JIT_NAMES` and the local names the module binds them to
    (``from numba import njit as fast``)."""
    aliases = {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numba"
        for alias in node.names
        if alias.name in JIT_NAMES and alias.asname
    }
    return JIT_NAMES | aliases


def _uses_jit(node: ast.AST, jit_names: frozenset[str] = JIT_NAMES) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id in jit_names)
        or (isinstance(n, ast.Attribute) and n.attr in JIT_NAMES)
        for n in ast.walk(node)
    )


def _imports(module: str, path: Path, tree: ast.Module) -> list[tuple[str, str | None, str]]:
    """(imported module, imported name or None, local name) of every import in ``tree``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                out.append((alias.name, None, local))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                out.append((base, alias.name, alias.asname or alias.name))
    return out


def _compiled_names(tree: ast.Module) -> set[str]:
    """Names read by the module's compiled functions and by its module-level statements,
    including the plain functions those statements call (``TABLE = _table()``), transitively."""
    jit_names = _jit_names(tree)
    names: set[str] = set()
    plain: dict[str, ast.AST] = {}

    def visit(node: ast.AST) -> None:
        # A function that is compiled, or compiles anything inside it, counts whole; a plain
        # one only with what runs at import (decorators, defaults), unless module-level code
        # calls it (below). A class body runs at import, its attributes can be read by
        # compiled code: it counts whole, like any other module-level statement.
        is_def = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if is_def and not _uses_jit(node, jit_names):
            plain[node.name] = node
            for part in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
                if part is not None:
                    names.update(n.id for n in ast.walk(part) if isinstance(n, ast.Name))
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            return
        names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))

    for statement in tree.body:
        visit(statement)
    done: set[str] = set()
    while todo := (names & plain.keys()) - done:  # plain functions run at import
        for name in todo:
            done.add(name)
            names.update(n.id for n in ast.walk(plain[name]) if isinstance(n, ast.Name))
    return names


def kernel_sources(folders: tuple[Path, ...]) -> list[Path]:
    """The files below ``folders`` whose contents can change a compiled kernel, sorted.

    ``folders`` are package folders (``designs/``, ``benchmarks/``); imports of anything
    outside them (NumPy, Numba, ``progression``) are not followed.
    """
    modules = _modules(folders)
    trees = {m: ast.parse(p.read_bytes(), filename=str(p)) for m, p in modules.items()}

    def targets(base: str, name: str | None) -> list[str]:
        found = [base] if base in modules else []
        if name is not None and f"{base}.{name}" in modules:
            found.append(f"{base}.{name}")
        return found

    roots = {m for m, tree in trees.items() if _uses_jit(tree, _jit_names(tree))}
    todo: list[str] = []
    for module in roots:
        used = _compiled_names(trees[module])
        for base, name, local in _imports(module, modules[module], trees[module]):
            if local in used or name == "*":
                todo += targets(base, name)
    kept = set(roots)
    while todo:  # modules a compiled module reads: followed through all their imports
        module = todo.pop()
        if module in kept:
            continue
        kept.add(module)
        for base, name, _ in _imports(module, modules[module], trees[module]):
            todo += targets(base, name)
    for module in list(kept):  # the packages above: their __init__ runs on import
        parts = module.split(".")
        kept.update(
            ".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in modules
        )
    return sorted(modules[m] for m in kept)
