"""Natural-history priors of the phase 2 progression model, each with its source.

All numbers are ALSFRS-R points (0-48) or points/month; negative slopes are decline. Sources
are quoted from ``docs/references.md`` (full citations in its bibliography); "derived" marks
our arithmetic on published numbers.

The phase 2 patients were selected early and mild (onset <= 2 years at screening, Japan ALS
severity grade 1-2, no NIV, %FVC > 80, every respiratory item >= 4; about 1.5 years from
onset; baseline 40.6 +- 2.6). The lead-in is only about 3 months, but the prior on the
population of pre-dose slopes moves the posterior of ``delta`` only moderately (posterior
mean 0.17-0.26 points/month across a vague Normal(-0.55, 1.0), the default, Normal(-0.41,
0.15) and Normal(-1.0, 0.3); 0.38 only under a very tight Normal(-1.0, 0.05):
docs/conventions.md#phase-2-model). It is taken from cohorts resembling these patients,
never from unselected cohorts (about -1.0 points/month: Atassi 2014, Neurology 83:1719;
Thakore 2018, Muscle Nerve 57:937) and never from the five patients themselves; and the
between-patient scale is the SD of *true* slopes, not of observed ones (an observed
3-month slope with a 1-2 point residual has an error SD of 0.5-0.9 points/month on its own;
about 0.45 at the fitted residual SD of 1 point).

Priors (defaults of :class:`Priors`)
------------------------------------
``level_mean ~ Normal(41, 3)``, points at the first dose
    Enriched trials: edaravone MCI186-19 41.8 (SD 2.2) after its lead-in; masitinib
    subgroup (delta-FS < 1.1, all items >= 2) 42.0 (3.2); broader trials 35.6-38.1
    (CENTAUR; masitinib AB10015, Mora 2021, Table 3). Centred near the enriched ones (these
    patients were Japan ALS severity grade 1-2); SD 3 puts 95% in 35-47.
``level_sd ~ HalfNormal(3)``, points
    Between-patient SD of baseline: 2.2-3.2 in enriched trials, 5.4-5.7 in broad ones.
    HalfNormal(3): median 2.0, 95% below 5.9. (A scale of 5 put about 10% of prior
    predictive scores above the ceiling of 48; this scale of 3 puts about 5% there, a
    pharmacometrics review found 4.7%: the model has no ceiling, and the data, well below
    48, leave those prior draws behind.)
``pre_slope_mean ~ Normal(-0.55, 0.2)``, points/month
    Masitinib subgroup placebo: pre-baseline delta-FS 0.41 (SD 0.23)/month (Mora 2021,
    Ther Adv Neurol Disord 14, Table 3) in patients like these; delta-FS *underestimates*
    later decline (Proudfoot 2016, ALS FTD 17:414), and the MCI186-19 placebo lead-in lost
    43.5 -> 41.8 in 12 weeks, about -0.62/month (Writing Group 2017, Lancet Neurol 16:505;
    derived). Centre -0.55 between the two; SD 0.2 puts 95% in (-0.94, -0.16), leaving the
    unselected -1.0/month in the tail.
``pre_slope_sd ~ HalfNormal(0.3)``, points/month, SD of true slopes
    The masitinib subgroup's delta-FS SD 0.23 is an average over more than a year of
    disease, so close to the SD of true rates. HalfNormal(0.3): median 0.20, 95% below 0.59.
``delta ~ Normal(0, 0.25)``, points/month, the population change of slope on treatment
    Centred at no effect, but not sceptical in the decision rule's sense (a prior review):
    at this cohort's decline of about 0.5 points/month it gives 31% to beating the trial's
    25% slowing (0.125/month), where the rule's sceptical prior (Spiegelhalter, SD 0.076)
    gives 5%; the assurance rests on it (docs/conventions.md#phase-2-model). Scale:
    positive trials slowed decline by 25-33%
    (CENTAUR 0.42/month at -1.66/month, Paganoni 2020; edaravone MCI186-19 about 33%,
    derived; masitinib 27%); most trials found nothing (PHOENIX, MCI186-16, VALOR). At this
    cohort's decline of about 0.5 points/month a 50% slowing is 0.25/month, so the prior
    gives about 16% to at least halving decline and about 2.5% to stopping it entirely
    (delta >= 0.5), and as much to the same harm.
``slope_change_sd ~ HalfNormal(0.2)``, points/month
    Between-patient SD of the change of slope. Even untreated slopes drift: decline is
    curvilinear (Gordon 2010, J Neurol 257:1713), plateaus are common (Bedlack 2016: 25% no
    decline over 6 months). HalfNormal(0.2): median 0.13, 95% below 0.39.
``residual_sd ~ LogNormal(log 1.5, 0.5)``, points
    Visit-to-visit SD around a patient's line: 1.6 (SE 0.1) on the old 40-point ALSFRS in
    the topiramate placebo cohort (Neurology 2004;63:1933), about 1.9 on 48 points (derived);
    inter-rater ICC 0.93 (Kaufmann 2007, ALS 8:42) with a between-patient SD of about 5.4
    implies an error SD near 1.4 (derived); rounding to whole points alone adds 0.29.
    Median 1.5, 95% in (0.56, 4.0). A half-normal would put mass near 0, which is not
    plausible for a rated scale and makes the posterior hard to sample when data are many.

No level-slope correlation is modelled: none was found in the literature (Gordon 2010 gives
an association, no coefficient), and five patients cannot estimate one.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

from progression.errors import InputError


@dataclass(frozen=True)
class Priors:
    """Hyperparameters of the priors (see the module docstring for their sources).

    Parameters
    ----------
    level_mean, level_mean_sd : float
        Normal prior on the population mean level at the first dose, points.
    level_sd_scale : float
        HalfNormal scale of the between-patient SD of the level, points.
    pre_slope_mean, pre_slope_mean_sd : float
        Normal prior on the population mean pre-dose (natural-history) slope, points/month.
    pre_slope_sd_scale : float
        HalfNormal scale of the between-patient SD of true pre-dose slopes, points/month.
    delta_mean, delta_sd : float
        Normal prior on ``delta``, the population mean change of slope after the first dose
        (points/month; positive = slower decline = benefit). Sceptical: mean 0.
    slope_change_sd_scale : float
        HalfNormal scale of the between-patient SD of the change of slope, points/month.
    residual_sd_median, residual_sd_log_sd : float
        LogNormal prior on the visit-to-visit residual SD: median (points) and SD of its log.
    """

    level_mean: float = 41.0
    level_mean_sd: float = 3.0
    level_sd_scale: float = 3.0
    pre_slope_mean: float = -0.55
    pre_slope_mean_sd: float = 0.2
    pre_slope_sd_scale: float = 0.3
    delta_mean: float = 0.0
    delta_sd: float = 0.25
    slope_change_sd_scale: float = 0.2
    residual_sd_median: float = 1.5
    residual_sd_log_sd: float = 0.5

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or value != value:
                raise InputError(f"priors.{f.name}: {value!r} is not a number")
            if f.name.endswith(("_sd", "_scale", "_median")) and not value > 0:
                raise InputError(f"priors.{f.name}: {value!r} must be > 0")

    def replace(self, **changes: float) -> Priors:
        """A copy with some hyperparameters changed (used for sensitivity analyses)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise InputError(f"priors: unknown field {sorted(unknown)[0]!r}")
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        """The hyperparameters as sorted JSON (stored in posterior files)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Priors:
        """Inverse of :meth:`to_json`."""
        return cls(**json.loads(text))


DEFAULT_PRIORS = Priors()

#: The range each hyperparameter may take from the command line (``fit --prior``): the
#: lowest, the highest, whether the lowest is excluded, and the unit. A scale's lowest is
#: 0.001 (0.01 points for the levels'), not just above 0: a prior review's delta_sd = 1e-300
#: crashed the sampler's start (and, with 4 chains, the process), and 1e-20 gave 100%
#: divergences; 0.001 points/month is already a point mass for every purpose here.
PRIOR_RANGES: dict[str, tuple[float, float, bool, str]] = {
    "level_mean": (0.0, 48.0, False, "points"),
    "level_mean_sd": (0.01, 48.0, False, "points"),
    "level_sd_scale": (0.01, 48.0, False, "points"),
    "pre_slope_mean": (-10.0, 10.0, False, "points/month"),
    "pre_slope_mean_sd": (0.001, 10.0, False, "points/month"),
    "pre_slope_sd_scale": (0.001, 10.0, False, "points/month"),
    "delta_mean": (-10.0, 10.0, False, "points/month"),
    "delta_sd": (0.001, 10.0, False, "points/month"),
    "slope_change_sd_scale": (0.001, 10.0, False, "points/month"),
    "residual_sd_median": (0.01, 48.0, False, "points"),
    "residual_sd_log_sd": (0.001, 5.0, False, "(log scale)"),
}


def priors_from_assignments(items, flag: str = "--prior") -> Priors:
    """The default priors with ``NAME=VALUE`` texts applied (``simulate.py fit --prior``).

    Each name is a field of :class:`Priors` and each value lies in its
    :data:`PRIOR_RANGES`; anything else raises :class:`InputError` naming the option, the
    field and its range. A name given twice is refused.
    """
    changes: dict[str, float] = {}
    for item in items:
        name, sep, text = (part.strip() for part in str(item).partition("="))
        if not sep or not name:
            raise InputError(f"{flag} {item!r}: give NAME=VALUE, e.g. pre_slope_mean=-0.9")
        if name not in PRIOR_RANGES:
            raise InputError(
                f"{flag} {item!r}: unknown prior {name!r}; one of {', '.join(PRIOR_RANGES)}"
            )
        if name in changes:
            raise InputError(f"{flag} {name}: given twice")
        lo, hi, open_lo, unit = PRIOR_RANGES[name]
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (lo < value <= hi if open_lo else lo <= value <= hi):
            low = f"({lo:g}" if open_lo else f"[{lo:g}"
            raise InputError(f"{flag} {item!r}: {name} must be a number in {low}, {hi:g}] {unit}")
        changes[name] = value
    return DEFAULT_PRIORS.replace(**changes)


def changed_priors(priors: Priors) -> dict[str, float]:
    """The hyperparameters that differ from :data:`DEFAULT_PRIORS`, by name."""
    return {
        f.name: getattr(priors, f.name)
        for f in dataclasses.fields(priors)
        if getattr(priors, f.name) != getattr(DEFAULT_PRIORS, f.name)
    }


# Sensitivity settings (docs/conventions.md#phase-2-model: show how delta moves when the
# priors move: its own, the pre-dose slope's and the between-patient SD of the change of slope,
# which five patients hardly inform, so its prior passes almost unchanged into the posterior).
DELTA_SD_SETTINGS: dict[str, dict[str, float]] = {
    "delta_sd=0.1 (narrow)": {"delta_sd": 0.1},
    "delta_sd=0.25 (default)": {},
    "delta_sd=0.5": {"delta_sd": 0.5},
    "delta_sd=1.0 (vague)": {"delta_sd": 1.0},
}
PRE_SLOPE_SETTINGS: dict[str, dict[str, float]] = {
    "pre-slope N(-0.55, 0.2), SD~HN(0.3) (default)": {},
    "pre-slope N(-0.41, 0.15): delta-FS as is": {
        "pre_slope_mean": -0.41,
        "pre_slope_mean_sd": 0.15,
    },
    "pre-slope N(-1.0, 0.3): unselected cohorts": {
        "pre_slope_mean": -1.0,
        "pre_slope_mean_sd": 0.3,
    },
    "pre-slope N(-0.55, 1.0): vague": {"pre_slope_mean_sd": 1.0},
    "pre-slope SD~HN(0.6): wider true-slope spread": {"pre_slope_sd_scale": 0.6},
}
SLOPE_CHANGE_SD_SETTINGS: dict[str, dict[str, float]] = {
    "slope-change SD~HN(0.05): nearly the same change in all": {"slope_change_sd_scale": 0.05},
    "slope-change SD~HN(0.2) (default)": {},
    "slope-change SD~HN(0.5): very different changes": {"slope_change_sd_scale": 0.5},
}


def _prior_family(priors: Priors, name: str, caller: str) -> tuple[str, float, float]:
    """The prior of a population parameter as (family, location, scale): ``normal`` (mean,
    SD), ``halfnormal`` (0, scale) or ``lognormal`` (median, SD of the log); one table for
    :func:`prior_mean` and :func:`prior_sd`."""
    families = {
        "level_mean": ("normal", priors.level_mean, priors.level_mean_sd),
        "level_sd": ("halfnormal", 0.0, priors.level_sd_scale),
        "pre_slope_mean": ("normal", priors.pre_slope_mean, priors.pre_slope_mean_sd),
        "pre_slope_sd": ("halfnormal", 0.0, priors.pre_slope_sd_scale),
        "delta": ("normal", priors.delta_mean, priors.delta_sd),
        "slope_change_sd": ("halfnormal", 0.0, priors.slope_change_sd_scale),
        "residual_sd": ("lognormal", priors.residual_sd_median, priors.residual_sd_log_sd),
    }
    if name not in families:
        raise InputError(f"{caller}: {name!r} is not a population parameter")
    return families[name]


def prior_mean(priors: Priors, name: str) -> float:
    """Mean of the prior of a population parameter of the model (its units).

    Normal: its mean; HalfNormal(s): s * sqrt(2/pi); LogNormal(log m, s): m * exp(s^2 / 2).
    """
    family, location, scale = _prior_family(priors, name, "prior_mean")
    if family == "normal":
        return float(location)
    if family == "halfnormal":
        return float(scale * math.sqrt(2.0 / math.pi))
    return float(location * math.exp(0.5 * scale**2))


def prior_sd(priors: Priors, name: str) -> float:
    """SD of the prior of a population parameter of the model (its units).

    Normal: its SD; HalfNormal(s): s * sqrt(1 - 2/pi); LogNormal(log m, s):
    m * sqrt((exp(s^2) - 1) exp(s^2)).
    """
    family, location, scale = _prior_family(priors, name, "prior_sd")
    if family == "normal":
        return float(scale)
    if family == "halfnormal":
        return float(scale * math.sqrt(1.0 - 2.0 / math.pi))
    return float(location * math.sqrt(math.expm1(scale**2) * math.exp(scale**2)))
