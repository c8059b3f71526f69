r"""The piecewise-linear hierarchical model of ALSFRS-R before and after the first dose.

.. math::

    y_{ij} &= a_i + b_i t_{ij} + g_i \max(t_{ij}, 0) + e_{ij},
        \quad e_{ij} \sim N(0, \sigma^2) \\
    a_i &= \mu_a + \sigma_a z_{a,i}, \quad b_i = \mu_b + \sigma_b z_{b,i},
        \quad g_i = \delta + \sigma_g z_{g,i}, \quad z \sim N(0, 1)

``y`` ALSFRS-R points, ``t`` months from the first dose (the month-0 visit is rated before
dosing), ``a_i`` level at the first dose (``level``), ``b_i`` natural-history slope
(``pre_slope``), ``g_i`` change of slope on treatment (``slope_change``), ``delta`` its
population mean (points/month; positive = slower decline = benefit). Population parameters
are named ``level_mean`` (mu_a), ``level_sd``, ``pre_slope_mean`` (mu_b), ``pre_slope_sd``,
``delta``, ``slope_change_sd`` (sd_g) and ``residual_sd`` (sigma). Non-centred; priors in
:mod:`progression.priors`. The comparison is an uncontrolled before/after one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from progression import posterior_file, samplers
from progression.convergence import record as record_convergence
from progression.errors import InputError
from progression.fit_cache import cache_path as cache_path  # re-exported
from progression.fit_cache import cached_fit as cached_fit  # re-exported
from progression.netcdf_bytes import netcdf_bytes
from progression.posterior_attrs import describe
from progression.posterior_file import CHECKSUM_ATTR, posterior_checksum
from progression.posterior_view import PosteriorView, read_view
from progression.predictive import sample_posterior_predictive
from progression.priors import DEFAULT_PRIORS, Priors
from progression.program import program_name
from progression.records import Phase2Data, load_phase2
from progression.repeatable import cache_independent_rounding
from progression.signals import signals_held

if TYPE_CHECKING:  # PyMC and xarray are imported where used (start-up time of loading)
    import pymc as pm
    import xarray as xr

MODEL_VERSION = "phase2-piecewise-v1"
POPULATION_PARAMS = (
    "level_mean",
    "level_sd",
    "pre_slope_mean",
    "pre_slope_sd",
    "delta",
    "slope_change_sd",
    "residual_sd",
)
#: The population parameters planning reads from every posterior (checked on loading).
PLANNING_PARAMS = ("delta", "pre_slope_mean")
PATIENT_PARAMS = ("level", "pre_slope", "slope_change", "post_slope")
REQUIRED_ATTRS = ("model_version", "data_sha256", "seed", "illustrative_data")
GROUPS = ("posterior", "prior", "posterior_predictive", "observed_data", "sample_stats")
N_PRIOR_DRAWS = 500
#: Largest seed: the posterior file stores it as a 64-bit signed integer.
MAX_SEED = 2**63 - 1


def build_model(data: Phase2Data, priors: Priors = DEFAULT_PRIORS) -> pm.Model:
    """Build (not fit) the PyMC model for one data set.

    Parameters
    ----------
    data : Phase2Data
        Validated records; not modified.
    priors : Priors
        Hyperparameters.

    Returns
    -------
    pymc.Model
        Dims ``patient`` and ``obs``. ``month`` (months), ``patient_index`` and
        ``observed_score`` (points) are ``pm.Data``, so the compiled model can be reused
        with other scores on the same design (simulation-based calibration).
    """
    idx, month, score = data.arrays()
    return build_model_arrays(data.patients, idx, month, score, priors)


def build_model_arrays(
    patients: list[str],
    patient_index: np.ndarray,
    month: np.ndarray,
    score: np.ndarray,
    priors: Priors = DEFAULT_PRIORS,
) -> pm.Model:
    """:func:`build_model` from arrays, without validation (simulated, continuous scores).

    Parameters
    ----------
    patients : list of str
        Patient labels (coords of dim ``patient``).
    patient_index : numpy.ndarray of int, shape (n_obs,)
        Position of each observation's patient in ``patients``.
    month : numpy.ndarray of float, shape (n_obs,)
        Months from the first dose.
    score : numpy.ndarray of float, shape (n_obs,)
        ALSFRS-R points (may be continuous).
    priors : Priors
    """
    import pymc as pm

    idx = np.asarray(patient_index, dtype=np.int64)
    month = np.asarray(month, dtype=np.float64)
    score = np.asarray(score, dtype=np.float64)
    coords = {"patient": list(patients), "obs": np.arange(month.size)}
    with pm.Model(coords=coords) as model:
        t = pm.Data("month", month, dims="obs")
        pid = pm.Data("patient_index", idx, dims="obs")
        y = pm.Data("observed_score", score, dims="obs")

        level_mean = pm.Normal("level_mean", priors.level_mean, priors.level_mean_sd)
        level_sd = pm.HalfNormal("level_sd", priors.level_sd_scale)
        pre_slope_mean = pm.Normal(
            "pre_slope_mean", priors.pre_slope_mean, priors.pre_slope_mean_sd
        )
        pre_slope_sd = pm.HalfNormal("pre_slope_sd", priors.pre_slope_sd_scale)
        delta = pm.Normal("delta", priors.delta_mean, priors.delta_sd)
        slope_change_sd = pm.HalfNormal("slope_change_sd", priors.slope_change_sd_scale)
        residual_sd = pm.LogNormal(
            "residual_sd", mu=np.log(priors.residual_sd_median), sigma=priors.residual_sd_log_sd
        )

        z_level = pm.Normal("level_z", 0.0, 1.0, dims="patient")
        z_pre = pm.Normal("pre_slope_z", 0.0, 1.0, dims="patient")
        z_change = pm.Normal("slope_change_z", 0.0, 1.0, dims="patient")
        level = pm.Deterministic("level", level_mean + level_sd * z_level, dims="patient")
        pre_slope = pm.Deterministic(
            "pre_slope", pre_slope_mean + pre_slope_sd * z_pre, dims="patient"
        )
        slope_change = pm.Deterministic(
            "slope_change", delta + slope_change_sd * z_change, dims="patient"
        )
        pm.Deterministic("post_slope", pre_slope + slope_change, dims="patient")

        mu = level[pid] + pre_slope[pid] * t + slope_change[pid] * pm.math.maximum(t, 0.0)
        pm.Normal("alsfrs_r", mu=mu, sigma=residual_sd, observed=y, dims="obs")
    return model


def _resolve_seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if (
        isinstance(seed, bool)
        or not isinstance(seed, int | np.integer)
        or not 0 <= seed <= MAX_SEED
    ):
        raise InputError(f"seed = {seed!r}: must be a whole number in [0, {MAX_SEED:,}]")
    return int(seed)


def _package_version() -> str:
    from progression import __version__

    return __version__


def fit(
    data: Phase2Data | None = None,
    priors: Priors | None = None,
    draws: int = 1000,
    chains: int = 4,
    tune: int = 1000,
    seed: int | None = None,
    target_accept: float = 0.95,
    progressbar: bool = True,
    nuts_sampler: str = samplers.DEFAULT_SAMPLER,
) -> xr.DataTree:
    """Fit the model with NUTS and return every group the rest of the tool needs.

    Parameters
    ----------
    data : Phase2Data, optional
        Default: the bundled illustrative phase 2 set.
    priors : Priors, optional
        Default: :data:`progression.priors.DEFAULT_PRIORS`.
    draws, chains, tune : int
        Draws kept per chain, chains, tuning steps per chain.
    seed : int, optional
        Seed of every random step; when None one is drawn and recorded in ``attrs["seed"]``.
    target_accept : float
        NUTS target acceptance (0.95 by default: the hierarchical SDs of five patients make
        a funnel even in the non-centred form).
    progressbar : bool
        Show PyMC's progress bar while sampling.
    nuts_sampler : str
        One of :data:`SAMPLERS`: ``"nutpie"`` (default; nutpie's NUTS on a Numba-compiled
        model, chains in threads) or ``"pymc"`` (PyMC's NUTS in worker processes). Recorded
        in ``attrs["sampler"]`` and part of a cached fit's key.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior``, ``prior``, ``prior_predictive``, ``posterior_predictive``,
        ``log_likelihood``, ``observed_data``, ``constant_data``, ``sample_stats``; every
        variable has ``units`` and ``long_name``, ``obs`` the coordinates ``obs_patient`` and
        ``obs_month`` (:mod:`progression.posterior_attrs`). Root ``attrs``:
        ``model_version``, ``data_sha256``, ``data_source``, ``seed``,
        ``illustrative_data`` (0/1), ``priors`` (JSON), ``draws``, ``chains``, ``tune``,
        ``target_accept``, ``pymc_version``, ``comparison`` (the uncontrolled-design caveat).
    """
    import pymc as pm

    data = load_phase2() if data is None else data
    priors = DEFAULT_PRIORS if priors is None else priors
    for name, value, low in (("draws", draws, 1), ("chains", chains, 1), ("tune", tune, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise InputError(f"{name}: {value!r} must be an integer >= {low}")
    samplers.check_sampler(nuts_sampler)
    seed = _resolve_seed(seed)
    prior_seed, sample_seed, ppc_seed = np.random.SeedSequence(seed).generate_state(3)
    model = build_model(data, priors)
    try:
        idata = samplers.run_nuts(
            model,
            nuts_sampler,
            draws=draws,
            tune=tune,
            chains=chains,
            seed=int(sample_seed),
            target_accept=target_accept,
            progressbar=progressbar,
        )
    except ValueError as exc:  # interrupted before any chain finished tuning (PyMC, nutpie)
        if "Not enough samples" in str(exc) or "no results to take" in str(exc):
            raise KeyboardInterrupt("sampling was interrupted; no posterior is written") from None
        raise
    with model:
        # PyMC returns the draws so far when sampling is interrupted (Ctrl-C, SIGTERM): such
        # a posterior must never look finished, be saved or be cached.
        if not (_complete(idata, draws, chains) and _all_drawn(idata)):
            raise KeyboardInterrupt("sampling was interrupted; no posterior is written")
        samplers.numeric_sample_stats(idata, nuts_sampler)  # one file format whatever the sampler
        # about a second of compiled code (PyTensor's, Numba's callbacks): a Ctrl-C raised in
        # it segfaulted or surfaced as a SystemError (a reliability review), so it is held
        # and acted on after the block
        with signals_held():
            prior = pm.sample_prior_predictive(draws=N_PRIOR_DRAWS, random_seed=int(prior_seed))
            # pm.sample_posterior_predictive's draws, all in one call (progression.predictive)
            sample_posterior_predictive(idata, model, int(ppc_seed))
            # for az.loo / az.compare of prior variants (about 60 obs x draws: cheap); the
            # same bits whether the function was compiled or loaded from the cache
            with cache_independent_rounding():
                pm.compute_log_likelihood(idata, extend_inferencedata=True, progressbar=False)
    for name in ("prior", "prior_predictive"):
        if name in prior.children:
            idata[name] = prior[name]
    idx, month, _ = data.arrays()
    describe(idata, data.patients, month, idx)  # units, long names, obs_patient, obs_month
    idata.attrs = {
        "model_version": MODEL_VERSION,
        "data_sha256": data.sha256,
        "data_source": data.source,
        "seed": seed,
        "illustrative_data": int(data.illustrative),
        "priors": priors.to_json(),
        "draws": draws,
        "chains": chains,
        "tune": tune,
        "target_accept": float(target_accept),
        "sampler": nuts_sampler,
        "pymc_version": pm.__version__,
        **samplers.sampler_version(nuts_sampler),
        "software": f"als-trial-sim {_package_version()}",
        "comparison": (
            "uncontrolled before/after (open-label, single-arm): regression to the mean, "
            "plateaus and open-label rating can all mimic or hide an effect"
        ),
    }
    return idata


def _complete(idata: xr.DataTree | PosteriorView, draws: int, chains: int) -> bool:
    """True when the posterior holds ``chains`` chains of ``draws`` draws each."""
    if "posterior" not in idata.children:
        return False
    sizes = idata["posterior"].sizes
    return sizes.get("chain") == chains and sizes.get("draw") == draws


def _all_drawn(idata: xr.DataTree) -> bool:
    """True when every posterior draw is a finite number: nutpie, interrupted, returns arrays
    of the full size with the draws it never made as NaN (a review found such a fit saved and
    summarised: P(delta > 0) 0.46-0.58 where the full fit gives 0.909)."""
    posterior = idata["posterior"]
    return all(bool(np.isfinite(posterior[name].values).all()) for name in posterior.data_vars)


def save_posterior(idata: xr.DataTree, path: str | Path, summary: dict | None = None) -> Path:
    """Write the posterior to netCDF (h5netcdf) atomically: a temporary file, then rename.

    Parameters
    ----------
    idata : xarray.DataTree
        As returned by :func:`fit`.
    path : str or pathlib.Path
        Target file; parent folders are created.
    summary : dict, optional
        :func:`progression.diagnostics.fit_summary` of ``idata`` when the caller has it: the
        convergence figures kept in the file are taken from it instead of computed again.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    idata.attrs[CHECKSUM_ATTR] = posterior_checksum(idata)  # verified by load_posterior
    record_convergence(idata, idata.attrs[CHECKSUM_ATTR], summary)  # read by planning
    data = netcdf_bytes(idata)  # built in memory: no h5py crash on a full disk
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except OSError as exc:  # e.g. a full disk: nothing left behind, the target named
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_posterior(
    path: str | Path, groups: tuple[str, ...] | None = None
) -> xr.DataTree | PosteriorView:
    """Read a posterior written by :func:`save_posterior` into memory: every group as an
    :class:`xarray.DataTree`, or only ``groups`` (and ``posterior``) with the root attributes
    as a :class:`~progression.posterior_view.PosteriorView`, read by h5py alone (by xarray
    for encodings it does not decode); the same checks either way.

    Raises
    ------
    progression.errors.InputError
        Unreadable file, or not a posterior written by this tool (missing attribute).
    """
    try:
        if groups is None:
            import xarray as xr

            with xr.open_datatree(path, engine="h5netcdf") as tree:
                idata = tree.load().copy()
        else:
            names = tuple(dict.fromkeys(("posterior", *groups)))
            idata = read_view(path, names) or PosteriorView.from_datatree(
                posterior_file.read_groups(path, names), names
            )
    except (OSError, ValueError, KeyError, RuntimeError, TypeError, AttributeError) as exc:
        # h5py reports some damaged files as KeyError or RuntimeError, h5netcdf some as
        # AttributeError (a dimension without a name)
        raise InputError(f"posterior {path}: cannot read as netCDF ({exc})") from None
    for attr in REQUIRED_ATTRS:
        if attr not in idata.attrs:
            raise InputError(
                f"posterior {path}: not a posterior written by this tool "
                f"(missing attribute {attr!r})"
            )
    if "posterior" not in idata.children:
        raise InputError(
            f"posterior {path}: not a posterior written by this tool (no posterior group)"
        )
    if str(idata.attrs["model_version"]) != str(MODEL_VERSION):
        raise InputError(
            f"posterior {path}: written by model version {idata.attrs['model_version']!r}, "
            f"this tool fits version {MODEL_VERSION!r}; refit with `{program_name()} fit`"
        )
    draws, chains = idata.attrs.get("draws"), idata.attrs.get("chains")
    if draws is not None and chains is not None and not _complete(idata, draws, chains):
        sizes = dict(idata["posterior"].sizes)
        raise InputError(
            f"posterior {path}: incomplete ({sizes.get('chain')} chains x {sizes.get('draw')} "
            f"draws, but the fit was of {chains} x {draws}); refit with `{program_name()} fit`"
        )
    recorded = idata.attrs.get(CHECKSUM_ATTR)
    if recorded is not None and str(recorded) != posterior_checksum(idata):
        raise InputError(
            f"posterior {path}: its draws do not match the checksum recorded when it was "
            f"written (the file was damaged or edited); refit with `{program_name()} fit`"
        )
    for name in PLANNING_PARAMS:
        _check_draws(idata, name, f"posterior {path}")
    if recorded is None:  # every file this tool writes has it (an auditor's review: a draw
        # edited and the attribute deleted passed without a word)
        raise InputError(
            f"posterior {path}: no checksum of its draws (attribute {CHECKSUM_ATTR!r}), which "
            "every posterior this tool writes records: the file was edited, or written by "
            f"other software or an older version; refit with `{program_name()} fit`"
        )
    return idata


def _check_draws(idata: xr.DataTree | PosteriorView, name: str, where: str) -> None:
    """Refuse a posterior whose ``name`` is missing, not numbers, empty or not finite."""
    post = idata["posterior"]
    if name not in post.data_vars:
        raise InputError(
            f"{where}: variable {name!r} is missing; refit with `{program_name()} fit`"
        )
    values = post[name].values
    if values.dtype.kind not in "fiu":
        raise InputError(
            f"{where}: variable {name!r} holds {values.dtype} values, not numbers; refit with "
            f"`{program_name()} fit`"
        )
    if values.size == 0:
        raise InputError(f"{where}: variable {name!r} has 0 draws; at least 1 is needed")
    if not np.isfinite(values).all():
        raise InputError(f"{where}: variable {name!r} has draws that are not finite numbers")


def is_posterior_file(path: str | Path) -> bool:
    """True when ``path`` holds a posterior written by this tool (any model version)."""
    return posterior_file.is_posterior_file(path, REQUIRED_ATTRS)
