"""``cluster_map``: habitat clusters of an embedding raster, the stage behind ``botaclip
habitats``.

Steps, each in its module: every output checked before any work (never an input, never a
file of the user's without ``overwrite``) and locked for the run; a uniform sample of the
valid pixels (:mod:`.kmeans`); with ``k="auto"`` the Davies-Bouldin curve over ``k_range``
and its minimum (:mod:`.choose_k`); k-means fitted on the sample; the map labelled block by
block into a categorical COG (:mod:`.raster`); the optional summary folder (:mod:`.summary`).
A cancel or an error leaves no output behind.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from ..embed.cog import read_embedding_tags
from ..errors import BotaclipError
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, is_our_raster, recorded_name
from ..io.raster import raster_info
from ..maps.predict_raster import PROVENANCE_TAGS, dask_connection
from ..progress import SILENT, Progress
from . import summary as S
from .choose_k import DEFAULT_RANGE, best_k, check_k, db_curve, parse_k_range
from .kmeans import fit_kmeans, sample_pixels
from .raster import class_names, write_cluster_raster

DEFAULT_SAMPLE = 20000


@dataclass
class ClusterResult:
    """What :func:`cluster_map` wrote: the map ``out``, the ``k`` used, the Davies-Bouldin
    index per k tried (``db_curve``; with a fixed k, that k's alone), the pixels of each
    cluster (``sizes``, habitat 1 first), the summary's clusters.json (or None) and the
    ``messages`` said along the way."""

    out: Path
    k: int
    db_curve: dict
    sizes: list
    summary: Path | None = None
    messages: list = field(default_factory=list)
    n_valid: int = 0
    sample: int = 0
    max_pixels_held: int = 0


def _settings(k, k_range, sample) -> tuple:
    """(k or "auto", (lo, hi)) checked."""
    if isinstance(k, str):
        if k.strip().lower() != "auto":
            try:
                k = int(k)
            except ValueError:
                raise BotaclipError(f"The number of clusters {k!r} is neither a whole number "
                                    "nor 'auto'; give e.g. --k 8 or --k auto.") from None
        else:
            k = "auto"
    if k != "auto":
        k = check_k(k)
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or sample < 100:
        raise BotaclipError(f"The sample must be a whole number of at least 100 pixels, not "
                            f"{sample!r}; 20000 is the default.")
    return k, parse_k_range(k_range)


def _check_inputs(embeddings, out, summary_dir, ortho, model, overwrite) -> tuple:
    """The embedding's tags and bundle (None without ``model``), after the outputs' checks."""
    info = raster_info(embeddings)
    check_output(out, what="habitat map", owned=is_our_raster, overwrite=overwrite,
                 inputs=input_files(embeddings, ortho, model))
    if summary_dir is not None:
        check_output(summary_dir, what="habitat summary folder", directory=True,
                     owned=S.is_summary_folder, overwrite=overwrite,
                     inputs=input_files(embeddings, ortho, model))
        if Path(summary_dir).resolve() == Path(out).resolve():
            raise BotaclipError(f"The summary folder and the map are the same path {out}; "
                                "give the summary a folder of its own.")
    if ortho is not None:
        raster_info(ortho)                   # a missing or unreadable orthophoto: now
    tags = read_embedding_tags(embeddings)
    bundle = S.check_model(model, tags, embeddings, info.count) if model else None
    return info, tags, bundle


def _choose(x, k, k_range, seed, progress) -> tuple[int, dict]:
    """(k, Davies-Bouldin curve)."""
    from sklearn.metrics import davies_bouldin_score

    if k == "auto":
        curve = db_curve(x, k_range, seed, progress)
        k = best_k(curve)
        return k, curve
    if k > len(x):
        raise BotaclipError(f"{k} clusters were asked for but the embedding raster has only "
                            f"{len(x)} valid pixels; ask for at most {len(x)} (--k).")
    labels = fit_kmeans(x, k, seed).labels_
    return k, ({k: float(davies_bouldin_score(x, labels))}
               if len(np.unique(labels)) > 1 else {})


def _tags(embeddings, emb_tags, k, curve, sample, seed, n_valid) -> dict:
    return {
        "BOTACLIP_KIND": "habitats",
        "BOTACLIP_VERSION": __version__,
        "BOTACLIP_K": str(k),
        "BOTACLIP_DB_CURVE": {str(kk): round(v, 5) for kk, v in curve.items()},
        "BOTACLIP_CLASS_NAMES": {str(i + 1): n for i, n in enumerate(class_names(k))},
        "BOTACLIP_SAMPLE": {"pixels": sample, "valid_pixels": n_valid, "seed": seed},
        "BOTACLIP_EMBEDDINGS": recorded_name(embeddings),
        "BOTACLIP_EMBEDDINGS_PROVENANCE": {t: emb_tags[t] for t in PROVENANCE_TAGS
                                           if t in emb_tags},
        "BOTACLIP_CREATED": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def cluster_map(embeddings, out, *, k=8, k_range=DEFAULT_RANGE, sample: int = DEFAULT_SAMPLE,
                seed: int = 0, summary_dir=None, ortho=None, model=None,
                overwrite: bool = False, progress: Progress = SILENT, block_px: int = 256,
                scheduler=None, tile_pixels: int | None = None) -> ClusterResult:
    """Cluster the embedding raster ``embeddings`` into ``k`` habitats (or ``k="auto"``: the
    Davies-Bouldin minimum over ``k_range``, both ends included) and write the categorical
    COG ``out``. ``sample``: pixels drawn uniformly to fit on (default 20 000: see
    :mod:`.kmeans`); ``seed``: the same seed gives the same map. ``summary_dir``: a folder
    for clusters.json, clusters.html and, with ``ortho``, a thumbnail per cluster; ``model``
    (a bundle the raster was made with) adds the typical taxa. ``block_px``: the map is
    labelled a block of that many pixels a side at a time; ``scheduler`` (``local[:N]``,
    ``tcp://HOST:PORT``, a scheduler file or a Dask client): tile by tile on that Dask
    cluster (``tile_pixels`` pixels a tile, about), connected before the fit, the same
    map."""
    k, k_range = _settings(k, k_range, sample)
    out = Path(out)
    info, emb_tags, bundle = _check_inputs(embeddings, out, summary_dir, ortho, model,
                                           overwrite)
    messages = []
    with hold_outputs(out, summary_dir, what="habitat map", progress=progress), \
            dask_connection(scheduler, progress) as sched:
        smp = sample_pixels(embeddings, int(sample), seed, progress.sub(0.0, 0.15))
        if len(smp.x) < 2:
            raise BotaclipError(f"The embedding raster {embeddings} has {smp.n_valid} valid "
                                "pixels: too few to cluster. Check its nodata.")
        k, curve = _choose(smp.x, k, k_range, seed, progress.sub(0.15, 0.4))
        if len(curve) > 1:
            messages.append(f"k = {k} chosen by the lowest Davies-Bouldin index over "
                            f"{min(curve)}-{max(curve)}: " + ", ".join(
                                f"{kk}: {v:.3f}" for kk, v in curve.items()))
            progress.info(messages[-1])
        km = fit_kmeans(smp.x, k, seed)
        stats = write_cluster_raster(
            embeddings, out, km, _tags(embeddings, emb_tags, k, curve, len(smp.x), seed,
                                       smp.n_valid),
            block_px=block_px, overwrite=overwrite, progress=progress.sub(0.4, 0.9),
            scheduler=sched, tile_pixels=tile_pixels)
        doc_path = None
        if summary_dir is not None:
            doc_path = _summary(summary_dir, embeddings, info, km, smp, curve, stats,
                                ortho, bundle, overwrite, emb_tags)
    sizes = [int(n) for n in stats["counts"]]
    messages.append(f"{k} habitat clusters over {sum(sizes)} pixels; sizes: "
                    + ", ".join(map(str, sizes)))
    progress.report(1.0, "Habitat map written")
    return ClusterResult(out=out, k=k, db_curve=curve, sizes=sizes, summary=doc_path,
                         messages=messages, n_valid=smp.n_valid, sample=len(smp.x),
                         max_pixels_held=stats["max_pixels"])


def _summary(folder, embeddings, info, km, smp, curve, stats, ortho, bundle, overwrite,
             emb_tags) -> Path:
    """The summary folder (see :mod:`.summary`)."""
    k = len(km.cluster_centers_)
    gt = info.geotransform
    px_km2 = abs(gt[1] * gt[5]) * info.linear_unit_m ** 2 / 1e6
    taxa = S.typical_taxa(bundle, km.cluster_centers_) if bundle is not None else None
    doc = {"kind": S.KIND, "k": k, "embeddings": recorded_name(embeddings),
           "db_curve": {str(kk): v for kk, v in curve.items()}, "pixel_km2": px_km2,
           "clusters": S.cluster_records(k, stats["counts"], px_km2, taxa)}
    if info.is_geographic:
        doc["note"] = "the raster's CRS is geographic: areas are in square degrees / 1e6"
    thumbs = {}
    if ortho is not None:
        doc["orthophoto"] = recorded_name(ortho)
        side = (emb_tags.get("BOTACLIP_SETTINGS") or {}).get("patch_m") or abs(gt[1])
        for i, j in enumerate(S.representatives(smp, km.labels_, km.cluster_centers_)):
            if j is None:
                continue
            x = gt[0] + (smp.cols[j] + 0.5) * gt[1]
            y = gt[3] + (smp.rows[j] + 0.5) * gt[5]
            thumbs[i + 1] = (lambda p, x=x, y=y: S.write_thumbnail(
                ortho, x, y, info.srs_wkt, float(side), p))
    return S.write_summary(folder, doc, thumbs, overwrite=overwrite)
