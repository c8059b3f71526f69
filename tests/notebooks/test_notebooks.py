"""The worked notebooks in ``notebooks/``: committed without outputs, and run top to bottom.

Execution uses quick mode (``ALS_QUICK=1``: fewer trials and draws, the same real
computation) and the ``python3`` kernel, which ``jupyter_client`` starts with the interpreter
running the tests, so it works before ``make`` has installed the named ``als-trial-sim``
kernel. A probe cell inserted in front (in memory only) checks that the kernel really runs in
this environment. Each notebook is meant to run in well under 3 minutes in quick mode on a
2-core machine; measured 15-50 s each once Numba and PyTensor caches are warm, so these are
not marked slow (the durations report of ``make test`` shows the times).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

# Executes the four notebooks (minutes): not in `make test-fast`.
pytestmark = pytest.mark.slow

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = (
    "01_posterior.ipynb",
    "02_power_sweep.ipynb",
    "03_sample_size_tables.ipynb",
    "04_interim_looks.ipynb",
)
KERNEL_NAME = "als-trial-sim"  # the kernel the Makefile installs and the README names
PROBE = "import sys\nprint(sys.prefix)"


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4)


def test_every_notebook_is_listed():
    """A new notebook must be added to NOTEBOOKS so that the suite executes it."""
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name):
    nb = _read(name)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], f"{name}: cell {index} has outputs; clear them"
        assert cell.execution_count is None, f"{name}: cell {index} has an execution count"
    assert nb.metadata.kernelspec.name == KERNEL_NAME


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_top_to_bottom_in_quick_mode(name, monkeypatch, tmp_path):
    from nbclient import NotebookClient

    # The kernel inherits this process' environment (as it does NUMBA_CACHE_DIR etc.).
    monkeypatch.setenv("ALS_QUICK", "1")
    # The notebooks' scratch folders (tempfile.mkdtemp) go under pytest's own temporary
    # folder, which pytest prunes, instead of piling up in /tmp run after run.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    nb = _read(name)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    nb.cells.append(nbformat.v4.new_code_cell("print(WORK)"))  # its scratch folder
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute()  # raises CellExecutionError at the first failing cell

    probe = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    assert probe.strip() == sys.prefix, "the kernel does not run in the test environment"
    errors = [
        (index, output.ename)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []
    # a notebook review: with MPLBACKEND=Agg (the Makefile's) a notebook without %matplotlib
    # inline showed no figure, without an error; every cell that shows one has an image
    blank = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and ("plt.show()" in cell.source or "display(Image(" in cell.source)
        and not any("image/png" in output.get("data", {}) for output in cell.outputs)
    ]
    assert blank == [], f"{name}: cells without their figure"
    # the scratch folder was under TMPDIR, and is gone once the kernel stopped (a teaching
    # review: every run left one in /tmp)
    work = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert work.strip().startswith(str(tmp_path / "als_nb")), work
    assert not list(tmp_path.glob("als_nb*")), "the notebook's scratch folder stayed"
    # PyMC's sampler messages stay out of the notebooks (issue 14); its warnings may show.
    chatter = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and "Initializing NUTS" in output.get("text", "")
    ]
    assert chatter == []
