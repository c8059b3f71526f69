"""The simulation kernels (designs.simulation) against a slow, obvious reference: patients,
exit times, dropout schedule, integer scores, informative dropout; reproducibility across
threads, blocks and sample sizes."""

import itertools
import math

import numpy as np
import pytest

from designs.analyses import results as R
from designs.simulation import layout as K
from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.simulation.patients import exit_time
from designs.simulation.rng import next_normal_pair, next_uniform, seed_key, stream_state
from designs.spec import load_design


def _pair(state):
    # Numba types a Python int below 2**63 as int64; keep the state a uint64 between calls.
    state, z1, z2 = next_normal_pair(np.uint64(state))
    return np.uint64(state), z1, z2


def _uniform(state):
    state, u = next_uniform(np.uint64(state))
    return np.uint64(state), u


def reference_patient(key, trial, arm, patient, shift, visits, cumulative, params):
    """Straightforward Python version of one patient, drawing from the same stream."""
    state = stream_state(key, trial, arm, patient)
    state, z1, z2 = _pair(state)
    rho = params[K.P_CORR]
    a = params[K.P_BASELINE_MEAN] + params[K.P_BASELINE_SD] * z1
    s = params[K.P_SLOPE_MEAN] + params[K.P_SLOPE_SD] * (rho * z1 + math.sqrt(1 - rho**2) * z2)
    if arm == 1:
        s += shift
        if params[K.P_EFFECT_SD] > 0:
            state, z3, _ = _pair(state)
            s += params[K.P_EFFECT_SD] * z3
    state, u_drop = _uniform(state)
    state, u_death = _uniform(state)
    faster = params[K.P_SLOPE_MEAN] - s
    mult = params[K.P_DROPOUT_SCALE] * math.exp(params[K.P_DROPOUT_INFORMATIVE] * faster)
    death_rate = (
        params[K.P_DEATH_HAZARD]
        * params[K.P_DEATH_SCALE]
        * math.exp(params[K.P_DEATH_INFORMATIVE] * faster)
    )
    # Visit j is missed when the patient is gone by then. With E = -log(u) a unit
    # exponential, gone by t_j  <=>  E < mult * H_j, H_j = -log(1 - cumulative[j]).
    gone = [(-math.log(u_drop)) < -mult * math.log1p(-c) for c in cumulative]
    if death_rate > 0:
        t_death = -math.log(u_death) / death_rate
        gone = [g or (t >= t_death) for g, t in zip(gone, visits, strict=True)]
    gone[0] = False
    scores = []
    residuals = []
    for j, t in enumerate(visits):
        if gone[j]:
            break
        if j % 2 == 0:
            state, e1, e2 = _pair(state)
            residuals += [e1, e2]
        y = a + s * t + params[K.P_RESIDUAL_SD] * residuals[j]
        if params[K.P_INTEGER] > 0.5:
            y = min(max(math.floor(y + 0.5), 0.0), 48.0)
        scores.append(y)
    return np.array(scores)


@pytest.mark.parametrize(
    "overrides",
    [
        {"dropout.death_monthly_hazard": 0.02, "effect.sd": 0.1},
        {"dropout.informative": 2.0, "dropout.death_monthly_hazard": 0.03},
        {"dropout.death_informative": 1.5, "dropout.death_monthly_hazard": 0.05},
        {"population.integer_scores": False, "population.baseline_slope_corr": -0.4},
    ],
    ids=["death", "informative-dropout", "informative-death", "continuous"],
)
def test_kernel_matches_reference(overrides):
    design = load_design(None).with_overrides({"trial.n_per_arm": 12, **overrides})
    inputs = simulation_inputs(design)
    key = seed_key(7)
    cumulative = 1 - np.exp(-inputs.cum_hazard)
    data = simulate_one_trial(inputs, seed=7, trial=3)
    pid = 0
    for arm, n in ((0, inputs.n_placebo), (1, inputs.n_active)):
        for p in range(n):
            ref = reference_patient(
                key, 3, arm, p, inputs.effect_shift, inputs.visits, cumulative, inputs.params
            )
            got = data["alsfrs_r"][data["patient"] == pid]
            np.testing.assert_array_equal(got, ref)
            assert np.all(data["arm"][data["patient"] == pid] == arm)
            pid += 1


def test_exit_time_inverts_cumulative_hazard():
    visits = np.arange(13.0)
    cum = -np.log1p(-np.linspace(0, 0.36, 13))
    for j in range(1, 13):
        # energy exactly at H_j: exit at visit j; halfway between H_{j-1} and H_j: mid-interval
        assert exit_time(cum[j], visits, cum) == pytest.approx(j if j < 12 else math.inf)
        mid = 0.5 * (cum[j - 1] + cum[j])
        assert exit_time(mid, visits, cum) == pytest.approx(j - 0.5)
    assert exit_time(cum[-1] + 1.0, visits, cum) == math.inf


def test_dropout_matches_schedule():
    """Observed fraction gone by each visit (other exits and deaths) equals the design's
    all-cause schedule."""
    design = load_design(None).with_overrides({"trial.n_per_arm": 400})
    inputs = simulation_inputs(design)
    data = simulate_one_trial(inputs, seed=11)
    n = inputs.n_placebo + inputs.n_active
    expected = design.dropout.cumulative_at(inputs.visits, include_death=True)
    for j, t in enumerate(inputs.visits):
        seen = np.unique(data["patient"][data["month"] == t]).size
        gone = 1 - seen / n
        # binomial SE of a proportion from n patients; 4 SE
        tol = 4 * math.sqrt(max(expected[j] * (1 - expected[j]), 1e-4) / n)
        assert abs(gone - expected[j]) <= tol, (t, gone, expected[j])
    assert np.all(data["month"][data["status"][data["patient"]] == "completed"] >= 0)


def test_integer_scores_and_floor():
    design = load_design(None).with_overrides(
        {"population.baseline_mean": 2.0, "population.slope_mean": -1.5, "trial.n_per_arm": 30}
    )
    data = simulate_one_trial(simulation_inputs(design), seed=3)
    y = data["alsfrs_r"]
    assert np.all(y == np.round(y)) and y.min() == 0 and y.max() <= 48


def _small_run(threads, block, seed=5, trials=300):
    design = load_design(None).with_overrides({"trial.n_per_arm": 20})
    res = run_trials(
        simulation_inputs(design),
        trials,
        seed,
        ("lmm_slope", "ols_slope_ttest", "ancova_change"),
        threads=threads,
        block_size=block,
    )
    return res.results, res.counts


def test_same_numbers_for_any_threads_and_blocks():
    a, ca = _small_run(1, 300)
    b, cb = _small_run(2, 37)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ca, cb)
    c, _ = _small_run(2, 300, seed=6)
    assert not np.allclose(a[:, :, R.ESTIMATE], c[:, :, R.ESTIMATE])


def test_first_trial_offset_extends_a_run():
    design = load_design(None).with_overrides({"trial.n_per_arm": 15})
    inputs = simulation_inputs(design)
    whole = run_trials(inputs, 40, 9, ("ols_slope_ttest",))
    tail = run_trials(inputs, 15, 9, ("ols_slope_ttest",), first_trial=25)
    np.testing.assert_array_equal(whole.results[25:], tail.results)


def test_patients_nest_across_sample_sizes():
    """The first n patients of each arm are the same people for every n (CRN across n)."""
    base = load_design(None)
    small = simulate_one_trial(simulation_inputs(base.with_overrides({"trial.n_per_arm": 5})), 1)
    big = simulate_one_trial(simulation_inputs(base.with_overrides({"trial.n_per_arm": 9})), 1)
    for arm in (0, 1):
        ys = small["alsfrs_r"][small["arm"] == arm]
        yb = big["alsfrs_r"][big["arm"] == arm]
        np.testing.assert_array_equal(ys, yb[: ys.size])


@pytest.mark.parametrize("beta", [0.0, 1.5, 4.0])
def test_informative_dropout_keeps_placebo_rate_and_selects_fast_decliners(beta):
    """The calibrated base hazard keeps the placebo arm's fraction gone by month 12 at the
    nominal 36.4%; with beta > 0 the patients who leave decline faster than those who stay."""
    design = load_design(None).with_overrides(
        {"trial.n_per_arm": 4000, "dropout.informative": beta, "effect.value": 0.0}
    )
    inputs = simulation_inputs(design)
    data = simulate_one_trial(inputs, seed=21)
    placebo = np.arange(inputs.n_placebo)
    gone = data["status"][placebo] != "completed"
    nominal = design.dropout.cumulative_at(inputs.visits, include_death=True)[-1]
    # binomial SE of a proportion over 4000 patients; 4 SE
    assert abs(gone.mean() - nominal) < 4 * math.sqrt(nominal * (1 - nominal) / placebo.size)
    # observed slope of each placebo patient's record (>= 2 visits) by least squares
    slopes = []
    for pid in placebo:
        rows = data["patient"] == pid
        if rows.sum() >= 2:
            slopes.append(
                (np.polyfit(data["month"][rows], data["alsfrs_r"][rows], 1)[0], gone[pid])
            )
    slopes = np.array(slopes)
    diff = slopes[slopes[:, 1] == 0, 0].mean() - slopes[slopes[:, 1] == 1, 0].mean()
    if beta == 0.0:
        assert abs(diff) < 0.1  # MCAR: leavers and stayers alike (SE of the gap ~0.03)
    else:
        assert diff > 0.1  # stayers decline more slowly than leavers


@pytest.mark.parametrize("spread", [0.5, 1.5, 2.0, 5.0, 15.0])
def test_informative_scale_against_adaptive_quadrature(spread):
    """Review finding: 80-node Gauss-Hermite over the patient's slope was off once
    ``|beta slope_sd|`` is large (the integrand becomes a step): the scale was 38% too low at
    15 (beta 20, slope SD 0.75), and 32.1% left instead of the nominal 33.3%. Beyond 1.5 the
    integral is taken over the exit time. Reference: scipy's adaptive quadrature over the
    slope, split at the step, solved for c independently."""
    from scipy import integrate
    from scipy.optimize import brentq

    from designs.simulation.inputs import informative_scale

    h = -math.log(1 - 0.3327)

    def gone(log_c):
        def f(z):
            hazard = math.exp(min(log_c - spread * z, 700.0)) * h  # all gone beyond e^700
            return -math.expm1(-hazard) * math.exp(-0.5 * z * z)

        step = min(max((log_c + math.log(h)) / spread, -30.0), 30.0)
        cuts = (-math.inf, step - 1, step + 1, math.inf)
        total = sum(
            integrate.quad(f, a, b, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
            for a, b in itertools.pairwise(cuts)
        )
        return total / math.sqrt(2 * math.pi) - (1 - math.exp(-h))

    reference = math.exp(brentq(gone, -30, 30, xtol=1e-14))
    # Gauss-Hermite up to 1.5 (within 3e-10 there), the exit-time integral beyond (1e-12)
    tolerance = 1e-9 if spread <= 1.5 else 1e-11
    assert informative_scale(spread, 1.0, h) == pytest.approx(reference, rel=tolerance)
    assert informative_scale(-spread, 1.0, h) == pytest.approx(reference, rel=tolerance)


def test_a_steep_informative_dropout_keeps_the_nominal_rate():
    """beta = 20 on a slope SD of 0.75 (the spec's largest beta): the placebo arm's fraction
    gone by month 12 is the nominal one, within 4 binomial SE of 40,000 patients (0.0094;
    with the old scale 32.1% against 33.3%, 4.8 SE)."""
    design = load_design("proact_unselected").with_overrides(
        {
            "trial.n_per_arm": 40_000,
            "dropout.informative": 20.0,
            "dropout.death_monthly_hazard": 0.0,
            "effect.value": 0.0,
        }
    )
    inputs = simulation_inputs(design)
    data = simulate_one_trial(inputs, seed=5)
    placebo = np.arange(inputs.n_placebo)
    gone = (data["status"][placebo] != "completed").mean()
    nominal = design.dropout.cumulative_at(inputs.visits)[-1]
    assert abs(gone - nominal) < 4 * math.sqrt(nominal * (1 - nominal) / placebo.size)


@pytest.mark.parametrize(("dropout_beta", "death_beta"), [(3.0, 3.0), (5.0, -5.0), (1.5, 0.0)])
def test_all_cause_fraction_gone_when_both_exits_depend_on_the_slope(dropout_beta, death_beta):
    """Review finding: with informative dropout and death both on, the design line said
    ``1 - (1 - dropout)(1 - death)`` gone by month 12 (36.4% on the default design), as if the
    two exits were independent; fast decliners do both, so 35.2% leave at betas 3 and 3 and
    37.7% at 5 and -5. ``TrialDesign.gone_by_last_visit`` integrates over the slope. Checked
    against the simulated placebo arm of 40,000 patients, within 4 binomial SE (0.0096); the
    independent formula is about 5 SE away in the first two cases and exact in the last."""
    design = load_design(None).with_overrides(
        {
            "trial.n_per_arm": 40_000,
            "dropout.informative": dropout_beta,
            "dropout.death_informative": death_beta,
            "effect.value": 0.0,
        }
    )
    inputs = simulation_inputs(design)
    data = simulate_one_trial(inputs, seed=8)
    placebo = np.arange(inputs.n_placebo)
    gone = (data["status"][placebo] != "completed").mean()
    expected = design.gone_by_last_visit
    se = math.sqrt(expected * (1 - expected) / placebo.size)
    assert abs(gone - expected) < 4 * se
    independent = design.dropout.cumulative_at(inputs.visits, include_death=True)[-1]
    if death_beta == 0.0:
        assert expected == independent  # one exit depends on the slope: independent exits
    else:
        assert abs(independent - expected) > 4 * se  # 4.98 and 5.5 SE (no noise)


@pytest.mark.parametrize(
    ("dropout_beta", "death_beta", "effect", "effect_sd"),
    [(2.0, 2.0, 0.5, 0.0), (0.0, 3.0, 0.25, 0.1), (4.0, -1.0, 0.5, 0.0), (3.0, 0.0, -0.2, 0.0)],
)
def test_the_active_arms_fraction_gone_moves_with_the_effect(
    dropout_beta, death_beta, effect, effect_sd
):
    """Review finding: with informative exits the texts gave one '% gone by month 12', the
    placebo arm's, for both arms; treated patients decline slower, so fewer leave when beta >
    0 (38.3% against 45.2% in the review's case). ``TrialDesign.active_gone_by_last_visit``
    integrates over the active arm's slopes (mean shifted, SD with the effect's SD). Checked
    against the simulated active arm of 40,000 patients, within 4 binomial SE (at most
    0.0099); in every case the placebo arm's fraction is more than 4 SE away (no noise)."""
    design = load_design(None).with_overrides(
        {
            "trial.n_per_arm": 40_000,
            "dropout.informative": dropout_beta,
            "dropout.death_monthly_hazard": 0.02,
            "dropout.death_informative": death_beta,
            "effect.value": effect,
            "effect.sd": effect_sd,
        }
    )
    inputs = simulation_inputs(design)
    data = simulate_one_trial(inputs, seed=9)
    active = np.arange(inputs.n_placebo, inputs.n_placebo + inputs.n_active)
    gone = (data["status"][active] != "completed").mean()
    expected = design.active_gone_by_last_visit
    se = math.sqrt(expected * (1 - expected) / active.size)
    assert abs(gone - expected) < 4 * se
    assert abs(design.gone_by_last_visit - expected) > 4 * se
    text = design.gone_text()
    assert f"{100 * expected:.1f}% of active" in text
    assert f"{100 * design.gone_by_last_visit:.1f}% of placebo" in text
    assert text in design.describe()


def test_one_fraction_gone_when_the_arms_leave_alike():
    """Without informative exits both arms lose the same fraction: one figure, and the
    active arm's function returns the placebo arm's."""
    design = load_design(None)
    assert design.active_gone_by_last_visit == design.gone_by_last_visit
    assert design.gone_text() == f"{100 * design.gone_by_last_visit:.1f}% gone by month 12"


@pytest.mark.parametrize(
    ("spread", "hazard"), [(20, 1e-4), (30, 0.01), (50, 0.1), (40, 3.0), (200, 1.0), (100, 0.2)]
)
def test_informative_scale_solves_across_the_specs_range(spread, hazard):
    """Review of the session's diff: the root's bracket [-60, 60] (in log c) failed with a raw
    ValueError for steep informative exits (beta up to 20 on slope SDs up to 10); it is now
    placed around b Phi^-1(target) - log H. Reference: the fraction gone with that factor by
    the trapezoid rule over the slope on a grid of 2,000,001 points in [-12, 12] (step 1.2e-5,
    far finer than the step of width 1 / b), within 1e-8 of the nominal 1 - exp(-H)."""
    from scipy.stats import norm

    from designs.simulation.inputs import informative_scale

    c = informative_scale(spread, 1.0, hazard)
    z = np.linspace(-12.0, 12.0, 2_000_001)
    log_hazard = np.minimum(math.log(c) + math.log(hazard) - spread * z, 700.0)
    gone = float((norm.pdf(z) * (z[1] - z[0])) @ -np.expm1(-np.exp(log_hazard)))
    assert gone == pytest.approx(-math.expm1(-hazard), rel=1e-8)


@pytest.mark.parametrize("spread", [0.35 * 5, 20.0])
def test_informative_exits_where_nearly_everyone_leaves_are_refused_not_hung(spread):
    """A bad-input review: death_monthly_hazard 3 (cumulative hazard 36 by month 12) with
    death_informative 5 hung in `designs show` and `power`: beyond the Gauss-Hermite range
    (spread above 1.5) the nominal fraction gone, within 1e-15 of 1, is out of the
    quadrature's reach, and the bracket was widened without end. It is refused, naming the
    field; a hazard that leaves some patients is still solved (and within the Hermite range,
    where the weights sum to 1, such a hazard is solved too)."""
    from designs.errors import InputError
    from designs.simulation.inputs import informative_scale

    for hazard in (36.0, 120.0):
        with pytest.raises(
            InputError, match=r"^dropout\.death_informative = .*all but a billionth"
        ):
            informative_scale(spread, 1.0, hazard, field="dropout.death_informative")
    assert math.isfinite(informative_scale(spread, 1.0, 12.0))  # 6e-6 left by month 12
    assert math.isfinite(informative_scale(1.0, 1.0, 36.0))  # Gauss-Hermite: solved
    d = load_design(None).with_overrides(
        {"dropout.death_monthly_hazard": 3.0, "dropout.death_informative": 5.0}
    )
    with pytest.raises(InputError, match=r"^dropout\.death_informative = 5: "):
        d.gone_text()


@pytest.mark.parametrize(
    "overrides",
    [
        {"dropout.informative": 2.0, "dropout.death_monthly_hazard": 0.0},
        {
            "dropout.informative": 2.0,
            "dropout.death_informative": 2.0,
            "dropout.death_monthly_hazard": 0.02,
            "effect.sd": 0.1,
        },
    ],
)
def test_informative_exits_keep_the_nominal_rate_among_patients_admitted(overrides):
    """Review finding: under delta-FS screening the informative exits were calibrated on the
    candidates, so 26.4% instead of 33.3% of the enriched placebo arm dropped out. Now the
    placebo arm's dropout is nominal among those admitted, and both arms' fractions gone are
    ``gone_by_last_visit``'s: 40,000 patients per arm, each within 4 binomial SE (<= 0.0099)."""
    design = load_design("proact_enriched_dfs").with_overrides(
        {"trial.n_per_arm": 40_000, **overrides}
    )
    inputs = simulation_inputs(design)
    data = simulate_one_trial(inputs, seed=5)
    status = data["status"]
    placebo = np.arange(inputs.n_placebo)
    active = np.arange(inputs.n_placebo, inputs.n_placebo + inputs.n_active)

    def within(observed, expected, n):
        return abs(observed - expected) < 4 * math.sqrt(expected * (1 - expected) / n)

    dropped = (status[placebo] == "dropout").mean()
    if "dropout.death_monthly_hazard" in overrides and not overrides.get(
        "dropout.death_informative"
    ):
        assert within(dropped, design.dropout.cumulative_at(inputs.visits)[-1], placebo.size)
    gone = (status[placebo] != "completed").mean()
    assert within(gone, design.gone_by_last_visit, placebo.size)
    gone_active = (status[active] != "completed").mean()
    assert within(gone_active, design.active_gone_by_last_visit, active.size)


@pytest.mark.parametrize("name", [None, "proact_enriched_dfs"])
def test_the_active_arms_fraction_gone_with_an_effect_spread_wider_than_the_slopes(name):
    """Review of the sitting's diff: a grid in units of the slope SD cut off an effect spread
    50 times as wide (slope SD 0.01, effect SD 0.5), giving 30.6% gone where 36.0% leave.
    40,000 simulated active patients, within 4 binomial SE (<= 0.0097)."""
    design = load_design(name).with_overrides(
        {
            "trial.n_per_arm": 40_000,
            "population.slope_sd": 0.01,
            "effect.sd": 0.5,
            "dropout.informative": 2.0,
        }
    )
    inputs = simulation_inputs(design)
    data = simulate_one_trial(inputs, seed=12)
    active = np.arange(inputs.n_placebo, inputs.n_placebo + inputs.n_active)
    gone = (data["status"][active] != "completed").mean()
    expected = design.active_gone_by_last_visit
    assert abs(gone - expected) < 4 * math.sqrt(expected * (1 - expected) / active.size)
