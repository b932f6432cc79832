"""A prediction map straight from an orthophoto and a model bundle (``botaclip predict --ortho
RASTER --model MODEL_DIR``): the engine embeds the orthophoto on the way, and the features at
the points are computed exactly.

Two things differ from predicting an embedding raster made beforehand:

- the map still needs an embedding raster, predicted block by block; it is written beside
  the map as ``PRED.embeddings.tif`` (:func:`embeddings_beside`) and kept, because it is the
  costly part (hours for a large orthophoto on a CPU) and ``botaclip apply`` and later runs
  can use it. A later run with the same orthophoto, model and stride reuses it when it is
  newer than both (:func:`reusable`); otherwise it is embedded again (resumable, as
  ``botaclip embed`` is).
- the features at a point are those of the patch centred exactly on the point
  (:func:`..embed.at_points.embed_at_points`), not those of the raster pixel whose patch
  centre is nearest, which is up to half a stride (25 m at the default 50 m stride) away.
  Points keep the raster's statuses (outside the raster, no location); a point whose own
  patch holds too few valid pixels is counted as ``nodata``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .points import NODATA, PointFeatures


def embeddings_beside(out) -> Path:
    """Where the embedding raster of ``--ortho/--model`` goes: ``PRED.embeddings.tif``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.embeddings.tif")


def reusable(path: Path, ortho, model, stride_m) -> bool:
    """Whether ``path`` is an embedding raster of this orthophoto and model bundle (by its
    tags: input path, bundle sha256, stride), newer than both, so that embedding again
    would give the same file."""
    from ..bundle import bundle_sha256
    from ..embed.cog import read_embedding_tags

    path, ortho, model = Path(path), Path(str(ortho)), Path(str(model))
    if not (path.is_file() and ortho.exists() and model.is_dir()):
        return False
    try:
        tags = read_embedding_tags(path)
        sha = bundle_sha256(model)
    except (OSError, RuntimeError, ValueError):
        return False
    settings = tags.get("BOTACLIP_SETTINGS") if isinstance(tags.get("BOTACLIP_SETTINGS"),
                                                            dict) else {}
    newer = path.stat().st_mtime > max(ortho.stat().st_mtime, model.stat().st_mtime,
                                       *(f.stat().st_mtime for f in model.iterdir()))
    return (tags.get("BOTACLIP_KIND") == "embedding"
            and str(tags.get("BOTACLIP_INPUT")) == str(ortho.resolve())
            and str(tags.get("BOTACLIP_MODEL_SHA256")) == sha
            and (stride_m is None or float(settings.get("stride_m", -1)) == float(stride_m))
            and newer)


def embed_for_map(ortho, model, out, *, stride_m=None, overwrite: bool = False,
                  progress: Progress = SILENT) -> tuple[Path, str]:
    """(embedding raster, what was done) for the map ``out``: reused or embedded (see the
    module docstring)."""
    from ..embed.engine import embed_raster

    path = embeddings_beside(out)
    if reusable(path, ortho, model, stride_m):
        progress.report(1.0, f"Embeddings reused: {path}")
        return path, f"The embedding raster {path} of an earlier run was reused."
    res = embed_raster(ortho, path, model=model, stride_m=stride_m, overwrite=overwrite,
                       progress=progress)
    return path, (f"The orthophoto was embedded into {path} ({res.n_patches} patches, "
                  f"{res.seconds:.0f} s); it is kept for 'botaclip apply' and later runs.")


def exact_features(pf: PointFeatures, ortho, model, progress: Progress = SILENT
                   ) -> PointFeatures:
    """``pf`` with the features of its usable points replaced by the embedding of the patch
    of ``ortho`` centred on each point (the raster's CRS is the orthophoto's, as the engine
    writes it); their distance becomes 0, and a point whose patch is not valid is nodata."""
    from ..embed.at_points import embed_at_points

    rows = np.flatnonzero(pf.usable)
    if not len(rows):
        return pf
    feats, valid = embed_at_points(ortho, pf.x[rows], pf.y[rows], model_dir=model,
                                   progress=progress)
    if feats.shape[1] != pf.features.shape[1]:
        raise BotaclipError(f"The model {model} gives {feats.shape[1]} dimensions at the "
                            f"points but its embedding raster has {pf.features.shape[1]}; "
                            "delete the raster beside the map and run again.")
    pf.features[rows] = feats
    pf.distance[rows] = np.where(valid, 0.0, np.nan)
    status = pf.status.astype(object)
    status[rows[~valid]] = NODATA
    pf.status = status.astype(str)
    lost = int(np.count_nonzero(~valid))
    pf.messages.append(
        f"Features at the points: the patch centred on each point, computed exactly from "
        f"the orthophoto ({len(rows) - lost} points)"
        + (f"; {lost} points whose own patch has too few valid pixels are left out as nodata."
           if lost else "."))
    return pf
