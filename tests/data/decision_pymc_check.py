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
prefixes of the schedule and the model compiles once per design: nutpie compiles it (Numba
backend) and each trial's grouped scores replace its ``pm.Data`` (``with_data``), so a trial
costs its sampling alone (4 chains x 1,000 NUTS steps, about 5 s on one core).

The reference table ``tests/data/decision_pymc_reference.csv`` (4 cases x 75 trials, seed
2026; about 30 minutes on one core of a loaded machine) was made by::

    nice -n 10 python -u tests/data/decision_pymc_check.py --trials 75 --seed 2026

which writes the table (with PyMC and nutpie versions, date and command on its first line)
and prints the worst absolute difference per case and overall (quoted in
docs/conventions.md). ``tests/analyses/test_decision_pymc.py`` re-simulates the same trials,
recomputes the closed form and holds it against the table.
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

__all__ = [
    "CASES",
    "Case",
    "closed_form",
    "normal_vs_t_gap",
    "run_case",
    "t_likelihood_shift",
    "trial_fingerprint",
]

#: Vague priors of the nuisance parameters (points, points/month): wide against ALSFRS-R's
#: 0-48 range and its slopes of about -0.5 points/month.
NUISANCE_SD = {"intercept": 100.0, "month": 10.0, "arm": 10.0}
RANDOM_SD_SCALE = (50.0, 5.0)  # half-normal scales of the random intercept and slope SDs
RESIDUAL_SD_SCALE = 20.0  # half-normal scale of the residual SD (points)


@dataclass(frozen=True)
class Case:
    """A design (library name and overrides), the prior of the effect used to analyse it and
    the margin (points/month) of ``P(effect > margin | data)``."""

    key: str
    name: str
    overrides: dict
    prior: NormalMixture
    margin: float = 0.0


VAGUE = NormalMixture.normal(0.0, 10.0)
SCEPTICAL = NormalMixture.normal(0.0, 0.076)
ROBUST = NormalMixture.normal(0.12, 0.05).mix(VAGUE, 0.5)
#: Four designs with dropout, each with its own prior and margin; the true effects are chosen
#: so that the probabilities spread over (0, 1) (medians 0.5-0.7) rather than sit near 0 or 1.
CASES = (
    Case(
        "default",
        "default design (100/arm, published attrition 33% by month 12, deaths 0.4%/month), "
        "effect 8% slowing, vague prior, margin 0",
        {"effect.value": 0.08},
        VAGUE,
    ),
    Case(
        "informative",
        "50/arm, deaths 2%/month, informative dropout and death (0.5), effect 30% slowing, "
        "sceptical prior N(0, 0.076^2), margin 0.05",
        {
            "trial.n_per_arm": 50,
            "effect.value": 0.3,
            "dropout.death_monthly_hazard": 0.02,
            "dropout.informative": 0.5,
            "dropout.death_informative": 0.5,
        },
        SCEPTICAL,
        0.05,
    ),
    Case(
        "small",
        "12/arm, default dropout, no effect, robust prior 0.5 N(0.12, 0.05^2) + 0.5 vague, "
        "margin 0.1",
        {"trial.n_per_arm": 12, "effect.value": 0.0},
        ROBUST,
        0.1,
    ),
    Case(
        "quarterly",
        "60/arm, visits every 3 months, 36% dropout by month 12, effect 20% slowing, robust "
        "prior 0.5 N(0.12, 0.05^2) + 0.5 vague, margin 0.1",
        {
            "trial.n_per_arm": 60,
            "trial.visits_months": [0, 3, 6, 9, 12],
            "dropout.cumulative": [0.0, 0.1017, 0.193, 0.2836, 0.364],
            "effect.value": 0.2,
        },
        ROBUST,
        0.1,
    ),
)


def normal_vs_t_gap(df: float) -> float:
    """``max_z |Phi(z) - T_df(z)|``: how far a normal reference can be from a t reference.

    The closed form treats the REML variance components as known (a normal likelihood); a
    full posterior integrates over them, which, for a vague prior, turns the normal into
    about a t with the trial's degrees of freedom. The gap is taken over a grid of z.
    """
    z = np.linspace(0.0, 8.0, 4001)
    return float(np.max(np.abs(stats.norm.cdf(z) - stats.t.cdf(z, df))))


def t_likelihood_shift(prior: NormalMixture, estimate, se, df, margin: float) -> np.ndarray:
    """``|P_t - P_normal|`` per trial: how much ``P(effect > margin | data)`` under ``prior``
    moves when the normal likelihood of the closed form is replaced by a t with the trial's
    Satterthwaite ``df`` (same estimate and SE; numerical integration on a grid of 40 SE
    either side of the estimate).

    This is the approximation allowance of the check: fixing the variance components at their
    REML values gives the normal; integrating over them gives about the t. For a vague prior
    it is about :func:`normal_vs_t_gap` at the trial's z; with a sceptical or mixture prior the
    t's heavier tails also move the weight between prior and data, which the CDF gap misses.
    """
    est, s, dfs = (np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in (estimate, se, df))
    out = np.empty(est.size)
    u = np.linspace(-40.0, 40.0, 20001)
    for i in range(est.size):
        theta = est[i] + s[i] * u
        prior_density = prior.pdf(theta)
        above = theta > margin
        p = []
        for lik in (stats.norm.pdf(u), stats.t.pdf(u, dfs[i])):
            w = prior_density * lik
            p.append(w[above].sum() / w.sum())
        out[i] = abs(p[1] - p[0])
    return out


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


#: NUTS settings of the reference run (nutpie): chains x (tuning + kept draws) per trial.
CHAINS, TUNE, DRAWS = 4, 400, 600
#: Columns of the reference table (tests/data/decision_pymc_reference.csv).
COLUMNS = (
    "case", "seed", "trial", "n_obs", "score_sum", "estimate", "se", "df", "p_closed",
    "p_pymc", "mcse", "ess",
)  # fmt: skip


def case_design(case: Case):
    """The design of ``case`` (the library's default with the case's overrides)."""
    return load_design("default").with_overrides(case.overrides)


def closed_form(case: Case, trials: int, seed: int) -> dict:
    """Per trial ``0 .. trials - 1`` of ``seed``: the ``lmm_slope`` estimate, SE, df (arrays,
    points/month) and the closed-form ``P(effect > margin | data)`` under ``case.prior``."""
    res = run_trials(simulation_inputs(case_design(case)), trials, seed, ("lmm_slope",))
    est = res.column("lmm_slope", R.ESTIMATE)
    se = res.column("lmm_slope", R.SE)
    with np.errstate(invalid="ignore"):
        p = 1.0 - lower_tail(case.prior, est, se, case.margin)
    return {
        "estimate": est,
        "se": se,
        "df": res.column("lmm_slope", R.DF),
        "failed": res.failed("lmm_slope"),
        "p_closed": p,
    }


def trial_fingerprint(inputs, seed: int, index: int) -> tuple[int, float]:
    """Number of score records (months >= 0) and the sum of their scores (points) of trial
    ``index`` (``inputs`` from :func:`simulation_inputs`): with integer scores, the same trial
    gives the same two numbers on any CPU."""
    trial = simulate_one_trial(inputs, seed, index)
    keep = np.asarray(trial["month"]) >= 0
    return int(keep.sum()), float(np.asarray(trial["alsfrs_r"])[keep].sum())


def pymc_probability(compiled, data, margin: float, seed: int):
    """``P(effect > margin | data)`` from nutpie's NUTS draws, its MCMC SE and the effective
    sample size of the indicator ``effect > margin`` (ArviZ, bulk ESS).

    ``compiled`` is the design's model compiled once by nutpie; each trial's grouped scores
    replace its ``pm.Data`` (``with_data``), so nothing is recompiled. The MCMC SE is
    ``sqrt(p (1 - p) / ESS)``, floored at the binomial ``sqrt(p (1 - p) / draws)``; with
    every draw on one side (p = 0 or 1) it is 0 and the closed form must be within the
    approximation allowance alone.
    """
    import arviz as az
    import nutpie

    model = compiled.with_data(**dict(zip(("count", "total", "outer"), data, strict=True)))
    trace = nutpie.sample(
        model, draws=DRAWS, tune=TUNE, chains=CHAINS, cores=1, seed=seed, progress_bar=False
    )
    above = (trace.posterior["effect"] > margin).astype(np.float64)
    p = float(above.mean())
    ess = float(az.ess(above.to_dataset(name="x"))["x"])
    if not np.isfinite(ess):
        ess = float(above.size)
    var = p * (1.0 - p)
    return p, float(np.sqrt(var / min(ess, above.size))), ess


def run_case(case: Case, trials: int, seed: int, progress=print) -> list[dict]:
    """The reference rows of ``case``: trials ``0 .. trials - 1`` of ``seed``, each fitted in
    PyMC (nutpie) and by the closed form; failed REML fits are skipped."""
    import logging

    import nutpie
    import pymc as pm

    logging.getLogger("pymc").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=".*BLAS.*")
    design = case_design(case)
    closed = closed_form(case, trials, seed)
    visits = np.asarray(design.trial.visits_months, dtype=np.float64)
    model = build_model(visits, case.prior)
    compiled = None
    rows = []
    for i in np.flatnonzero(~closed["failed"]):
        start = time.perf_counter()
        frame = trial_records(design, seed, int(i))
        fit = lmm_slope.fit_data(frame)  # the export is the engine's trial
        if not np.isclose(fit.estimate, closed["estimate"][i], rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{case.key} trial {i}: export and engine estimates differ")
        data = grouped(frame, visits)
        if compiled is None:
            with model:
                pm.set_data(dict(zip(("count", "total", "outer"), data, strict=True)))
            compiled = nutpie.compile_pymc_model(model, backend="numba")
        p, mcse, ess = pymc_probability(compiled, data, case.margin, seed + int(i))
        n_obs, score_sum = trial_fingerprint(simulation_inputs(design), seed, int(i))
        row = dict(case=case.key, seed=seed, trial=int(i), n_obs=n_obs, score_sum=score_sum)
        for k in ("estimate", "se", "df", "p_closed"):
            row[k] = float(closed[k][i])
        row.update(p_pymc=p, mcse=mcse, ess=ess)
        rows.append(row)
        progress(
            f"{case.key} {i}: closed {row['p_closed']:.4f} PyMC {p:.4f} +- {mcse:.4f} "
            f"(ESS {ess:.0f}); {time.perf_counter() - start:.1f} s"
        )
    return rows


def main(argv=None) -> int:
    import datetime

    import nutpie
    import pymc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=75, help="trials per case")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cases", nargs="*", default=[c.key for c in CASES])
    parser.add_argument("--out", default="tests/data/decision_pymc_reference.csv")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = []
    for case in CASES:
        if case.key in args.cases:
            rows += run_case(case, args.trials, args.seed, lambda m: print(m, flush=True))
            table = pd.DataFrame(rows, columns=list(COLUMNS))
            header = (
                f"# PyMC {pymc.__version__}, nutpie {nutpie.__version__} (NUTS, {CHAINS} "
                f"chains x {TUNE} tuning + {DRAWS} draws), {datetime.date.today()}: python "
                f"tests/data/decision_pymc_check.py --trials {args.trials} --seed {args.seed}"
                f" --cases {' '.join(args.cases)}; {time.perf_counter() - start:.0f} s\n"
            )
            with open(args.out, "w", encoding="utf-8") as f:  # after each case
                f.write(header)
                table.to_csv(f, index=False, float_format="%.10g")
    d = (table["p_pymc"] - table["p_closed"]).abs()
    for key, g in table.assign(d=d).groupby("case", sort=False):
        j = g["d"].idxmax()
        print(
            f"{key}: {len(g)} trials, worst |difference| {g['d'][j]:.4f} (trial "
            f"{g['trial'][j]}, closed {g['p_closed'][j]:.4f}, PyMC {g['p_pymc'][j]:.4f} +- "
            f"{g['mcse'][j]:.4f}), mean {g['d'].mean():.4f}, max |d|/MCSE "
            f"{(g['d'] / g['mcse'].clip(lower=1e-12)).max():.2f}"
        )
    print(f"worst |difference| over all cases: {d.max():.4f}; {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ".")
    raise SystemExit(main())
