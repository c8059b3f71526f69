"""The fit report names a conflict between the pre-dose slope prior (set for the CL2020
population) and a user's data (review: 5 patients at -0.2/month and no effect gave
P(delta > 0) = 0.91 without a word about the prior)."""

from types import SimpleNamespace

import pandas as pd

from progression.priors import DEFAULT_PRIORS
from progression.sensitivity import prior_conflict_note


def test_a_pre_dose_slope_outside_the_priors_central_95_percent_is_named():
    idata = SimpleNamespace(attrs={})
    lo = DEFAULT_PRIORS.pre_slope_mean - 1.96 * DEFAULT_PRIORS.pre_slope_mean_sd
    inside = pd.DataFrame({"raw_pre_slope": [lo + 0.01, -0.5, -0.6]})
    assert prior_conflict_note(idata, inside) == ""
    slow = pd.DataFrame({"raw_pre_slope": [-0.2, -0.1, 0.05]})
    note = prior_conflict_note(idata, slow)
    assert note.startswith("PRIOR-DATA CONFLICT: the patients' raw mean pre-dose slope, -0.083")
    assert "N(-0.55, 0.2^2)" in note
    idata.attrs["priors"] = DEFAULT_PRIORS.__class__(pre_slope_mean=-0.1).to_json()
    assert prior_conflict_note(idata, slow) == ""  # the priors the fit recorded are read
