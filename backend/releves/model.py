"""The relevé matrix: :class:`Releves` (a sites x taxa matrix with the plots' coordinates and
the notices of its reading, :class:`Notice`), the transforms a model applies to it
(:func:`transform_values`, :data:`TRANSFORMS`) and the assembly of (plot, taxon, value)
entries into the matrix (:func:`assemble`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import BotaclipError

TRANSFORMS = ("presence", "sqrt", "log", "hellinger", "none")
# metadata written by write_releves so that a round trip keeps the kind of values
META_SCALE = "botaclip_value_scale"


def transform_values(values, method: str) -> np.ndarray:
    """A sites x taxa matrix transformed for a model, float32: presence (> 0), sqrt, log
    (log1p), hellinger (sqrt(value / row sum); rows summing to zero stay zero) or none."""
    v = np.asarray(values, dtype="float32")
    how = (method or "none").lower()
    if how == "presence":
        return (v > 0).astype("float32")
    if how == "sqrt":
        return np.sqrt(v)
    if how in ("log", "log1p"):
        return np.log1p(v)
    if how == "hellinger":
        s = v.sum(axis=-1, keepdims=True, dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(s > 0, np.sqrt(v / np.where(s > 0, s, 1.0)), 0.0)
        return out.astype("float32")
    if how == "none":
        return v.copy()
    raise BotaclipError(f"Unknown cover transform {method!r}: use one of "
                        f"{', '.join(TRANSFORMS)}.")


@dataclass(frozen=True)
class Notice:
    """Something about the relevés as a whole that changed or may change the analysis and
    that the user should know (read without error, but not silently): ``kind`` (a short
    code), ``count`` (how many cases) and ``message`` (what, where, and what to do)."""

    kind: str
    count: int
    message: str

    @property
    def is_warning(self) -> bool:
        """Whether front doors show it as a warning: covers combined and author variants can
        change the analysis; text fields left out are most often plot attributes (habitat,
        observer), so they are information, listed without a warning."""
        return self.kind != "text_fields"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "count": int(self.count), "message": self.message}


# how the covers of one taxon given twice in one plot are combined (see assemble)
COMBINE_RULE = ("percent covers as 100 x (1 - (1 - a/100) x (1 - b/100)), as two layers "
                "that overlap at random; presence counted once; counts added")

# the kinds of notice (see Releves.notices)
NOTICE_KINDS = {
    "combined_entries": "covers of one taxon in one plot given more than once, combined",
    "author_variants": "taxon names that differ only by an author, kept apart",
    "text_fields": "text fields of a wide layer not read as taxa",
}


@dataclass
class Releves:
    """A sites x taxa matrix with the plots' coordinates."""

    plot_ids: list[str]
    taxa: list[str]                 # normalised names, sorted
    values: np.ndarray              # float32 [n_plots, n_taxa]; percent cover, 1/0 or counts
    value_kind: str                 # "presence" | "cover_percent" | "count"
    x: np.ndarray                   # float64, NaN where a plot has no geometry
    y: np.ndarray
    srs_wkt: str
    source: str                     # what was read (paths)
    cover_scale: str                # the scale actually used (after auto)
    problems: list[tuple[str, str]] = field(default_factory=list)   # (plot_id, reason)
    notices: list[Notice] = field(default_factory=list)             # about the whole set

    @property
    def n_plots(self) -> int:
        return len(self.plot_ids)

    @property
    def n_taxa(self) -> int:
        return len(self.taxa)

    def transform(self, method: str) -> np.ndarray:
        """The matrix for a model (:func:`transform_values`; uses ``self.values`` only)."""
        return transform_values(self.values, method)

    def taxon_frequencies(self) -> dict[str, int]:
        """Number of plots where each taxon is present (> 0), commonest first; absent taxa
        (possible after :meth:`subset`) are left out."""
        counts = (np.asarray(self.values) > 0).sum(axis=0)
        order = sorted(range(len(self.taxa)), key=lambda j: (-int(counts[j]), self.taxa[j]))
        return {self.taxa[j]: int(counts[j]) for j in order if counts[j] > 0}

    def subset(self, idx) -> Releves:
        """The plots selected by ``idx`` (indices or a boolean mask); the taxa are kept, so
        columns stay aligned with the full set."""
        idx = np.asarray(idx)
        if idx.dtype == bool:
            if idx.shape != (self.n_plots,):
                raise ValueError(f"mask of {idx.shape} for {self.n_plots} plots")
            idx = np.flatnonzero(idx)
        idx = idx.astype("int64").reshape(-1)
        ids = [self.plot_ids[i] for i in idx]
        keep = set(ids)
        return replace(self, plot_ids=ids, values=self.values[idx].copy(), x=self.x[idx].copy(),
                       y=self.y[idx].copy(), taxa=list(self.taxa),
                       problems=[prob for prob in self.problems if prob[0] in keep])

    def top_taxa(self, i, n: int = 3) -> list[str]:
        """The ``n`` taxa with the highest values in plot ``i`` (ties by name), present only."""
        row = np.asarray(self.values[int(i)])
        present = np.flatnonzero(row > 0)
        order = sorted(present, key=lambda j: (-float(row[j]), self.taxa[j]))
        return [self.taxa[j] for j in order[:n]]


def assemble(n_plots: int, n_taxa: int, plot_idx, taxon_idx, values, kind: str) -> np.ndarray:
    """A float32 [n_plots, n_taxa] matrix from (plot, taxon, value) entries; entries of one
    plot and taxon are combined: percent as 1 - prod(1 - c/100), presence as max, counts as
    sum. A single entry is kept exactly."""
    out = np.zeros((n_plots, n_taxa), dtype="float32")
    v = np.asarray(values, dtype="float64")
    keep = v > 0
    if not keep.any():
        return out
    v = v[keep]
    lin = (np.asarray(plot_idx, dtype="int64")[keep] * n_taxa
           + np.asarray(taxon_idx, dtype="int64")[keep])
    cells, inv = np.unique(lin, return_inverse=True)
    if kind == "presence":
        val = (np.bincount(inv, minlength=len(cells)) > 0).astype("float64")
    else:
        val = np.bincount(inv, weights=v, minlength=len(cells))
        if kind != "count":
            multi = np.bincount(inv, minlength=len(cells)) > 1
            if multi.any():
                with np.errstate(divide="ignore"):
                    logs = np.bincount(inv, weights=np.log1p(-np.clip(v, 0, 100) / 100.0),
                                       minlength=len(cells))
                val[multi] = 100.0 * -np.expm1(logs[multi])
    out.reshape(-1)[cells] = val
    return out
