"""The trial design: validated sections, the rules across them, dicts and TOML out.

A design has these sections, each a frozen dataclass validated on construction:

- :class:`~designs.spec.trial.TrialSection` (``[trial]``): sizes, allocation, visits, test
  and analysis;
- :class:`~designs.spec.patients.Population` (``[population]``): untreated (placebo) patients
  at enrolment;
- :class:`~designs.spec.follow_up.Effect` (``[effect]``): how treatment changes each treated
  patient's slope;
- :class:`~designs.spec.follow_up.Dropout` (``[dropout]``): monotone loss to follow-up and
  death;
- :class:`~designs.spec.patients.Enrichment` (``[enrichment]``): who is admitted at screening
  (delta-FS, lead-in decline);
- :class:`~designs.spec.decision.Decision` (``[decision]``): how each trial is judged (the
  frequentist test, or a posterior probability with a prior);
- :class:`~designs.spec.estimand.Estimand` (``[estimand]``): the population of the estimand;
- :class:`~designs.spec.interim.Interim` (``[interim]``): interim looks and their boundaries
  (none by default: a fixed design);
- :class:`~designs.spec.accrual.Accrual` (``[accrual]``): a ramp-up of accrual (none by
  default);
- :class:`~designs.spec.sources.Sources` (``[sources]``): where the design's own values come
  from, for the methods text (none by default).

Units: ALSFRS-R points (0-48 scale) and months throughout. Every file is read on top of
``designs/library/default.toml`` (the proposed CL2020 follow-up; each number there cites its
source; see :mod:`designs.spec.library`), so a file names only what it changes. Bad input
raises :class:`~designs.errors.InputError` with one line naming the field, the value given and
what is allowed.

How a file or an override merges on top of the design beneath (fields that replace each
other, a new ``effect.kind`` with its value): :mod:`designs.spec.layers`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import tomli_w

from designs.analyses.registry import REGISTRY, check_lead_in
from designs.errors import InputError, near_miss
from designs.spec.accrual import Accrual
from designs.spec.attrition_schedule import check_published_schedule
from designs.spec.decision import Decision, threshold_text
from designs.spec.estimand import Estimand
from designs.spec.exits import exit_admitted, gone_by_last_visit, gone_text
from designs.spec.fields import check_keys
from designs.spec.follow_up import Dropout, Effect, EffectKind, EffectSource
from designs.spec.improvement import check_improvement
from designs.spec.interim import SEQUENTIAL_ANALYSES, Futility, Information, Interim, Spending
from designs.spec.layers import SECTIONS, check_sections, merge_layers
from designs.spec.patients import Enrichment, Population
from designs.spec.sources import Sources
from designs.spec.trial import TrialSection

__all__ = ["MIN_ADMIT_PROBABILITY", "SECTIONS", "TrialDesign"]

#: Smallest admission probability a delta-FS rule may have (1,000 screened per enrolled).
MIN_ADMIT_PROBABILITY = 1e-3


@dataclass(frozen=True)
class TrialDesign:
    """A complete, validated double-blind trial design.

    Parameters
    ----------
    trial : TrialSection
    population : Population
    effect : Effect
    dropout : Dropout
    enrichment : Enrichment
        Screening rules (default: everyone admitted).
    decision : Decision
        How each trial is judged (default: the frequentist test).
    estimand : Estimand
        The population the effect is about; the other attributes of the estimand follow
        from the analysis (:func:`designs.spec.estimand.estimand_lines`).
    interim : Interim
        Interim looks and their boundaries (default: none, a fixed design).
    accrual : Accrual
        Ramp-up of accrual before ``trial.accrual_per_month`` (default: none).
    sources : Sources
        Where the design's own values come from, for the methods text (default: none given).

    Notes
    -----
    Cross-field rules: a ``dropout.cumulative`` schedule has one value per visit; the
    ``slope_change_lead_in`` analysis and lead-in decline screening need a lead-in; a
    delta-FS rule must admit at least ``MIN_ADMIT_PROBABILITY`` of candidates.
    """

    trial: TrialSection
    population: Population
    effect: Effect
    dropout: Dropout
    enrichment: Enrichment = field(default_factory=Enrichment)
    decision: Decision = field(default_factory=Decision)
    estimand: Estimand = field(default_factory=Estimand)
    interim: Interim = field(default_factory=Interim)
    accrual: Accrual = field(default_factory=Accrual)
    sources: Sources = field(default_factory=Sources)

    def __post_init__(self) -> None:
        for name, cls in SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise InputError(f"{name}: must be a {cls.__name__}")
        n_cum, n_vis = len(self.dropout.cumulative), len(self.trial.visits_months)
        if n_cum:  # the published schedule at other visits: refused with its carry
            check_published_schedule(self.dropout, self.trial.visits_months)
        if n_cum and n_cum != n_vis:
            raise InputError(
                f"dropout.cumulative has {n_cum} values but trial.visits_months has {n_vis}; "
                "give one per visit (or use dropout.monthly_hazard)"
            )
        no_lead_in = self.trial.lead_in_months <= 0
        check_lead_in((self.trial.analysis,), not no_lead_in, "trial.analysis = '{name}'")
        if no_lead_in and self.enrichment.screens_lead_in:
            raise InputError(
                "enrichment.lead_in_decline_min/max: screening on lead-in decline needs "
                "trial.lead_in_months > 0"
            )
        analysis = REGISTRY[self.trial.analysis]
        if self.decision.is_posterior and analysis.units != "points/month":
            raise InputError(
                f"decision.rule = 'posterior': needs an analysis whose estimate and standard "
                f"error are in points/month (lmm_slope, ols_slope_ttest, slope_change_lead_in); "
                f"trial.analysis = '{self.trial.analysis}' gives {analysis.units}"
            )
        self._check_interim()
        d = self.decision
        if d.thresholds or d.futility_predictive > 0:
            field = "thresholds" if d.thresholds else "futility_predictive"
            if not self.interim.sequential:
                raise InputError(f"decision.{field}: needs interim looks (interim.looks)")
            if not d.is_posterior:
                raise InputError(
                    f"decision.{field}: belongs to decision.rule = 'posterior' (the "
                    "frequentist rule stops by interim.spending and interim.futility)"
                )
        check_improvement(self)
        p_admit = self.enrichment.delta_fs_admit_probability(self.population)
        if p_admit < MIN_ADMIT_PROBABILITY:
            raise InputError(
                f"enrichment.delta_fs_min/max = [{self.enrichment.delta_fs_min:g}, "
                f"{self.enrichment.delta_fs_max:g}]: admits {p_admit:.2g} of candidates under "
                f"population.delta_fs_mean/sd; must admit >= {MIN_ADMIT_PROBABILITY:g}"
            )

    def _check_interim(self) -> None:
        interim = self.interim
        if not interim.sequential:
            return
        # the lead-in first: the analysis' refusal below sent a DSMB reviewer to lmm_slope,
        # which this one then refused too
        if self.trial.lead_in_months > 0:
            raise InputError("interim.looks: designs with a lead-in are not supported yet")
        if self.trial.analysis.value not in SEQUENTIAL_ANALYSES:
            raise InputError(
                f"interim.looks: trial.analysis = '{self.trial.analysis}' cannot be analysed "
                f"at interim looks; use {' or '.join(SEQUENTIAL_ANALYSES)}, or no looks"
            )
        if self.decision.is_posterior:
            self._check_posterior_looks()
        if interim.futility is not Futility.NONE and self.trial.sides != 1:
            raise InputError(
                f"interim.futility = '{interim.futility}': needs a one-sided test (trial.sides = 1)"
            )

    def _check_posterior_looks(self) -> None:
        """The posterior rule at interim looks: its thresholds, no alpha-spending futility."""
        n_looks, given = self.interim.n_looks, len(self.decision.thresholds)
        if given and given != n_looks:
            raise InputError(
                f"decision.thresholds has {given} values; interim.looks has {n_looks}: give "
                "one per look (or none: decision.threshold at every look)"
            )
        if self.interim.futility is not Futility.NONE:
            raise InputError(
                f"interim.futility = '{self.interim.futility}': the posterior rule's futility "
                "is decision.futility_predictive (beta spending belongs to the frequentist rule)"
            )
        if self.interim.information is not Information.OBSERVED:
            raise InputError(
                f"interim.information = '{self.interim.information}': read by alpha spending "
                "only; the posterior rule at looks is judged by its thresholds"
            )
        if self.interim.spending is not Spending.OBF or self.interim.user_spending:
            raise InputError(
                f"interim.spending = '{self.interim.spending}': the posterior rule at looks "
                "is judged by its thresholds (decision.threshold or decision.thresholds), not "
                "by alpha spending; leave spending out or use decision.rule = 'frequentist'"
            )

    # ----------------------------------------------------------------- construction

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], *, on_defaults: bool = True) -> TrialDesign:
        """Build a design from nested mappings (as ``tomllib`` returns).

        Parameters
        ----------
        mapping : Mapping
            ``{"trial": {...}, "population": {...}, ...}``; unknown sections or keys are errors.
        on_defaults : bool
            Read ``mapping`` on top of ``default.toml`` (True), or require every field (False).

        Raises
        ------
        InputError
            One line naming the field, its value and what is allowed.
        """
        from designs.spec.library import default_mapping  # the library reads designs

        merged = merge_layers(default_mapping() if on_defaults else {}, mapping)
        return cls._build(merged)

    @classmethod
    def _build(cls, merged: Mapping[str, Mapping[str, Any]]) -> TrialDesign:
        """Build a design from complete sections (no defaults added; missing fields refused)."""
        check_sections(merged)
        parts = {}
        for sec, sec_cls in SECTIONS.items():
            body = dict(merged.get(sec, {}))
            for f in dataclasses.fields(sec_cls):
                no_default = (
                    f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                )
                if no_default and f.name not in body:
                    raise InputError(f"{sec}.{f.name}: missing; required")
            try:
                parts[sec] = sec_cls(**body)
            except TypeError as exc:  # pragma: no cover - keys are checked above
                raise InputError(f"{sec}: {exc}") from exc
        return cls(**parts)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Plain nested dict (TOML types: str, int, float, bool, list, dict); ``None`` omitted.

        With 1:1 allocation the size is written as ``n_per_arm``, otherwise as ``n_total``.
        """
        out: dict[str, dict[str, Any]] = {}
        for sec in SECTIONS:
            obj = getattr(self, sec)
            body: dict[str, Any] = {}
            for f in dataclasses.fields(obj):
                body[f.name] = _plain(getattr(obj, f.name))
            out[sec] = body
        if not self.interim.looks_as:
            out.pop("interim")
        if not self.accrual.ramped:
            out.pop("accrual")  # a fixed design's file stays as before
        out["sources"] = dict(self.sources.given)
        if not out["sources"]:
            out.pop("sources")
        trial = out["trial"]
        if self.trial.allocation.equal:
            trial.pop("n_total")
        else:
            trial.pop("n_per_arm")
        return out

    def to_toml(self) -> str:
        """The design as TOML text; ``from_dict(tomllib.loads(d.to_toml())) == d``.

        The first line is a comment, ``# `` and :meth:`describe`; the sections follow, written
        by ``tomli_w`` (``trial.allocation`` as the table ``[trial.allocation]``).
        """
        comment = "".join(ch if ch.isprintable() else " " for ch in self.describe())
        return f"# {comment}\n\n" + tomli_w.dumps(self.to_dict())

    def with_overrides(self, overrides: Mapping[str, Any]) -> TrialDesign:
        """A new validated design with dotted keys replaced.

        Parameters
        ----------
        overrides : Mapping[str, Any]
            ``{"trial.n_per_arm": 50, "effect.value": 0.3, "trial.allocation.active": 2}``.
            Setting ``trial.n_total`` drops ``trial.n_per_arm`` and vice versa; likewise
            ``dropout.monthly_hazard`` and ``dropout.cumulative``.
        """
        top: dict[str, dict[str, Any]] = {}
        for dotted, value in overrides.items():
            parts = str(dotted).split(".")
            if len(parts) < 2 or not all(parts):
                raise InputError(
                    f"{dotted}: override keys are section.key, e.g. trial.n_per_arm; "
                    f"sections: {', '.join(SECTIONS)}"
                )
            sec, key, *rest = parts
            if sec not in SECTIONS:
                raise InputError(
                    f"{sec}: unknown section{near_miss(sec, SECTIONS)}; "
                    f"allowed: {', '.join(SECTIONS)}"
                )
            body = top.setdefault(sec, {})
            if rest:
                if (sec, key) != ("trial", "allocation") or len(rest) != 1:
                    raise InputError(f"{dotted}: unknown key")
                current = body.get(key)
                if not isinstance(current, dict):
                    a = self.trial.allocation
                    current = {"placebo": a.placebo, "active": a.active}
                current[rest[0]] = value
                check_keys("trial.allocation", current, ("placebo", "active"))
                body[key] = current
            else:
                body[key] = value
        return self._build(merge_layers(self.to_dict(), top))

    # ----------------------------------------------------------------- reading

    @property
    def gone_by_last_visit(self) -> float:
        """Fraction of placebo patients gone (dropout or death) by the last visit
        (:func:`designs.spec.exits.gone_by_last_visit`: exits that both depend on the slope
        are not independent)."""
        return gone_by_last_visit(
            self.dropout,
            self.population.slope_sd,
            self.trial.visits,
            admitted=exit_admitted(self),
        )

    @property
    def loses_patients(self) -> bool:
        """Whether any patient can leave before the last visit (dropout or death): the
        schedule's share gone by the last visit, deaths included, is above 0."""
        gone = self.dropout.cumulative_at(self.trial.visits, include_death=True)[-1]
        return bool(gone > 0)

    @property
    def active_gone_by_last_visit(self) -> float | None:
        """Fraction of active patients gone by the last visit under the design's fixed
        effect: with informative exits it differs from the placebo arm's (a slower decline,
        fewer exits when ``informative > 0``); None when the effect is drawn from the phase
        2 posterior (it then varies by draw)."""
        if self.effect.source is EffectSource.POSTERIOR:
            return None
        return gone_by_last_visit(
            self.dropout,
            self.population.slope_sd,
            self.trial.visits,
            shift=self.effect.slope_shift(self.population.slope_mean),
            effect_sd=self.effect.sd,
            admitted=exit_admitted(self),
        )

    def gone_text(self) -> str:
        """'36.4% gone by month 12', or by arm when informative exits make the arms differ
        (:func:`designs.spec.exits.gone_text`)."""
        return gone_text(self)

    @property
    def active_slope_mean(self) -> float:
        """Mean slope of the active arm under a fixed effect, points/month."""
        return self.population.slope_mean + self.effect.slope_shift(self.population.slope_mean)

    @property
    def admitted_share(self) -> float | None:
        """The effect as a percentage of the admitted patients' mean decline, under
        screening where that mean is known and a decline (else None)."""
        if not self.enrichment.active:
            return None
        admitted = self.enrichment.admitted_slope(self.population)
        if admitted is None or not admitted[0] < 0:
            return None
        return 100 * self.effect.slope_shift(self.population.slope_mean) / -admitted[0]

    def decline_share_text(self) -> str:
        """An effect given as a slope difference, as a share of the mean decline it removes:
        ' (90.2% of the mean decline)' (under screening the candidates', and the admitted
        patients' where known; a reviewer translating published effects read 0.42
        points/month, CENTAUR's 25%, with no word that it is 84% of this population's);
        '' for any other effect or a mean slope that is not a decline."""
        e, p = self.effect, self.population
        if e.kind is not EffectKind.SLOPE_DIFFERENCE or e.source is EffectSource.POSTERIOR:
            return ""
        if not p.slope_mean < 0:
            return ""
        whose = "candidates' mean decline" if self.enrichment.active else "mean decline"
        text = f" ({100 * e.value / -p.slope_mean:.3g}% of the {whose}"
        if self.admitted_share is not None:
            text += f", {self.admitted_share:.3g}% of the admitted patients'"
        return text + ")"

    def _admitted_text(self) -> str:
        """With screening: the population above is the candidates'; the admitted patients'
        slope in closed form where there is one (the delta-FS rule alone)."""
        if not self.enrichment.active:
            return ""
        admitted = self.enrichment.admitted_slope(self.population)
        if admitted is None:
            return " among candidates"
        return f" among candidates, {admitted[0]:.3g} (SD {admitted[1]:.2g}) among those admitted"

    def describe(self, *, size: bool = True, effect: str | None = None) -> str:
        """One short human line (``size=False``: without the trial's size, for an output
        that searches for it; ``effect``: words in place of the design's effect, for an
        output that does not simulate it, such as assurance)."""
        t, p, e = self.trial, self.population, self.effect
        if not size:
            arms = "" if t.allocation.equal else f"allocation {t.allocation.describe()}, "
        elif t.allocation.equal:
            arms = f"{t.n_per_arm} per arm, "
        else:
            ratio = f"{t.allocation.describe()} placebo:active"
            arms = f"{t.n_placebo} placebo + {t.n_active} active ({ratio}), "
        if e.source is EffectSource.POSTERIOR:
            eff = f"effect from phase 2 posterior ({e.transport.value})"
        elif e.kind is EffectKind.PROPORTIONAL_SLOWING:
            shift = e.slope_shift(p.slope_mean)
            eff = f"{100 * e.value:g}% slowing ({shift:+.3g} points/month)"
            if self.enrichment.active:  # a fraction of the candidates' decline, not the admitted
                eff = (
                    f"{100 * e.value:g}% slowing of the candidates' decline ({shift:+.3g} "
                    "points/month"
                )
                share = self.admitted_share
                if share is not None:
                    eff += f": {share:.0f}% of the admitted patients' decline"
                eff += ")"
        else:
            eff = f"slope difference {e.value:+.3g} points/month{self.decline_share_text()}"
        if effect is not None:
            eff = effect
        if e.has_time_course:  # months from randomisation, also with a lead-in
            after = " after randomisation" if t.lead_in_months > 0 else ""
            eff += f", {e.course_text()}{after}"
        if e.sd > 0:  # (a heterogeneity review: every one-line summary read as if it were 0)
            eff += f", SD {e.sd:g} points/month between treated patients"
        extra = ""
        if t.lead_in_months > 0:
            extra += f"; {t.lead_in_months:g}-month lead-in"
        en = self.enrichment
        if en.screens_delta_fs:
            extra += f"; admits delta-FS {en.delta_fs_min:g}-{en.delta_fs_max:g} points/month"
        if en.screens_lead_in:
            extra += (
                f"; admits lead-in loss {en.lead_in_decline_min:g} to "
                f"{en.lead_in_decline_max:g} points"
            )
        acting = self.dropout.acting_informative  # not a coefficient with no exits to move
        if any(acting):
            parts = [
                f"{name} {beta:g}"
                for name, beta in zip(("dropout", "death"), acting, strict=True)
                if beta != 0
            ]
            # under lead-in screening the fraction is kept among the candidates, not among
            # those admitted (a realism review read both claims in one line)
            kept = "the candidates'" if en.screens_lead_in else "placebo arm's"
            extra += (
                f"; informative {' and '.join(parts)} (log-hazard per point/month of faster "
                f"decline; {kept} fraction kept)"
            )
        if p.curvature != 0:
            extra += f"; curvature {p.curvature:g} points/month"
        dec = self.decision
        if self.accrual.ramped:
            extra += f"; accrual {self.accrual.describe(t.accrual_per_month)}"
        if self.interim.sequential and not dec.is_posterior:
            extra += f"; {self.interim.describe()}"
        elif self.interim.sequential:  # no alpha spending under the posterior rule
            extra += f"; {self.interim.describe().split(';')[0]}"
        if dec.is_posterior:
            weight = f" (weight {dec.prior_weight:g})" if dec.prior.value == "robust" else ""
            shown = ", ".join(f"{x:g}" for x in dec.thresholds) if dec.thresholds else ""
            extra += (
                f"; success if P(effect > {dec.margin:g}) > "
                f"{f'[{shown}] by look' if shown else f'{threshold_text(dec.threshold)}'} under a "
                f"{dec.prior.value} prior{weight}"
            )
            if dec.futility_predictive > 0:
                extra += f"; futility if predictive probability < {dec.futility_predictive:g}"
        return (
            f"{t.name}: {arms}{len(t.visits_months)} visits over {t.duration_months:g} months, "
            f"{t.analysis.value}, alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided; "
            f"slope {p.slope_mean:g} (SD {p.slope_sd:g}) points/month{self._admitted_text()}; "
            f"{eff}; "
            f"{self.gone_text()}{extra}"
        )


def _plain(value: Any) -> Any:
    """A field's value as a TOML type: nested sections as dicts, enums as str, tuples as lists."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value
