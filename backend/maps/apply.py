"""``botaclip apply``: a saved predictor mapped onto another embedding raster.

The map is made by the same function as ``botaclip predict``'s
(:func:`.predict_raster.predict_raster`) with the saved final model, fold models, area of
applicability, classes and target names, so that on the raster it was fitted on it gives the
very map ``predict`` wrote: the same bands, band names and tags, plus ``BOTACLIP_PREDICTOR``
(the predictor file that made it). Before any work: the output is checked (never an input,
never a file of the user's without ``overwrite``), the predictor is read (a file that is not
ours, or could run code, is refused) and compared with the raster
(:func:`.predictor.check_compatible`: another model is refused, a raster without provenance
is mapped with a warning).
"""

from __future__ import annotations

from pathlib import Path

from ..io.outputs import check_output, input_files, is_our_raster, recorded_name
from ..progress import SILENT, Progress
from .predict_raster import PredictResult, predict_raster
from .predictor import check_compatible, load_predictor, map_tags


def apply_predictor(predictor_path, embeddings, out, *, overwrite: bool = False,
                    progress: Progress = SILENT, scheduler=None,
                    tile_pixels: int | None = None) -> PredictResult:
    """Map the embedding raster ``embeddings`` with the predictor saved at
    ``predictor_path`` into the COG ``out`` (see the module docstring); warnings (another
    scikit-learn version, a raster without provenance) go to ``progress.warn``.
    ``scheduler``: tile by tile on that Dask cluster, the same map (see
    :func:`.predict_raster.predict_raster`)."""
    out = Path(out)
    check_output(out, what="prediction map", owned=is_our_raster, overwrite=overwrite,
                 inputs=input_files(embeddings, predictor_path))
    progress.report(0.0, "Reading the predictor")
    predictor = load_predictor(predictor_path)
    for message in predictor.warnings + check_compatible(predictor, embeddings):
        progress.warn(message)
    progress.check()
    tags = {**map_tags(predictor), "predictor": recorded_name(predictor_path)}
    return predict_raster(embeddings, out, models=predictor.fold_models,
                          final_model=predictor.final_model, task=predictor.task,
                          classes=predictor.classes, target_names=predictor.target_names,
                          aoa=predictor.aoa, tags=tags, progress=progress.sub(0.05, 1.0),
                          overwrite=overwrite, scheduler=scheduler, tile_pixels=tile_pixels)
