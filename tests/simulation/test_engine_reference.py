"""The engine reproduces its reference outputs (tests/data/engine_reference.npz) for five
fixed designs (four with enrichment, lead-in and curvature off, one with all of them and the
lead-in analysis on): the guard against unintended
changes of the numbers.

On a machine whose NumPy picks the same SIMD code as the machine that wrote the reference,
equality is bit for bit. Elsewhere NumPy's last bits differ (the dropout cumulative hazard
comes from ``log1p``, whose AVX-512 and AVX2 versions differ in the last bit), so floats are
compared to a relative 1e-9 (about 10^7 times the double precision, far below any
statistical meaning and far above last-bit noise propagated through a REML fit) and integer
outcomes (scores, counts, fit status) exactly. The reference was written by
tests/data/make_engine_reference.py and equals, bit for bit, the engine digests it replaced.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from designs.analyses import results as R
from designs.simulation import layout as K

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from make_engine_reference import CASES, engine_outputs, simd_targets  # noqa: E402

sys.path.remove(str(DATA))

RTOL = 1e-9  # floats on another CPU (see the module docstring)
#: Kinds of array compared exactly whatever the CPU (integers: scores, visit months, counts).
EXACT = {"scores", "months", "counts"}


def layout_grown(kind, value, expected):
    """The parameter row may have grown slots since the reference was written (a new
    feature's switch, appended at the end): those must be 0 (the feature off), and the
    slots the reference has are compared as before. Likewise the analysis axis of the
    results (trial, analysis, slot) grows when an analysis is registered (at the next kernel
    index, e.g. lmm_slope_kr): the reference cases do not run it, so its slots must be NaN
    (never written), and the analyses the reference has are compared as before."""
    if kind == "params" and value.shape[-1] > expected.shape[-1]:
        np.testing.assert_array_equal(value[..., expected.shape[-1] :], 0.0)
        return value[..., : expected.shape[-1]]
    if kind == "results" and value.shape[1] > expected.shape[1]:
        assert np.isnan(value[:, expected.shape[1] :, :]).all(), "a new analysis ran"
        return value[:, : expected.shape[1], :]
    return value


@pytest.fixture(scope="module")
def reference():
    return np.load(DATA / "engine_reference.npz")


@pytest.mark.parametrize("case", list(CASES))
def test_engine_reproduces_its_reference(case, reference):
    same_cpu = str(reference["simd_targets"]) == simd_targets()
    got = engine_outputs(case)
    for kind, value in got.items():
        expected = reference[f"{case}/{kind}"]
        value = layout_grown(kind, value, expected)
        integral = kind != "scores" or np.array_equal(value, np.round(value))
        if same_cpu or (kind in EXACT and integral):
            np.testing.assert_array_equal(value, expected, err_msg=f"{case}/{kind}")
        else:
            np.testing.assert_allclose(value, expected, rtol=RTOL, atol=0, err_msg=kind)
    status = layout_grown("results", got["results"], reference[f"{case}/results"])[:, :, R.STATUS]
    np.testing.assert_array_equal(status, reference[f"{case}/results"][:, :, R.STATUS])
    if case != "realism":  # nobody screened out: candidates screened = patients randomised
        np.testing.assert_array_equal(got["counts"][:, K.C_SCREENED_PLACEBO], 20)
        np.testing.assert_array_equal(got["counts"][:, K.C_SCREENED_ACTIVE], 20)


def test_reference_holds_with_numpy_at_a_lower_simd_level(repo_root):
    """The same check in a process whose NumPy may not use its best SIMD code (as on another
    CPU of this kind): AVX-512 switched off where the CPU has it."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    off = [t for t in ("X86_V4", "AVX512_ICL", "AVX512_SPR") if __cpu_features__.get(t)]
    off = [t for t in off if t in __cpu_dispatch__]
    env = dict(os.environ)
    if off:  # on a CPU without AVX-512 the process runs at its own (lower) level anyway
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(off)
    check = (
        "import numpy as np, sys; sys.path.insert(0, 'tests/data');"
        "from make_engine_reference import CASES, engine_outputs;"
        "ref = np.load('tests/data/engine_reference.npz');"
        "[np.testing.assert_allclose(v[..., : ref[f'{c}/{k}'].shape[-1]] if k == 'params'"
        " else v[:, : ref[f'{c}/{k}'].shape[1]] if k == 'results'"
        " else v, ref[f'{c}/{k}'], rtol=1e-9, atol=0)"
        " for c in CASES for k, v in engine_outputs(c).items()];"
        "print('ok', len(CASES))"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], cwd=repo_root, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == f"ok {len(CASES)}"
