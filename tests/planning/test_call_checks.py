"""A library call with an argument of the wrong type gets one InputError naming the argument,
as the command line's options do (a pipeline author's review: bare TypeErrors and an
AttributeError, and "analyses: m is given twice" for one analysis name given as text)."""

from __future__ import annotations

import numpy as np
import pytest

from designs import find_sample_size, load_design, power
from designs.errors import InputError


@pytest.fixture(scope="module")
def design():
    return load_design("default").with_overrides({"trial.n_per_arm": 20})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: power(d, 100.0, 1), "trials = 100.0: must be a whole number >= 1"),
        (lambda d: power(d, True, 1), "trials = True: must be a whole number >= 1"),
        (lambda d: power(d, 0, 1), "trials = 0: must be a whole number >= 1"),
        (lambda d: power(d, 100, 1, "lmm_slope"), "analyses = 'lmm_slope': a sequence of"),
        (lambda d: power("default", 100, 1), "design: a TrialDesign"),
        (lambda d: find_sample_size(d, 0.8), "targets = 0.8: a sequence of target powers"),
        (lambda d: find_sample_size(d, "0.8"), "targets = '0.8': a sequence of target powers"),
        (lambda d: find_sample_size(d, (0.8,), 50.5), "trials = 50.5: must be a whole number"),
        (lambda d: find_sample_size({"trial": {}}, (0.8,)), "design: a TrialDesign"),
    ],
    ids=[
        "float-trials", "bool-trials", "no-trials", "one-name", "name-as-design",
        "one-target", "text-target", "float-search-trials", "mapping-as-design",
    ],
)  # fmt: skip
def test_wrong_types_are_one_input_error(design, call, message):
    with pytest.raises(InputError) as info:
        call(design)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_numpy_integers_and_lists_are_taken(design):
    """What a pipeline passes: numpy integers, lists of names and of targets."""
    s = power(design, np.int64(20), np.int64(3), ["lmm_slope"])
    assert s["lmm_slope"].trials == 20
