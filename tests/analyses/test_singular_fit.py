"""``analyze`` says when the mixed model's fit is singular, by lme4's ``isSingular`` rule (a
numerics review: lme4 flagged 36 of the review's fits that the tool reported as plainly
converged, with the same numbers, and a Satterthwaite df of 234.6 where the patients carry
58).

The trials (tests/data/singular_slope_trial.csv: 30 patients per arm, 5 visits, no slope
variation; regular_fit_trial.csv: an ordinary trial; both from the review) against R 4.2.2,
lme4 1.1.31, lmerTest 3.1.3: ``fit <- lmer(alsfrs_r ~ month * arm + (month | patient), REML
= TRUE, control = lmerControl(check.conv.singular = "ignore"))``: ``isSingular(fit)`` TRUE
and FALSE (the same refitted to the optimum below); ``summary()`` (Satterthwaite) of that
refit, ``control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12))``,
below. Tolerances: the two REML optima agree to ~1e-7 (the review: at most 3.5e-7
relative); the estimate near 0 to 1e-6 of its SE.
"""

import pandas as pd
import pytest

from designs.analyses.lmm_slope import SINGULAR_TOL
from designs.analyses.registry import analyze

#: file -> (lme4's isSingular, estimate, SE, Satterthwaite df) from R (module docstring)
R_VALUES = {
    "singular_slope_trial.csv": (True, 0.02098, 0.0559156121943, 234.625101393),
    "regular_fit_trial.csv": (False, 0.0027438147526, 0.167643227792, 29.962008234),
}


@pytest.mark.parametrize("name", list(R_VALUES))
def test_a_singular_fit_is_said_as_lme4_says_it(repo_root, name):
    singular, estimate, se, df = R_VALUES[name]
    data = pd.read_csv(repo_root / "tests/data" / name)
    fit = analyze(data, "lmm_slope", whole_scores=False)
    assert fit.estimate == pytest.approx(estimate, abs=1e-6 * se)
    assert fit.se == pytest.approx(se, rel=1e-6)
    assert fit.df == pytest.approx(df, rel=1e-5)
    said = [w for w in fit.warnings if w.startswith("singular fit")]
    assert bool(said) == singular
    if singular:  # the df of a boundary fit against the patients' (60 - 2)
        assert (
            "Satterthwaite's df from a boundary fit (234.6) exceeds the between-patient " in said[0]
        )
        assert "df (58): --df-method kenward-roger" in said[0]
        kr = analyze(data, "lmm_slope", df_method="kenward-roger", whole_scores=False)
        assert any(w.startswith("singular fit") for w in kr.warnings)
        assert not any("exceeds the between-patient" in w for w in kr.warnings)


def test_the_tolerance_is_lme4s():
    assert SINGULAR_TOL == 1e-4  # lme4::isSingular(tol = 1e-4)
