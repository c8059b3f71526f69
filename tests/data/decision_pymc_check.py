"""The closed-form posterior rule checked against a full Bayesian fit of the mixed model in PyMC.

The posterior rule (:mod:`designs.analyses.decision`) reads a trial's REML estimate and
standard error of the slope difference as a normal likelihood and combines it with a
normal-mixture prior in closed form. That is an approximation: the variance components are
fixed at their REML values. Here the same linear mixed model as ``lmm_slope`` (random
intercept and slope per patient, unstructured 2x2 covariance, fixed effects intercept, month,
arm, arm x month) is fitted to the trial's exported records (``simulate.py trial``'s CSV) in
PyMC with the SAME prior on the treatment effect (arm x month, points/month) and vague priors
on the rest, and ``P(effect > margin | data)`` is compared.

The random effects are integrated out analytically: a patient seen at months ``t`` has
scores ``y ~ N(X beta, Z D Z' + sigma^2 I)`` with ``Z = [1, t]``, so patients of one arm with
the same visits contribute through their count, sum and sum of outer products of scores (the
same grouped statistics as the engine's REML). Dropout is monotone, so the visit sets are
prefixes of the schedule and the model compiles once per design.

Run the larger check once by hand (about 10 s per trial on a loaded 2-core machine)::

    python tests/data/decision_pymc_check.py --trials 15

It prints the worst absolute difference per design and overall (quoted in
docs/conventions.md); ``tests/analyses/test_decision_pymc.py`` runs a smaller version.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from designs.analyses import lmm_slope
from designs.analyses import results as R
from designs.analyses.decision import NormalMixture, lower_tail
from designs.outputs.trial_csv import trial_csv_text
from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec.library import load_design

__all__ = ["CASES", "Case", "Comparison", "compare_design", "normal_vs_t_gap", "trial_records"]

#: Vague priors of the nuisance parameters (points, points/month): wide against ALSFRS-R's
#: 0-48 range and its slopes of about -0.5 points/month.
NUISANCE_SD = {"intercept": 100.0, "month": 10.0, "arm": 10.0}
RANDOM_SD_SCALE = (50.0, 5.0)  # half-normal scales of the random intercept and slope SDs
RESIDUAL_SD_SCALE = 20.0  # half-normal scale of the residual SD (points)


@dataclass(frozen=True)
class Case:
    """A design (library name and overrides) and the prior of the effect used to analyse it."""

    name: str
    overrides: dict
    prior: NormalMixture
    margin: float = 0.0


VAGUE = NormalMixture.normal(0.0, 10.0)
#: Three designs with dropout, each with a different prior of the effect.
CASES = (
    Case(
        "40/arm, default dropout (36% by month 12), vague prior",
        {"trial.n_per_arm": 40},
        VAGUE,
    ),
    Case(
        "30/arm, default dropout + deaths 2%/month, informative dropout, sceptical prior",
        {
            "trial.n_per_arm": 30,
            "dropout.death_monthly_hazard": 0.02,
            "dropout.informative": 0.5,
        },
        NormalMixture.normal(0.0, 0.076),
    ),
    Case(
        "60/arm, visits every 3 months, no effect, robust prior w = 0.5 on N(0.12, 0.05^2)",
        {
            "trial.n_per_arm": 60,
            "trial.visits_months": [0, 3, 6, 9, 12],
            "dropout.cumulative": [0.0, 0.1017, 0.193, 0.2836, 0.364],
            "effect.value": 0.0,
        },
        NormalMixture.normal(0.12, 0.05).mix(VAGUE, 0.5),
    ),
)


@dataclass(frozen=True)
class Comparison:
    """Per trial: closed-form and PyMC ``P(effect > margin | data)``, the MCMC SE of the latter
    (from its effective sample size), and the largest gap between a normal and a t reference
    with the trial's Satterthwaite df."""

    case: str
    closed_form: np.ndarray
    pymc: np.ndarray
    mcse: np.ndarray
    t_gap: np.ndarray
    seconds: float

    @property
    def difference(self) -> np.ndarray:
        return np.abs(self.pymc - self.closed_form)


def normal_vs_t_gap(df: float) -> float:
    """``max_z |Phi(z) - T_df(z)|``: how far a normal reference can be from a t reference.

    The closed form treats the REML variance components as known (a normal likelihood); a
    full posterior integrates over them, which, for a vague prior, turns the normal into
    about a t with the trial's degrees of freedom. The gap is taken over a grid of z.
    """
    z = np.linspace(0.0, 8.0, 4001)
    return float(np.max(np.abs(stats.norm.cdf(z) - stats.t.cdf(z, df))))


def trial_records(design, seed: int, index: int) -> pd.DataFrame:
    """Trial ``index`` of ``seed`` as exported by ``simulate.py trial`` (its CSV, read back)."""
    trial = simulate_one_trial(simulation_inputs(design), seed, index)
    text = trial_csv_text(trial, integer_scores=design.population.integer_scores)
    return pd.read_csv(io.StringIO(text))


def grouped(frame: pd.DataFrame, visits: np.ndarray):
    """Count, sum and sum of outer products of scores per (arm, number of visits).

    Arrays of shape ``(2V,)``, ``(2V, V)`` and ``(2V, V, V)`` (zero-padded; group
    ``a * V + k - 1`` holds arm ``a``'s patients seen at the first ``k`` visits), ``V`` the
    scheduled visits; every patient's visits must be a prefix of the schedule.
    """
    n_visits = visits.size
    count = np.zeros(2 * n_visits)
    total = np.zeros((2 * n_visits, n_visits))
    outer = np.zeros((2 * n_visits, n_visits, n_visits))
    frame = frame.loc[frame["month"] >= 0]
    for _, d in frame.groupby("patient", sort=False):
        months = d["month"].to_numpy(dtype=np.float64)
        k = months.size
        if not np.allclose(months, visits[:k]):
            raise ValueError("a patient's visits are not a prefix of the schedule")
        g = int(d["arm"].iloc[0]) * n_visits + k - 1
        y = d["alsfrs_r"].to_numpy(dtype=np.float64)
        count[g] += 1
        total[g, :k] += y
        outer[g, :k, :k] += np.outer(y, y)
    return count, total, outer


def build_model(visits: np.ndarray, prior: NormalMixture):
    """The PyMC mixed model with the random effects integrated out (data set by pm.set_data).

    One Cholesky factor ``L`` of the full schedule's covariance serves every group: the
    covariance of the first ``k`` visits is the leading block, whose Cholesky factor and
    inverse are the leading blocks of ``L`` and ``L^-1``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    n_visits = visits.size
    k_of = np.tile(np.arange(1, n_visits + 1), 2)  # visits seen, per group
    arm_of = np.repeat([0.0, 1.0], n_visits)
    mask = (np.arange(n_visits)[None, :] < k_of[:, None]).astype(np.float64)  # (G, V)
    z = np.stack([np.ones(n_visits), visits], axis=1)
    with pm.Model() as model:
        count = pm.Data("count", np.zeros(2 * n_visits))
        total = pm.Data("total", np.zeros((2 * n_visits, n_visits)))
        outer = pm.Data("outer", np.zeros((2 * n_visits, n_visits, n_visits)))
        b0 = pm.Normal("intercept", 40.0, NUISANCE_SD["intercept"])
        b1 = pm.Normal("month", 0.0, NUISANCE_SD["month"])
        b2 = pm.Normal("arm", 0.0, NUISANCE_SD["arm"])
        if len(prior.weights) == 1:
            effect = pm.Normal("effect", prior.means[0], prior.sds[0])
        else:
            effect = pm.NormalMixture(
                "effect", w=np.array(prior.weights), mu=np.array(prior.means),
                sigma=np.array(prior.sds),
            )  # fmt: skip
        chol, _, _ = pm.LKJCholeskyCov(
            "random", n=2, eta=1.0, sd_dist=pm.HalfNormal.dist(np.array(RANDOM_SD_SCALE))
        )
        sigma = pm.HalfNormal("sigma", RESIDUAL_SD_SCALE)
        v = pt.dot(pt.dot(z, chol @ chol.T), z.T) + sigma**2 * np.eye(n_visits)
        lv = pt.linalg.cholesky(v)
        linv = pt.linalg.solve_triangular(lv, np.eye(n_visits), lower=True)
        mu = (b0 + b1 * visits)[None, :] + arm_of[:, None] * (b2 + effect * visits)[None, :]
        mu = mu * mask  # (G, V)
        resid = (
            outer
            - mu[:, :, None] * total[:, None, :]
            - total[:, :, None] * mu[:, None, :]
            + count[:, None, None] * mu[:, :, None] * mu[:, None, :]
        )
        # tr(V_k^-1 R) = sum over i < k of (L^-1 R L^-T)_ii
        half = pt.einsum("ij,gjl->gil", linv, resid)
        diag = pt.sum(half * linv[None, :, :], axis=2)  # (G, V)
        quad = pt.sum(diag * mask)
        logdet = pt.sum(count[:, None] * mask * 2.0 * pt.log(pt.diag(lv))[None, :])
        n_obs = pt.sum(count * k_of)
        pm.Potential("loglik", -0.5 * (n_obs * np.log(2 * np.pi) + logdet + quad))
    return model


def pymc_probability(model, step, data, margin: float, draws: int, seed: int):
    """``P(effect > margin | data)`` from NUTS draws (2 chains, ``draws`` tuning and kept
    draws each) and its MCMC SE (ArviZ, from the effective sample size of the indicator).

    ``step`` is one ``pm.NUTS`` of ``model`` reused for every trial (its tuning is reset by
    each ``pm.sample``), so the model is compiled once; the data enter as ``pm.Data``.
    """
    import arviz as az
    import pymc as pm

    with model:
        pm.set_data(dict(zip(("count", "total", "outer"), data, strict=True)))
        idata = pm.sample(
            draws=draws,
            tune=draws,
            chains=2,
            cores=1,
            step=step,
            random_seed=seed,
            progressbar=False,
            compute_convergence_checks=False,
        )
    above = (idata.posterior["effect"] > margin).astype(np.float64)
    p = float(above.mean())
    mcse = float(az.mcse(above.to_dataset(name="x"), method="mean")["x"])
    if not np.isfinite(mcse) or p in (0.0, 1.0):
        mcse = 0.0
    # An indicator's MCSE from its ESS cannot be below sqrt(p(1-p)/draws): use the larger.
    n = above.size
    return p, max(mcse, float(np.sqrt(p * (1.0 - p) / n)))


def compare_design(
    case: Case, trials: int, seed: int = 2026, draws: int = 500, first: int = 0
) -> Comparison:
    """Closed form against PyMC on trials ``first .. first + trials - 1`` of ``case``'s design."""
    import logging

    logging.getLogger("pymc").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=".*BLAS.*")
    start = time.perf_counter()
    design = load_design("default").with_overrides(case.overrides)
    inputs = simulation_inputs(design)
    res = run_trials(inputs, trials, seed, ("lmm_slope",), first_trial=first)
    est = res.column("lmm_slope", R.ESTIMATE)
    se = res.column("lmm_slope", R.SE)
    df = res.column("lmm_slope", R.DF)
    ok = ~res.failed("lmm_slope")
    closed = 1.0 - lower_tail(case.prior, est[ok], se[ok], case.margin)
    visits = np.asarray(design.trial.visits_months, dtype=np.float64)
    import pymc as pm

    model = build_model(visits, case.prior)
    step = None
    probs, errs = [], []
    for i in np.flatnonzero(ok):
        frame = trial_records(design, seed, first + int(i))
        fit = lmm_slope.fit_data(frame)  # the export is the engine's trial
        if not np.isclose(fit.estimate, est[i], rtol=1e-6, atol=1e-9):
            raise AssertionError(f"trial {first + i}: export and engine estimates differ")
        data = grouped(frame, visits)
        if step is None:
            with model:
                pm.set_data(dict(zip(("count", "total", "outer"), data, strict=True)))
                step = pm.NUTS(target_accept=0.9)
        p, e = pymc_probability(model, step, data, case.margin, draws, seed + int(i))
        probs.append(p)
        errs.append(e)
    gaps = np.array([normal_vs_t_gap(d) for d in df[ok]])
    return Comparison(
        case.name, closed, np.array(probs), np.array(errs), gaps, time.perf_counter() - start
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100, help="trials per design")
    parser.add_argument("--draws", type=int, default=500, help="NUTS draws (and tuning) per chain")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    worst = 0.0
    for case in CASES:
        c = compare_design(case, args.trials, args.seed, args.draws)
        d = c.difference
        j = int(np.argmax(d))
        worst = max(worst, float(d[j]))
        ratio = float(np.max(d / np.maximum(c.mcse, 1e-12)))
        print(
            f"{c.case}: {d.size} trials, worst |difference| {d[j]:.4f} (closed form "
            f"{c.closed_form[j]:.4f}, PyMC {c.pymc[j]:.4f} +- {c.mcse[j]:.4f} MCSE), mean "
            f"{d.mean():.4f}, worst |difference| / MCSE {ratio:.2f}, "
            f"largest normal-vs-t gap {c.t_gap.max():.4f}; {c.seconds:.0f} s"
        )
    print(f"worst |difference| over all designs: {worst:.4f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ".")
    raise SystemExit(main())
