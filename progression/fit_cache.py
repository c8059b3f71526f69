"""Fits of the phase 2 model kept on disk and reused: :func:`cached_fit` (and
:func:`cache_path`, where it keeps one).

A fit is keyed by what determines its draws: the data's hash, the model version and its
code, the priors and the sampler settings (:func:`_cache_key`); a file under that key is
reused only when its attributes say the same. Re-exported by :mod:`progression.model`, whose
``fit``, ``load_posterior`` and ``save_posterior`` it uses (looked up on each call).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from progression import samplers
from progression.cache_dirs import could_write, private_root_kept, writable_cache
from progression.convergence import CONVERGENCE_ATTR
from progression.errors import InputError
from progression.posterior_view import PosteriorView
from progression.priors import DEFAULT_PRIORS, Priors
from progression.records import Phase2Data, bundled_sha256, load_phase2

if TYPE_CHECKING:
    import xarray as xr


def code_digest(source: str) -> str:
    """SHA-256 (first 16 hex digits) of Python source as its syntax tree, without docstrings:
    comments, formatting and docstrings do not change it, code does."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()[:16]


def model_code_digest() -> str:
    """:func:`code_digest` of the model's module (:mod:`progression.model`: the likelihood,
    priors and how ``fit`` samples), a part of a cached fit's key: an edited model or fit is
    fitted again, even where ``MODEL_VERSION`` was not raised (a mutation review: a warm cache
    gave the old posterior). The syntax tree's dump may differ between Python versions, so a
    Python upgrade fits once again. ``"unknown"`` where the source cannot be read (the version
    alone keys the fit then)."""
    import inspect

    from progression import model

    try:
        source = inspect.getsource(model)
    except (OSError, TypeError):
        return "unknown"
    return code_digest(source)


def _cache_key(data_sha256: str, priors: Priors, settings: dict) -> str:
    from progression.model import MODEL_VERSION

    keyed = {
        "data": data_sha256,
        "model": MODEL_VERSION,
        "model_code": model_code_digest(),
        "priors": priors.to_json(),
    }
    text = json.dumps({**keyed, **samplers.keyed_settings(settings)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _sampler_settings(
    draws: int,
    chains: int,
    tune: int,
    seed: int,
    target_accept: float,
    sampler: str = samplers.DEFAULT_SAMPLER,
) -> dict:
    """The sampler settings that key a cached posterior and must match its attributes."""
    from progression.model import _resolve_seed

    return {
        "draws": draws,
        "chains": chains,
        "tune": tune,
        "seed": _resolve_seed(seed),
        "target_accept": float(target_accept),
        "sampler": samplers.check_sampler(sampler),
    }


def cache_path(
    data: Phase2Data,
    cache_dir: str | Path,
    priors: Priors | None = None,
    draws: int = 1000,
    chains: int = 4,
    tune: int = 1000,
    seed: int = 0,
    target_accept: float = 0.95,
    sampler: str = samplers.DEFAULT_SAMPLER,
) -> Path:
    """Where :func:`cached_fit` keeps the posterior for these inputs."""
    priors = DEFAULT_PRIORS if priors is None else priors
    settings = _sampler_settings(draws, chains, tune, seed, target_accept, sampler)
    return _cache_file(data.sha256, cache_dir, priors, settings)


def _cache_file(data_sha256: str, cache_dir: str | Path, priors: Priors, settings: dict) -> Path:
    return Path(cache_dir) / f"phase2_posterior_{_cache_key(data_sha256, priors, settings)}.nc"


def _load_or_none(path: Path, groups) -> xr.DataTree | PosteriorView | None:
    from progression.model import load_posterior

    try:
        return load_posterior(path, groups)
    except InputError:
        return None


def cached_fit(
    data: Phase2Data | None,
    cache_dir: str | Path,
    priors: Priors | None = None,
    draws: int = 1000,
    chains: int = 4,
    tune: int = 1000,
    seed: int = 0,
    target_accept: float = 0.95,
    progressbar: bool = False,
    sampler: str = samplers.DEFAULT_SAMPLER,
    groups: tuple[str, ...] | None = None,
) -> xr.DataTree | PosteriorView:
    """:func:`progression.model.fit`, reusing a posterior saved in ``cache_dir`` with the same
    inputs: all its groups, or ``groups`` as in :func:`progression.model.load_posterior` (a
    view, also of a fresh fit).

    A saved file is reused only when the data hash, model version and code, priors and sampler
    settings (draws, chains, tune, seed, target_accept, sampler) all match; otherwise the
    model is fitted and saved. Here the seed must be given (a cache needs a reproducible key).
    Where ``cache_dir`` cannot be written (a read-only home or shared installation), its
    fits are still read, and a new fit is kept in this user's private temporary folder
    (:func:`progression.cache_dirs.writable_cache`), where the next run finds it (an
    installation review: it was fitted again on every run).
    Without ``data`` (the bundled records), a saved fit is found from the hash of the file's
    bytes (:func:`progression.records.bundled_sha256`): the records are parsed for a fit only.
    """
    from progression import model  # model.fit looked up on each call (tests replace it)

    sha256 = data.sha256 if data is not None else bundled_sha256()
    if sha256 is None:  # the bundled file is unreadable: load_phase2 says why
        data = load_phase2()
        sha256 = data.sha256
    priors = DEFAULT_PRIORS if priors is None else priors
    settings = _sampler_settings(draws, chains, tune, seed, target_accept, sampler)
    path = _cache_file(sha256, cache_dir, priors, settings)
    idata = _reuse(path, sha256, priors, settings, groups)
    if idata is not None:
        return idata
    if not could_write(Path(cache_dir)):
        path = _cache_file(sha256, writable_cache(Path(cache_dir), "posterior"), priors, settings)
        idata = _reuse(path, sha256, priors, settings, groups)
        if idata is not None:
            return idata
    data = load_phase2() if data is None else data
    fit_settings = {k: v for k, v in settings.items() if k != "sampler"}
    idata = model.fit(data, priors, progressbar=progressbar, nuts_sampler=sampler, **fit_settings)
    try:
        model.save_posterior(idata, path)
    except OSError as exc:  # a read-only cache (an installation review: the fit was lost)
        print(
            f"warning: the phase 2 fit could not be kept in {path.parent} "
            f"({exc.strerror or exc}); it is used for this run and fitted again by the next "
            "(ALS_TRIAL_SIM_CACHE names a folder that can be written)",
            file=sys.stderr,
        )
    else:
        if path.parent != Path(cache_dir):
            # a fresh folder is for this run only, as private_temp_root's note says (a diff
            # review: "where the next run looks for it" of a folder removed at exit)
            kept = (
                "this user's temporary folder, where the next run looks for it"
                if private_root_kept()
                else "for this run only"
            )
            print(
                f"note: {cache_dir} cannot be written, so the phase 2 fit is kept in "
                f"{path.parent} ({kept}; ALS_TRIAL_SIM_CACHE names a folder that can be "
                "written)",
                file=sys.stderr,
            )
    if groups is None:
        return idata
    return PosteriorView.from_datatree(idata, tuple(dict.fromkeys(("posterior", *groups))))


def _reuse(path: Path, sha256: str, priors: Priors, settings: dict, groups):
    """The fit saved at ``path`` if it is one of these inputs (data hash, model version and
    code, priors, sampler settings), else None."""
    from progression import model

    if not path.exists():
        return None
    idata = _load_or_none(path, groups)
    if idata is None or not (
        idata.attrs.get("data_sha256") == sha256
        and idata.attrs.get("model_version") == model.MODEL_VERSION
        and idata.attrs.get("priors") == priors.to_json()
        and all(samplers.recorded_setting(idata.attrs, k) == v for k, v in settings.items())
    ):
        return None
    if CONVERGENCE_ATTR not in idata.attrs:  # cached before the figures were kept:
        whole = idata if groups is None else model.load_posterior(path)  # every group
        try:
            model.save_posterior(whole, path)  # keep them now, once (same draws, same file)
        except OSError:  # a read-only cache: the figures are computed again next time
            pass
        idata.attrs = dict(whole.attrs)
    return idata
