"""Which relevé plots a model bundle trained on, so that plant presence is scored only on plots
the model did not learn from.

BotaCLIP's adapter is trained to pull each training plot's image towards its relevé: scoring
plant presence at those plots would measure memory, not generalisation, and would favour
BotaCLIP over the baseline and the frozen backbone, which never saw them. So, when a model is
evaluated, plots are left out of the plant-presence task (for every source, so that the
comparison stays paired) when they are:

- within the patch side (or the training buffer, if larger) of one of its *training* plots,
  along both axes: their patch shares pixels with a patch the adapter was fitted on (the rule
  training itself applies between its training and held-out plots); this covers the training
  plots themselves and the buffer plots training set aside next to its held-out blocks;
- one of its *validation* plots (same place to 1 mm): they chose the epoch kept.

Its test plots and plots it never saw remain. Occurrence, abundance and class layers are
other data and are used whole.

The bundle records its split as indices into its usable plots (``report/report.json``:
``train_idx``, ``val_idx``, ``test_idx``, ``buffer_idx``) and how it read them
(``config.json``: the relevé file and reading options, the orthophoto, ``patch_m``,
``min_valid``, the split settings). :func:`training_plots` reads the relevés again the way
training did (:func:`..check.check_data`: the same usable plots in the same order) and
accepts the result only when it is exactly the recorded one: the same number of usable
plots, and the split settings, applied again by :func:`..train.splits.spatial_roles`, give
the same roles to every plot. Anything else (a bundle without its report, a relevé file
changed since, another orthophoto) leaves the training plots unknown, which the report
states as a loud warning rather than a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from ..errors import BotaclipError, Cancelled
from ..io.raster import raster_info, to_raster_crs
from ..progress import SILENT, Progress
from ..releves import ReleveOptions
from ..train.splits import BUFFER, TEST, TRAIN, VALIDATION, spatial_roles

_ROLE_KEYS = (("train_idx", TRAIN), ("val_idx", VALIDATION), ("test_idx", TEST),
              ("buffer_idx", BUFFER))


@dataclass
class TrainingPlots:
    """What a bundle trained on: plot locations (the evaluation orthophoto's CRS) per role,
    the distance within which a plot counts as seen (``overlap_m``, metres), and ``found``
    with ``how`` (or why not) in words."""

    found: bool
    how: str
    overlap_m: float = 0.0
    train_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    val_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    counts: dict = field(default_factory=dict)          # plots per role

    def to_dict(self) -> dict:
        return {"found": self.found, "how": self.how, "overlap_m": self.overlap_m,
                "roles": self.counts}


class _Quiet(Progress):
    """``progress``'s bar and cancel without its messages: reading the relevés a second
    time would repeat every notice the user has already been given."""

    def __init__(self, parent: Progress):
        self.parent = parent

    def warn(self, message):
        pass

    def is_cancelled(self):
        return self.parent.is_cancelled()

    def _emit(self, fraction, message):
        self.parent.report(fraction, message)


def _read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def recorded_split(model_dir) -> tuple[dict, np.ndarray | None, str]:
    """(config.json, the recorded role of each usable plot or None, why None)."""
    model_dir = Path(model_dir)
    cfg = _read_json(model_dir / "config.json") or {}
    report = _read_json(model_dir / "report" / "report.json")
    split = (report or {}).get("split")
    if not isinstance(split, dict) or "train_idx" not in split:
        return cfg, None, (f"{model_dir / 'report' / 'report.json'} is missing or records no "
                           "split (train_idx, val_idx, test_idx)")
    idx = {k: np.asarray(split.get(k) or [], dtype=np.int64) for k, _ in _ROLE_KEYS}
    n = int(sum(len(v) for v in idx.values()))
    roles = np.full(n, 99, dtype=np.int8)
    for k, role in _ROLE_KEYS:
        if len(idx[k]) and (idx[k].min() < 0 or idx[k].max() >= n):
            return cfg, None, f"the split recorded in {model_dir} is inconsistent"
        roles[idx[k]] = role
    if (roles == 99).any():
        return cfg, None, f"the split recorded in {model_dir} does not cover every plot"
    return cfg, roles, ""


def _options(cfg: dict, fallback: ReleveOptions | None) -> ReleveOptions:
    """The relevé reading options the bundle recorded (unknown keys ignored)."""
    rec = (cfg.get("inputs") or {}).get("options")
    if not isinstance(rec, dict):
        return fallback or ReleveOptions()
    names = {f.name for f in fields(ReleveOptions)}
    return ReleveOptions(**{k: v for k, v in rec.items() if k in names})


def _candidates(cfg: dict, ortho, releves) -> list[tuple[str, str]]:
    """(orthophoto, relevés) pairs to read again: the recorded files when they still
    exist, then the evaluation's."""
    inputs = cfg.get("inputs") or {}
    orthos = [str(p) for p in (inputs.get("ortho"), ortho)
              if p and (str(p).startswith("/vsi") or Path(str(p)).is_file())]
    rels = [str(p) for p in (inputs.get("releves"), releves)
            if p and Path(str(p).split("|")[0]).exists()]
    pairs = []
    for o in dict.fromkeys(orthos):
        for r in dict.fromkeys(rels):
            pairs.append((o, r))
    return pairs


def _replay(cfg: dict, roles: np.ndarray, o: str, r: str, options: ReleveOptions,
            progress: Progress):
    """(x, y in ``o``'s CRS, srs) of the usable plots when reading ``r`` on ``o`` as training
    did gives exactly the recorded split, else (None, reason)."""
    from ..check import check_data

    inputs = cfg.get("inputs") or {}
    train = cfg.get("training") or {}
    try:
        rep = check_data(o, r, options, sensor=inputs.get("sensor"),
                         wavelengths=inputs.get("wavelengths"), patch_m=float(cfg["patch_m"]),
                         min_valid=float(inputs.get("min_valid", 0.8)), progress=_Quiet(progress))
        usable = rep.usable
        if int(usable.sum()) != len(roles):
            return None, (f"reading {r} on {o} gives {int(usable.sum())} usable plots, the "
                          f"model recorded {len(roles)}")
        x, y = rep.x[usable], rep.y[usable]
        unit = float(raster_info(o).linear_unit_m or 1.0)
        again = spatial_roles(x * unit, y * unit, float(train["block_m"]),
                              (float(train["val_fraction"]), float(train["test_fraction"])),
                              float(train.get("buffer_m") or 0.0), seed=int(train["seed"]))
    except Cancelled:
        raise
    except (BotaclipError, KeyError, TypeError, ValueError) as exc:
        return None, f"reading {r} on {o} failed ({str(exc).splitlines()[0]})"
    if not np.array_equal(again, roles):
        return None, (f"the split settings applied to {r} give other roles than the ones "
                      "recorded (the relevés changed since training?)")
    return (x, y, raster_info(o).srs_wkt), ""


def training_plots(model_dir, ortho, releves, options: ReleveOptions | None = None,
                   progress: Progress = SILENT) -> TrainingPlots:
    """The plots the bundle ``model_dir`` trained on and chose its epoch with, located in
    ``ortho``'s CRS (module docstring); ``found`` False, with the reason, when they cannot be
    told for certain."""
    cfg, roles, why = recorded_split(model_dir)
    if roles is None:
        return TrainingPlots(False, why)
    opts = _options(cfg, options)
    reasons = []
    for o, r in _candidates(cfg, ortho, releves):
        progress.check()
        got, why = _replay(cfg, roles, o, r, opts, progress)
        if got is None:
            reasons.append(why)
            continue
        x, y, srs = got
        x, y = to_raster_crs(raster_info(ortho), x, y, srs)
        train = cfg.get("training") or {}
        overlap = max(float(cfg["patch_m"]), float(train.get("buffer_m") or 0.0))
        counts = {"training": int((roles == TRAIN).sum()),
                  "validation": int((roles == VALIDATION).sum()),
                  "test": int((roles == TEST).sum()), "buffer": int((roles == BUFFER).sum())}
        xy = np.stack([x, y], axis=1)
        return TrainingPlots(True, f"the split recorded in {model_dir}, reproduced from {r}",
                             overlap, xy[roles == TRAIN], xy[roles == VALIDATION], counts)
    return TrainingPlots(False, "; ".join(reasons) or "neither the relevés the model recorded "
                                                     "nor the ones given can be read")


def seen_by_model(tp: TrainingPlots, x, y, unit_m: float = 1.0) -> np.ndarray:
    """Bool per point (``x``, ``y`` in the orthophoto's CRS, ``unit_m`` metres per unit):
    True where a point is within ``tp.overlap_m`` of a training plot along both axes, or at
    a validation plot (module docstring). All False when ``tp`` was not found."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    seen = np.zeros(len(x), dtype=bool)
    if not tp.found or not len(x):
        return seen
    from scipy.spatial import cKDTree

    pts = np.stack([x, y], axis=1) * float(unit_m)
    if len(tp.train_xy):
        d, _ = cKDTree(tp.train_xy * float(unit_m)).query(pts, k=1, p=np.inf)
        seen |= d < tp.overlap_m
    if len(tp.val_xy):
        d, _ = cKDTree(tp.val_xy * float(unit_m)).query(pts, k=1, p=np.inf)
        seen |= d < 1e-3
    return seen
