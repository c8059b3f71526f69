"""The words of the page in plain language, for readers who do not plan trials every day (an
accessibility review found MC SE, REML, Kenward-Roger, MCAR, delta-FS, information fraction,
alpha spending and non-binding futility nowhere explained). Nothing here computes."""

from __future__ import annotations

from shiny import ui

__all__ = ["GLOSSARY", "glossary_html"]

#: (term, what it means), in the order a reader meets them on the page.
GLOSSARY = (
    (
        "ALSFRS-R",
        "the revised ALS Functional Rating Scale: 12 questions on daily function, 0 to 48 "
        "points, lower is worse.",
    ),
    (
        "decline, slope (points/month)",
        "how fast a patient's ALSFRS-R falls, in points per month; -0.5 is a loss of 6 "
        "points a year.",
    ),
    (
        "% slowing",
        "the share of the placebo decline the treatment removes: a 25% slowing of a decline "
        "of -0.5 points/month is +0.125 points/month.",
    ),
    (
        "an effect that starts late or wanes",
        '"Effect from month" sets the month after randomisation from which the effect acts '
        "(none before it); for a gradual rise or waning, download the design (TOML) under "
        "Downloads, set ramp_months, wane_after_months or wane_months under [effect], and "
        "upload the file; Realism sensitivity shows the power at the chosen size for a few "
        "such courses.",
    ),
    (
        "power",
        "the chance that the trial ends with a significant result in favour of the treatment, "
        "if its effect is the one assumed.",
    ),
    (
        "alpha, type I error",
        "the chance of such a result when the treatment does nothing; one-sided alpha counts "
        "only results in its favour.",
    ),
    (
        "Monte Carlo SE (MC SE)",
        "the uncertainty that comes from simulating a limited number of trials; more "
        "simulated trials make it smaller. It is not uncertainty about the disease.",
    ),
    (
        "control variate",
        "a way of simulating power more precisely from the same trials, by correcting for "
        "trials that happened to be lucky or unlucky.",
    ),
    (
        "oracle test, GLS",
        "the control variate's reference: the same simulated trial analysed with the true "
        "spreads it was simulated with (generalised least squares), whose chance of success "
        "is known exactly; Glasserman 2004 describes the method.",
    ),
    (
        "common random numbers, probit curve, bootstrap",
        "how n is found: the same simulated patients at every size, a smooth curve of power "
        "against n fitted through the simulated powers, and its 95% interval from refitting "
        "on resampled trials; the interval is simulation error only.",
    ),
    (
        "Wilson interval",
        "a 95% interval for a share of simulated trials that stays sensible near 0 and 1.",
    ),
    (
        "mixed model of slopes (REML)",
        "the main analysis: it fits each patient's own line through all their visits, so "
        "patients who leave early still count.",
    ),
    (
        "Satterthwaite, Kenward-Roger",
        "small-sample corrections of the mixed model's test; they matter in small trials.",
    ),
    (
        "MCAR dropout",
        "leaving the study for reasons unrelated to the patient's scores (missing completely "
        "at random).",
    ),
    (
        "informative dropout",
        "patients who decline faster leave sooner; the number (log-hazard per point/month) "
        "says how strongly. 0 is off.",
    ),
    (
        "delta-FS",
        "a patient's decline from symptom onset to screening, points/month; enrichment "
        "admits only patients above a cut-off.",
    ),
    (
        "interim look, information fraction",
        "an analysis before the end of the trial, at the time when that share of the final "
        "analysis's statistical information is in.",
    ),
    (
        "alpha spending (obf, pocock, hsd, power)",
        "how the type I error is shared among the looks; O'Brien-Fleming (obf) spends very "
        "little early, Pocock evenly.",
    ),
    (
        "H0, H1; E[n total]",
        "no effect (H0) and the assumed effect (H1); E[n total] is the number of patients "
        "randomised on average, since a trial that stops early randomises fewer.",
    ),
    (
        "n max, inflation",
        "the size a trial with interim looks randomises if it runs to its last look, and how "
        "much larger that is than the same trial without looks.",
    ),
    (
        "boundary, nominal p, gamma",
        "the z value an analysis must cross to stop, the p-value that corresponds to it at "
        "that look, and the shape parameter of the Hwang-Shih-DeCani spending (more negative: "
        "more cautious early).",
    ),
    (
        "cp futility",
        "stop for lack of effect when the conditional power, the chance of success at the end "
        "given the data so far, is below a threshold (0.1 by default).",
    ),
    (
        "non-binding futility",
        "a rule to stop for lack of effect that the monitoring committee may overrule "
        "without raising the type I error.",
    ),
    (
        "posterior rule, threshold, prior",
        "success when the probability that the effect is above the margin, given the trial's "
        "data and the prior, exceeds the threshold.",
    ),
    (
        "weight on phase 2 (robust prior)",
        "how much of the phase 2 result the prior takes (0: none, 1: all of it); borrowing "
        "raises the type I error unless the threshold is calibrated.",
    ),
    (
        "effective sample size of a prior",
        "how many patients per arm a prior's information is worth (Neuenschwander et al. "
        "2020's ELIR); the phase 2 part of the default robust prior is worth about 20.",
    ),
    (
        "assurance, transport",
        "the chance of success averaged over what phase 2 says about the effect, were the "
        "5-patient uncontrolled phase 2 taken at face value: not the chance that the drug "
        "works, and likely optimistic; transport is how a phase 2 effect is carried over to "
        "this trial's patients.",
    ),
)


def glossary_html() -> ui.Tag:
    """The glossary, folded (one click opens it)."""
    return ui.tags.details(
        ui.tags.summary("What the words on this page mean"),
        ui.tags.dl(
            *[item for term, text in GLOSSARY for item in (ui.tags.dt(term), ui.tags.dd(text))]
        ),
        id="glossary",
    )
