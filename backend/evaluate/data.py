"""The evaluation tasks: where the points are and what is predicted at them.

- plant presence, from the relevés read as training reads them (:func:`..check.check_data`
  for the usable plots, :func:`..releves.read_releves` for the covers): every taxon is a
  presence/absence target at the plot locations (present where its cover is above 0). Only
  taxa with at least ``min_presences`` presences *and* as many absences among the plots used
  are scored (:func:`select_taxa`): TSS from a fold with two presences is noise, and a taxon
  present nearly everywhere is as uninformative as a rare one. Default 10, the rule of thumb
  of species distribution modelling (about ten events per predictor class; van Proosdij et al.
  2016 found 13 to 14 occurrences the least for a reliable model of a narrow-ranged species),
  which also leaves two per fold with five folds. With many taxa, ``max_taxa`` keeps the
  ones with the most even split between presences and absences (the most reliable TSS);
- point layers (occurrences, abundance, classes, presence/absence fields), read as
  ``botaclip predict`` reads them (:func:`..maps.targets.read_targets`); presence-only
  targets get background points (:func:`add_background`).

Each task keeps every point with its targets; the pipeline drops the points that some source
cannot embed (outside the orthophoto, too much nodata) and says how many and which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BotaclipError
from ..io.patches import PatchReader
from ..io.raster import raster_info, to_raster_crs
from ..progress import SILENT, Progress
from ..releves import ReleveOptions, read_releves
from ..releves.tables import read_ogr_table, rows_text

DEFAULT_MIN_PRESENCES = 10

# Per task: (metric key of maps.metrics.metrics_for, name in words, higher is better).
# Plant presence is judged by TSS as in the paper (prevalence-independent, unlike kappa);
# occurrences by the continuous Boyce index (presence-only); abundance by MAE (in the
# target's unit) and Spearman's rho (is the order right?); classes by macro-F1 (rare classes
# count as much as common ones).
METRICS = {"presence": (("tss", "TSS", True),),
           "presence-only": (("boyce", "Boyce index", True),),
           "abundance": (("mae", "MAE", False), ("spearman", "Spearman's rho", True)),
           "classes": (("macro_f1", "macro-F1", True),)}
TASK_WORDS = {"presence": "presence/absence", "presence-only": "occurrences",
              "abundance": "abundance", "classes": "classes"}


@dataclass
class TaskTarget:
    """One target of a task: ``values`` over the task's points (0/1, abundance, class codes)
    and ``valid`` (False where it has no value)."""

    name: str
    values: np.ndarray
    valid: np.ndarray
    n_classes: int | None = None


@dataclass
class EvalTask:
    """A task: its points (``x``, ``y`` in the orthophoto's CRS, ``ids`` to name them), its
    targets and how its points were counted. ``unit``: what the targets are ("taxa",
    "fields"); ``points_word``: what the points are ("plots", "points")."""

    key: str
    label: str
    task: str
    path: str
    ids: list
    x: np.ndarray
    y: np.ndarray
    targets: list
    unit: str = "fields"
    points_word: str = "points"
    counts: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)
    n_background: int | None = None
    excluded_ids: list = field(default_factory=list)   # plots left out: a model saw them

    @property
    def metrics(self) -> tuple:
        return METRICS[self.task]


def plant_presence(ortho, releves, options: ReleveOptions | None = None, *, patch_m: float,
                   min_valid: float, sensor=None, wavelengths=None, seen=None,
                   progress: Progress = SILENT) -> EvalTask:
    """The plant-presence task of the relevés ``releves`` on ``ortho``: its usable plots
    (patch of ``patch_m`` metres with at least ``min_valid`` valid pixels) and one target per
    taxon present in one of them. ``seen``: a function (x, y) -> bool per plot, True for the
    plots a model trained on (:func:`.heldout.seen_by_model`); those are left out."""
    from ..check import check_data

    options = options or ReleveOptions()
    report = check_data(ortho, releves, options, sensor=sensor, wavelengths=wavelengths,
                        patch_m=patch_m, min_valid=min_valid, progress=progress)
    rel = read_releves(releves, options)
    if list(rel.plot_ids) != list(report.plot_ids):
        raise BotaclipError(f"The relevés of {releves} changed while being read; try again.")
    usable = np.asarray(report.usable, dtype=bool)
    counts = {"plots": int(len(usable)), "usable": int(usable.sum()),
              "left_out": {s: n for s, n in report.counts.items() if s != "usable" and n}}
    messages = []
    if counts["left_out"]:
        messages.append(f"{len(usable) - int(usable.sum())} of {len(usable)} plots of "
                        f"{releves} cannot be used: " + ", ".join(
                            f"{n} {s}" for s, n in counts["left_out"].items())
                        + " (botaclip check lists them).")
    keep, excluded = np.flatnonzero(usable), []
    if seen is not None:
        was_seen = seen(report.x[keep], report.y[keep])
        counts["seen_by_model"] = int(was_seen.sum())
        excluded = [rel.plot_ids[i] for i in keep[was_seen]]
        keep = keep[~was_seen]
    presence = np.asarray(rel.values[keep] > 0, dtype=np.float64)
    targets = [TaskTarget(t, presence[:, j], np.ones(len(keep), dtype=bool))
               for j, t in enumerate(rel.taxa) if presence[:, j].any()]
    return EvalTask("plant_presence", "plant presence", "presence", str(releves),
                    [rel.plot_ids[i] for i in keep], report.x[keep], report.y[keep], targets,
                    unit="taxa", points_word="plots", counts=counts, messages=messages,
                    excluded_ids=excluded)


def select_taxa(task: EvalTask, rows: np.ndarray, min_presences: int,
                max_taxa: int | None = None, *, note: str = "") -> tuple[list, str]:
    """(the targets of ``task`` with at least ``min_presences`` presences and absences among
    the points ``rows`` (bool), at most ``max_taxa`` of them, most even first; a sentence
    saying how many were kept). An error naming the best taxon found when none qualifies;
    ``note`` ends it (e.g. how many plots the model's training took)."""
    rows = np.asarray(rows, dtype=bool)
    n = int(rows.sum())
    scored = []
    for t in task.targets:
        p = int(np.count_nonzero(t.values[rows] == 1))
        scored.append((min(p, n - p), p, n - p, t))
    ok = [s for s in scored if s[0] >= min_presences]
    if not ok:
        best = max(scored, key=lambda s: s[0], default=None)
        found = (f"the best is {best[3].name!r} with {best[1]} presences and {best[2]} "
                 f"absences" if best else "no taxon is present in any of them")
        raise BotaclipError(
            f"No taxon has at least {min_presences} presences and {min_presences} absences "
            f"among the {n} plots used for plant presence: {found}. Lower --min-presences "
            f"(to at most {best[0] if best else 0}), or add relevés.{note}")
    ok.sort(key=lambda s: (-s[0], s[3].name))
    kept = ok[:max_taxa] if max_taxa else ok
    text = (f"Plant presence: {len(kept)} taxa scored ({len(ok)} of {len(scored)} have at "
            f"least {min_presences} presences and {min_presences} absences among the {n} "
            f"plots" + (f"; the {len(kept)} with the most even split kept, --max-taxa)"
                        if len(kept) < len(ok) else ")") + ".")
    return [s[3] for s in kept], text


def point_task(path, fields, task: str, ortho, layer=None, key: str | None = None
               ) -> EvalTask:
    """The targets ``fields`` of the point layer ``path`` for ``task``, at the points'
    locations in ``ortho``'s CRS (as ``botaclip predict`` reads them)."""
    from ..maps.targets import read_targets

    tg = read_targets(path, fields, task, layer)
    table = read_ogr_table(path, layer, "point layer", want_geometry=True, fields=[])
    if not table.has_geometry or not table.srs_wkt:
        raise BotaclipError(f"The point layer {table.label} has no "
                            f"{'geometry' if not table.has_geometry else 'coordinate system'}"
                            ": give a point layer with located points and a CRS.")
    ids = list(table.fids or range(len(table)))
    if ids != list(tg.ids):
        raise BotaclipError(f"The point layer {path} gave its features in two different "
                            "orders; save it as a GeoPackage and try again.")
    x, y = to_raster_crs(raster_info(ortho), table.x, table.y, table.srs_wkt)
    targets = [TaskTarget(t.name, t.values, t.valid,
                          len(t.classes) if task == "classes" else None) for t in tg.targets]
    stem = Path(str(path).split("|")[0]).stem
    return EvalTask(key or f"{stem}_{task}", f"{stem} ({TASK_WORDS[task]})", task, str(path),
                    ids, x, y, targets, unit="fields", points_word="points",
                    counts={"points": len(ids)}, messages=[n.message for n in tg.notices])


def draw_background(ortho, n: int, seed: int, *, patch_m: float, min_valid: float,
                    progress: Progress = SILENT) -> tuple[np.ndarray, np.ndarray, str]:
    """(x, y, what was done) of ``n`` background points: patch centres drawn uniformly over
    ``ortho``'s extent and kept where the patch has at least ``min_valid`` valid pixels (and
    some), i.e. where an embedding raster would have a value.

    Uniform over the valid area, like drawing the valid pixels of an embedding raster
    (:func:`..maps.background.draw_background`), but by rejection: only candidate patches are
    read, never the whole orthophoto. Seeded, so a seed always gives the same points."""
    info = raster_info(ortho)
    xmin, ymin, xmax, ymax = info.bounds
    rng = np.random.default_rng([int(seed), 7])
    xs, ys, tried = [], [], 0
    with PatchReader(ortho, patch_m, 32) as reader:
        while len(xs) < n and tried < 50 * n + 1000:
            progress.check()
            m = max(64, 2 * (n - len(xs)))
            cx, cy = rng.uniform(xmin, xmax, m), rng.uniform(ymin, ymax, m)
            for x, y in zip(cx, cy):
                tried += 1
                v = reader.valid_fraction(float(x), float(y), px=32)
                if v > 0 and v >= min_valid:
                    xs.append(x)
                    ys.append(y)
                    if len(xs) == n:
                        break
            progress.report(len(xs) / n, "Drawing background points")
    if len(xs) < n:
        raise BotaclipError(
            f"Only {len(xs)} of {tried} places drawn in {ortho} have a patch with at least "
            f"{100 * min_valid:.0f} % valid pixels, fewer than the {n} background points "
            "needed; check the orthophoto's nodata, or lower --min-valid.")
    text = (f"{n} background points drawn uniformly over the valid area of {ortho} "
            f"({tried} places tried, seed {int(seed)}).")
    return np.asarray(xs), np.asarray(ys), text


def add_background(task: EvalTask, ortho, n: int, seed: int, *, patch_m: float,
                   min_valid: float, progress: Progress = SILENT) -> None:
    """Append ``n`` background points to a presence-only ``task``: value 0 and valid for
    every target (the presences are each target's own points)."""
    bx, by, text = draw_background(ortho, n, seed, patch_m=patch_m, min_valid=min_valid,
                                   progress=progress)
    task.x = np.concatenate([task.x, bx])
    task.y = np.concatenate([task.y, by])
    task.ids = list(task.ids) + [f"background {i + 1}" for i in range(n)]
    for t in task.targets:
        t.values = np.concatenate([t.values, np.zeros(n)])
        t.valid = np.concatenate([t.valid, np.ones(n, dtype=bool)])
    task.n_background = int(n)
    task.counts["background"] = int(n)
    task.messages.append(text)


def unusable_text(task: EvalTask, usable: np.ndarray, ortho) -> tuple[dict, str]:
    """({reason: count}, a sentence naming them) for the points of ``task`` that some source
    could not embed."""
    bad = np.flatnonzero(~np.asarray(usable, dtype=bool))
    if not len(bad):
        return {}, ""
    xmin, ymin, xmax, ymax = raster_info(ortho).bounds
    x, y = task.x[bad], task.y[bad]
    located = np.isfinite(x) & np.isfinite(y)
    inside = located & (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    why = {"no_location": int((~located).sum()), "outside_raster": int((located & ~inside).sum()),
           "too_much_nodata": int(inside.sum())}
    why = {k: v for k, v in why.items() if v}
    text = (f"{len(bad)} of {len(usable)} {task.points_word} of {task.label} have no embedding "
            f"in every source and are left out ({', '.join(f'{v} {k}' for k, v in why.items())}"
            f"; ids {rows_text([task.ids[i] for i in bad])}).")
    return why, text
