"""The whole job on the synthetic demo landscape, one short function per step: data -> check ->
train -> embed -> predict -> evaluate -> similarity -> suitability -> habitats -> the spec of
a QGIS project (``demo-project.json``) that ``plugin/project_writer.py`` turns into
``demo.qgz``.

Each step is one call of the stage's own backend function with a slice of the progress, so
the demo runs exactly what a user runs; it adds nothing but the choice of inputs and of
settings that keep the whole chain short (said in :class:`DemoSettings`). Every output is
written whole by its stage (temporary name, moved in place), and the project spec is written
last, so a step that fails leaves the earlier steps' files complete and no project naming
files that are not there.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BotaclipError
from ..io.atomic import atomic_output
from ..progress import SILENT, Progress

SPEC_KIND = "botaclip-demo-project"
GROUPS = ("Inputs", "Embeddings", "Predictions", "Zero-shot", "Habitats")
# What the demo maps: a butterfly (presence/absence transects), the soil's most abundant
# trophic group (counts), one plant's cover, two contrasting trees for suitability (a
# montane broadleaf and the subalpine conifer: their maps should differ visibly).
BUTTERFLY = "Parnassius apollo"
SOIL_GROUP = "bacterivores"
PLANT = "Fagus sylvatica"
SUITABILITY_TAXA = ("Fagus sylvatica", "Picea abies")
QUERY_HABITAT = "wetland"          # the relevé the similarity map starts from


@dataclass
class DemoSettings:
    """Scene and run sizes. The full demo: the 2 km scene at 0.5 m pixels, the training's
    default epochs, the embedding's default stride (half a patch). ``quick``: the same 2 km
    at 2 m pixels (16 times fewer pixels; the tests' scene), 20 epochs (enough for the
    spectral heads to beat chance clearly on this landscape) and a 25 m stride (80 x 80
    pixels: still legible as a map). Evaluate and predict always use settings that keep
    them under a minute: 3 folds (predict), 3 folds x 3 repeats (evaluate: 9 paired folds,
    so that the 6 differing folds a Wilcoxon test needs to reach p < 0.05 survive the ties
    of per-fold TSS on few plots), at most 10 plant taxa, a
    logistic regression (the full protocol -- 5 x 5 folds, random forests -- takes minutes
    on the demo and is what ``botaclip evaluate`` runs by default)."""

    out: Path
    quick: bool = False
    size_m: float = 2000.0
    seed: int = 0
    backbone: str | None = None
    weights: str | None = None
    weights_dir: str | None = None
    epochs: int | None = None
    device: str = "auto"
    overwrite: bool = False
    cache_dir: object = None

    @property
    def pixel_m(self) -> float:
        return 2.0 if self.quick else 0.5

    @property
    def run_epochs(self) -> int | None:
        return self.epochs if self.epochs is not None else (20 if self.quick else None)

    @property
    def stride_m(self) -> float | None:
        return 25.0 if self.quick else None


@dataclass
class DemoRun:
    """What the chain made so far: the step results by name, the headline per step (one
    line each, printed at the end) and the project layers (dicts of the spec)."""

    settings: DemoSettings
    results: dict = field(default_factory=dict)
    headlines: list = field(default_factory=list)
    layers: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return Path(self.settings.out) / name

    def layer(self, path, name: str, group: str, **kw) -> None:
        self.layers.append({"path": str(Path(path).resolve()), "name": name,
                            "group": group, **kw})


def demo_backbone(s: DemoSettings, progress: Progress) -> tuple[str, str | None]:
    """dofa-base when its weights are in the weights folder (or given), else the spectral
    baseline: DOFA with random weights would run the same pipeline but give meaningless
    embeddings, while the baseline's are real (if weaker) and need no download. ``quick``
    always takes the baseline (DOFA on a CPU would take most of the three minutes)."""
    if s.backbone:
        return s.backbone, s.weights
    if s.quick:
        return "spectral", None
    from ..models.weights import find_dofa_weights

    try:
        return "dofa-base", str(find_dofa_weights("dofa-base", s.weights_dir))
    except BotaclipError:
        progress.warn("No DOFA-base weights in the weights folder: the demo trains on the "
                      "'spectral' baseline backbone instead (no weights needed). Put "
                      "DOFA_ViT_base_e100.pth in ~/.botaclip/weights (or pass --weights-dir) "
                      "to run it on DOFA, or pass --backbone dofa-base --weights none to run "
                      "DOFA with random weights.")
        return "spectral", None


# ------------------------------------------------------------------------------- steps

def step_data(run: DemoRun, progress: Progress) -> str:
    from . import generate_demo_data

    s = run.settings
    res = generate_demo_data(run.path("data"), size_m=s.size_m, seed=s.seed,
                             pixel_m=s.pixel_m, overwrite=s.overwrite, progress=progress)
    run.results["data"] = res
    run.layer(res.orthophoto, "Orthophoto (synthetic)", "Inputs", style="orthophoto")
    run.layer(res.releves, "Relevés", "Inputs", style="releves", kind="vector")
    run.layer(res.butterflies, "Butterfly transects", "Inputs", style="butterflies",
              kind="vector", visible=False)
    run.layer(res.soil, "Soil samples", "Inputs", style="soil", kind="vector", visible=False)
    return (f"{s.size_m:g} m scene at {s.pixel_m:g} m pixels, {res.n_releves} relevés, "
            f"{len(res.taxa)} taxa")


def step_check(run: DemoRun, progress: Progress) -> str:
    from ..check import check_data

    s, data = run.settings, run.results["data"]
    report = check_data(data.orthophoto, data.releves, contact_sheet=run.path(
        "check_contact.png"), plots_out=run.path("check_plots.gpkg"),
        json_out=run.path("check.json"), overwrite=s.overwrite, progress=progress)
    if not report.plots_usable:
        raise BotaclipError(f"No demo plot is usable ({run.path('check.json')}): "
                            f"{report.summary()}")
    run.layer(run.path("check_plots.gpkg"), "Plot check", "Inputs", style="plot_status",
              kind="vector", visible=False)
    return f"{report.plots_usable} of {report.plots_total} plots usable"


def step_train(run: DemoRun, progress: Progress) -> str:
    from ..train import train_model

    s, data = run.settings, run.results["data"]
    backbone, weights = demo_backbone(s, progress)
    summary = train_model(data.orthophoto, data.releves, run.path("model"), backbone=backbone,
                          weights=weights, weights_dir=s.weights_dir, seed=s.seed,
                          epochs=s.run_epochs, device=s.device, cache_dir=s.cache_dir,
                          overwrite=s.overwrite, progress=progress)
    run.results["train"] = summary
    try:
        return (f"backbone {backbone}; test recall@10 {summary.recall('test'):.0%} "
                f"(chance {summary.recall('test_chance'):.0%})")
    except (KeyError, TypeError):
        return f"backbone {backbone}; figures in model/report/report.html"


def step_embed(run: DemoRun, progress: Progress) -> str:
    from ..embed import embed_raster

    s, data = run.settings, run.results["data"]
    emb = embed_raster(data.orthophoto, run.path("embedding.tif"), model=run.path("model"),
                       preview=run.path("embedding_preview.tif"), stride_m=s.stride_m,
                       device=s.device, cache_dir=s.cache_dir, overwrite=s.overwrite,
                       progress=progress)
    run.layer(emb.preview, "Embedding (RGB preview)", "Embeddings",
              style="embedding_preview")
    run.layer(emb.out, "Embedding raster (click here to find similar places)", "Embeddings",
              visible=False)
    return f"{emb.shape[0]} bands, {emb.shape[2]} x {emb.shape[1]} px"


def _figure(metrics: dict) -> str:
    """The headline of a map's cross-validated metrics: AUC of a presence map, Spearman's
    rho of an abundance map (a rank figure: covers and counts are skewed)."""
    for key, label in (("auc", "AUC"), ("spearman", "Spearman rho"), ("kappa", "kappa")):
        if isinstance(metrics.get(key), (int, float)):
            return f"{label} {metrics[key]:.2f}"
    return "no cross-validated figure (see its metrics.json)"


def _predict_one(run: DemoRun, name: str, points, target: str, task: str,
                 progress: Progress) -> str:
    from ..maps import predict_map

    s = run.settings
    folder = run.path("predictions")
    folder.mkdir(parents=True, exist_ok=True)
    res = predict_map(run.path("embedding.tif"), points, [target], folder / f"{name}.tif",
                      task=task, estimator="rf", folds=3, seed=s.seed,
                      report_dir=folder / f"{name}_report", overwrite=s.overwrite,
                      progress=progress)
    run.layer(res.out, f"{target} ({task})", "Predictions", kind="prediction")
    return f"{target}: {_figure(res.metrics.get(target) or {})}"


def step_predict(run: DemoRun, progress: Progress) -> str:
    """Three maps from the embedding, each a point layer the model never saw: a butterfly's
    presence, the soil's bacterivore counts, one plant's cover (from the relevés, as the
    abundance of its cover percentage)."""
    data = run.results["data"]
    said = [_predict_one(run, "butterfly", data.butterflies, BUTTERFLY, "presence",
                         progress.sub(0.0, 0.34)),
            _predict_one(run, "soil", data.soil, SOIL_GROUP, "abundance",
                         progress.sub(0.34, 0.67)),
            _predict_one(run, "plant", data.releves, PLANT, "abundance",
                         progress.sub(0.67, 1.0))]
    return "; ".join(said)


def step_evaluate(run: DemoRun, progress: Progress) -> str:
    from ..evaluate import PointLayer, evaluate_sources

    s, data = run.settings, run.results["data"]
    res = evaluate_sources(data.orthophoto, data.releves, out_dir=run.path("evaluation"),
                           points=[PointLayer(str(data.butterflies), BUTTERFLY, "presence")],
                           model=run.path("model"), weights_dir=s.weights_dir, repeats=3,
                           folds=3, estimator="logistic", max_taxa=10, seed=s.seed,
                           device=s.device, cache_dir=s.cache_dir, overwrite=s.overwrite,
                           progress=progress)
    first = res.sentences[0] if res.sentences else "no comparison could be scored"
    return f"{first} (report: {res.html_path})"


def _query_plot(releves) -> str:
    """The first plot of :data:`QUERY_HABITAT` in the relevé layer (its ``habitat`` field)."""
    from osgeo import ogr

    ds = ogr.Open(str(releves))
    for feat in ds.GetLayer(0):
        if feat.GetField("habitat") == QUERY_HABITAT:
            return str(feat.GetField("plot_id"))
    raise BotaclipError(f"The demo relevés {releves} hold no {QUERY_HABITAT} plot; "
                        "regenerate the demo data.")


def _range(path, band: int = 1) -> list:
    """[2nd, 98th] percentile of a band: the stretch that keeps a legend legible when the
    values fill a narrow part of -1..1 (cosines between nearby embeddings)."""
    import numpy as np
    from osgeo import gdal

    ds = gdal.Open(str(path))
    a = ds.GetRasterBand(band).ReadAsArray().astype("float64")
    a = a[np.isfinite(a)]
    if a.size == 0:
        return [-1.0, 1.0]
    lo, hi = np.percentile(a, [2, 98])
    return [float(lo), float(hi if hi > lo else lo + 1e-3)]


def step_similarity(run: DemoRun, progress: Progress) -> str:
    from ..zeroshot.community import query_from_releves
    from ..zeroshot.similarity import similarity_map

    s, data = run.settings, run.results["data"]
    plot = _query_plot(data.releves)
    query = query_from_releves(run.path("model"), run.path("embedding.tif"), data.releves,
                               [plot])
    out = run.path("zeroshot") / "similarity.tif"
    out.parent.mkdir(parents=True, exist_ok=True)
    res = similarity_map(run.path("embedding.tif"), out, query, names=[f"releve_{plot}"],
                         threshold=0.5, overwrite=s.overwrite,
                         tags={"query": f"relevé {plot} of {data.releves.name}"},
                         progress=progress)
    run.layer(out, f"Similarity to {QUERY_HABITAT} relevé {plot}", "Zero-shot",
              style="similarity", range=_range(out))
    km2 = next(iter((res.area_above_km2 or {}).values()), None)
    area = f", {km2:.2f} km² at cosine >= 0.5" if km2 is not None else ""
    return f"relevé {plot} ({QUERY_HABITAT}){area}"


def step_suitability(run: DemoRun, progress: Progress) -> str:
    from ..zeroshot.suitability import suitability_map

    s = run.settings
    out = run.path("zeroshot") / "suitability.tif"
    out.parent.mkdir(parents=True, exist_ok=True)
    res = suitability_map(run.path("model"), run.path("embedding.tif"), out,
                          taxa=list(SUITABILITY_TAXA), overwrite=s.overwrite,
                          progress=progress)
    for band, taxon in enumerate(res.taxa, start=1):
        run.layer(out, f"Suitability: {taxon}", "Zero-shot", style="similarity", band=band,
                  range=_range(out, band), visible=False)
    return f"{len(res.taxa)} taxa: {', '.join(res.taxa)}"


def step_habitats(run: DemoRun, progress: Progress) -> str:
    from ..habitats import cluster_map

    s, data = run.settings, run.results["data"]
    res = cluster_map(run.path("embedding.tif"), run.path("habitats.tif"), k="auto",
                      k_range=(3, 10), seed=s.seed, summary_dir=run.path("habitats"),
                      ortho=data.orthophoto, model=run.path("model"), overwrite=s.overwrite,
                      progress=progress)
    run.layer(res.out, f"Habitat clusters (k = {res.k})", "Habitats", kind="classes")
    return f"k = {res.k} by the Davies-Bouldin index over 3-10 (summary: habitats/)"


# Steps in order with their share of the progress bar (rough shares of the run time).
STEPS = (("data", "Generating the synthetic demo landscape", step_data, 0.05),
         ("check", "Checking the orthophoto against the relevés", step_check, 0.05),
         ("train", "Training a model", step_train, 0.3),
         ("embed", "Embedding the orthophoto", step_embed, 0.25),
         ("predict", "Predicting maps from point layers", step_predict, 0.1),
         ("evaluate", "Evaluating the embeddings against the baselines", step_evaluate, 0.15),
         ("similarity", "Similarity to a relevé", step_similarity, 0.03),
         ("suitability", "Species suitability", step_suitability, 0.03),
         ("habitats", "Habitat clusters", step_habitats, 0.04))


def run_chain(settings: DemoSettings, progress: Progress = SILENT) -> DemoRun:
    """Run every step (:data:`STEPS`), then write the project spec
    (:func:`write_project_spec`). A failing step raises; the steps before it keep their
    complete outputs and no spec is written."""
    run = DemoRun(settings)
    Path(settings.out).mkdir(parents=True, exist_ok=True)
    total, done = sum(w for *_x, w in STEPS), 0.0
    for n, (name, title, fn, weight) in enumerate(STEPS, start=1):
        progress.check()
        progress.info(f"{n}/{len(STEPS)} {title}")
        t0 = time.perf_counter()
        said = fn(run, progress.sub(done / total, (done + weight) / total))
        run.seconds[name] = time.perf_counter() - t0
        run.headlines.append(f"{name:<12} {run.seconds[name]:6.1f} s  {said}")
        done += weight
    write_project_spec(run)
    return run


def is_spec_file(path) -> bool:
    try:
        return json.loads(Path(path).read_text()).get("kind") == SPEC_KIND
    except (OSError, ValueError, AttributeError):
        return False


def write_project_spec(run: DemoRun) -> Path:
    """``OUT/demo-project.json``: what the project writer needs, with no QGIS in the
    backend: the groups in order, the orthophoto (CRS and extent), the layers."""
    path = run.path("demo-project.json")
    spec = {"kind": SPEC_KIND, "title": "BotaCLIP demo (synthetic landscape)",
            "groups": list(GROUPS), "extent_from": str(run.results["data"].orthophoto),
            "layers": run.layers}
    with atomic_output(path, owned=is_spec_file, overwrite=run.settings.overwrite,
                       what="demo project spec") as tmp:
        tmp.write_text(json.dumps(spec, indent=2, ensure_ascii=False))
    return path
