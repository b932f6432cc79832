"""Expected community by soft retrieval over the training relevés.

For a pixel with embedding x, each reference relevé r (the relevés training read, or
another layer given by the user) gets p(r | x) = softmax_r(cos(x, e_r) / T). From that:
the expected richness sum_r p(r) richness(r), and per taxon the probability that it is
present, sum_r p(r) [taxon in r], whose largest value names the most likely taxon.

Why a fitted temperature: cosines of a contrastive model span a narrow range (a few tenths),
so a softmax at T = 1 is nearly uniform (every pixel would get the mean relevé) and one at
a tiny T is a hard nearest neighbour (over-confident). T is chosen where the validation
plots -- held out from training, the split recorded in the bundle's report.json -- are
best explained: it maximises the mean log-probability of each validation image's own relevé
among all the usable training relevés (the same reference set as the maps, so the scale
fits). The validation images are embedded exactly at their plots
(:func:`..embed.at_points.embed_at_points`) from the orthophoto training recorded. When that
orthophoto or those relevés are gone, the contrastive loss's own learned scale is used
(T = 1 / exp(logit_scale)), with a warning: it is the temperature the model trained with,
reasonable but not fitted to retrieval over the whole set.

The fit is cached per process (bundle sha256 and reference relevés), so that clicking pixel
after pixel (:func:`top_taxa_at`) does not embed the validation plots again.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..bundle import Bundle
from ..errors import BotaclipError
from ..progress import SILENT, Progress
from ..releves.read import read_releves
from .community import releve_options, species_matrix

T_BOUNDS = (1e-3, 1.0)       # cosines lie in [-1, 1]: beyond T = 1 the softmax is flat
_PAIRS_PER_CHUNK = 4_000_000  # pixels x relevés held at once (16 MB of float32)
_CACHE: dict = {}


@dataclass
class Retrieval:
    """The reference relevés in the shared space and the fitted temperature."""

    embeddings: np.ndarray          # (n, d) unit relevé embeddings
    present: np.ndarray             # (n, T) bool, taxon present in relevé
    richness: np.ndarray            # (n,) taxa per relevé
    temperature: float
    species: list
    source: str
    fit: dict = field(default_factory=dict)

    def chunks(self, m: int):
        """Row slices of ``m`` pixels such that pixels x relevés stays bounded."""
        step = max(1, _PAIRS_PER_CHUNK // max(1, len(self.richness)))
        return [slice(i, min(m, i + step)) for i in range(0, m, step)]

    def posterior(self, x: np.ndarray) -> np.ndarray:
        """p(relevé | pixel): (m, n) for unit pixel embeddings ``x`` (m, d)."""
        logits = (np.asarray(x, np.float32) @ self.embeddings.T) / np.float32(self.temperature)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return p

    def community(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(expected richness (m,), index of the most likely taxon (m,)) for pixels ``x``."""
        rich = np.empty(len(x), dtype=np.float32)
        top = np.empty(len(x), dtype=np.float32)
        present = self.present.astype(np.float32)
        for s in self.chunks(len(x)):
            p = self.posterior(x[s])
            rich[s] = p @ self.richness
            top[s] = np.argmax(p @ present, axis=1)
        return rich, top

    def top_taxa(self, x: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` taxa most likely present at the pixel ``x`` (d,), with p(present)."""
        prob = self.posterior(x[None, :])[0] @ self.present.astype(np.float32)
        order = np.argsort(-prob, kind="stable")[:max(1, int(k))]
        return [(self.species[i], float(prob[i])) for i in order]


def nll(sims: np.ndarray, true: np.ndarray, t: float) -> float:
    """Mean negative log-probability of the true relevé (column ``true[i]`` of row i)."""
    z = sims / t
    z = z - z.max(axis=1, keepdims=True)
    log_p = z[np.arange(len(true)), true] - np.log(np.exp(z).sum(axis=1))
    return float(-log_p.mean())


def fit_temperature(sims: np.ndarray, true: np.ndarray) -> float:
    """The T in :data:`T_BOUNDS` minimising :func:`nll` (searched on log T: the likelihood
    changes by orders of magnitude at small T)."""
    from scipy.optimize import minimize_scalar

    lo, hi = (math.log(b) for b in T_BOUNDS)
    res = minimize_scalar(lambda lt: nll(sims, true, math.exp(lt)), bounds=(lo, hi),
                          method="bounded", options={"xatol": 1e-3})
    return float(math.exp(res.x))


def _recorded(bundle: Bundle) -> tuple[dict, Path]:
    return bundle.config.get("inputs") or {}, Path(bundle.path) / "report" / "report.json"


def validation_fit(bundle: Bundle, progress: Progress = SILENT) -> dict | None:
    """{"temperature", "n_val", "nll", ...} fitted on the recorded validation plots, or None
    when the recorded orthophoto, relevés or report are not there."""
    from ..check import check_data
    from ..embed.at_points import embed_at_points

    inputs, report = _recorded(bundle)
    ortho, releves = inputs.get("ortho"), inputs.get("releves")
    if not (ortho and releves and Path(ortho).exists() and Path(releves).exists()
            and report.exists()):
        return None
    try:
        val_idx = np.asarray(json.loads(report.read_text("utf-8"))["split"]["val_idx"], int)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    progress.report(0.0, "Fitting the retrieval temperature on the validation plots")
    checked = check_data(ortho, releves, releve_options(bundle), sensor=inputs.get("sensor"),
                         wavelengths=inputs.get("wavelengths"),
                         patch_m=float(bundle.config["patch_m"]),
                         min_valid=float(inputs.get("min_valid", 0.8)),
                         progress=progress.sub(0.0, 0.3))
    usable = np.flatnonzero(checked.usable)
    if len(usable) != int((bundle.config.get("check") or {}).get("plots_used", len(usable))) \
            or (len(val_idx) and val_idx.max() >= len(usable)):
        return None                 # the recorded relevés changed since training
    rel = read_releves(releves, releve_options(bundle))
    ref = bundle.embed_releves(species_matrix(rel, bundle.species)[usable])
    rows = usable[val_idx]
    img, valid = embed_at_points(ortho, checked.x[rows], checked.y[rows],
                                 model_dir=bundle.path, progress=progress.sub(0.3, 0.95))
    if valid.sum() < 2:
        return None
    sims = img[valid] @ ref.T
    true = val_idx[valid]
    t = fit_temperature(sims, true)
    return {"temperature": t, "n_val": int(valid.sum()), "n_reference": len(usable),
            "nll": nll(sims, true, t), "nll_uniform": math.log(len(usable)),
            "method": "validation"}


def loss_temperature(bundle: Bundle) -> dict:
    """The contrastive loss's learned temperature (the fallback of the module docstring)."""
    scale = float(bundle.loss.logit_scale.detach().exp())
    return {"temperature": 1.0 / scale, "method": "training loss scale"}


def reference_releves(bundle: Bundle, releves=None):
    """(raw covers (n, T) of the relevés holding a model taxon, their source) from
    ``releves`` or the relevés training recorded."""
    path = releves or (bundle.config.get("inputs") or {}).get("releves")
    if not path or (not str(path).startswith("/vsi") and "|" not in str(path)
                    and not Path(path).exists()):
        raise BotaclipError(
            f"The expected community needs the relevés to retrieve from: the model "
            f"{bundle.path} recorded {path or 'none'}, which is not there. Give them with "
            "--releves VECTOR (any relevé layer with the model's taxa).")
    rel = read_releves(str(path), releve_options(bundle))
    covers = species_matrix(rel, bundle.species)
    keep = (covers > 0).any(axis=1)
    if keep.sum() < 2:
        raise BotaclipError(f"The relevés {path} hold fewer than 2 plots with any taxon of "
                            f"the model {bundle.path}; give the relevés it was trained on.")
    return covers[keep], str(path)


def retrieval(bundle: Bundle, releves=None, progress: Progress = SILENT) -> Retrieval:
    """The :class:`Retrieval` for ``bundle`` over ``releves`` (default: the training
    relevés), its temperature fitted as the module docstring says (cached per process)."""
    key = (bundle.sha256, str(releves or ""))
    if key in _CACHE:
        return _CACHE[key]
    covers, source = reference_releves(bundle, releves)
    fit = _CACHE.get((bundle.sha256, "fit")) or validation_fit(bundle, progress)
    if fit is None:
        fit = loss_temperature(bundle)
        progress.warn(f"The orthophoto or relevés the model {bundle.path} was trained on are "
                      "not where it recorded them, so the retrieval temperature could not be "
                      f"fitted on its validation plots; using its training temperature "
                      f"{fit['temperature']:.3f} instead.")
    _CACHE[(bundle.sha256, "fit")] = fit
    present = covers > 0
    out = Retrieval(embeddings=bundle.embed_releves(covers), present=present,
                    richness=present.sum(axis=1).astype(np.float32),
                    temperature=float(fit["temperature"]), species=bundle.species,
                    source=source, fit=fit)
    _CACHE[key] = out
    return out
