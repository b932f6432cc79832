"""Check that an orthophoto and a set of relevés can be used together.

Every plot gets exactly one status, in this order of precedence:
``duplicate_id`` (its id occurs more than once), ``no_geometry``, ``outside_raster`` (its
centre is outside the orthophoto), ``too_much_nodata`` (less than ``min_valid`` of its patch
holds valid pixels), ``no_taxa`` (no taxon recorded) or ``usable``. Nothing is dropped
silently: the report lists every plot that is not usable with its reason, and the notices
about the relevés as a whole (covers of a taxon given twice in a plot and combined, names that
differ only by an author, text fields not read as taxa), and can be written as JSON, as a
point layer of plot statuses and as a contact sheet of sample patches. An orthophoto cut
short, a patch smaller than a pixel or larger than the orthophoto are errors.
"""

from __future__ import annotations

import json
import math
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .errors import BotaclipError
from .io.atomic import atomic_output
from .io.band_stats import sample_band_stats
from .io.gdalutil import srs_from_wkt, srs_label
from .io.lock import hold_outputs
from .io.outputs import check_output, input_files, recorded_name
from .io.patches import PatchReader
from .io.presets import resolve_bands
from .io.raster import check_complete, check_patch_size, raster_info, to_raster_crs
from .io.vector import check_points_output, write_points
from .progress import SILENT, Progress
from .releves import ReleveOptions, Releves, read_releves

STATUSES = ("usable", "duplicate_id", "no_geometry", "outside_raster", "too_much_nodata",
            "no_taxa")
REASON_TEXT = {
    "duplicate_id": "plot id used more than once",
    "no_geometry": "no coordinates",
    "outside_raster": "centre outside the orthophoto",
    "too_much_nodata": "too few valid pixels in its patch",
    "no_taxa": "no taxon recorded",
}
STATUS_FIELDS = ("plot_id", "status", "valid_fraction", "n_taxa", "top_taxa")
STATUS_LAYER = "plot_status"
SHEET_SOFTWARE = b"BotaCLIP"             # in the contact sheet's PNG text ("Software")


@dataclass
class CheckReport:
    ortho: str
    releves: str
    plot_ids: list
    status: list
    valid_fraction: np.ndarray
    n_taxa: np.ndarray
    top_taxa: list
    taxon_frequencies: dict
    raster: dict
    bands: dict
    releve_info: dict
    settings: dict
    extents: dict
    x: np.ndarray = field(repr=False, default=None)  # plot coordinates in the raster CRS
    y: np.ndarray = field(repr=False, default=None)
    outputs: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)      # releves.Notice: about the whole set

    @property
    def plots_total(self) -> int:
        return len(self.plot_ids)

    @property
    def usable(self) -> np.ndarray:
        return np.array([s == "usable" for s in self.status], dtype=bool)

    @property
    def plots_usable(self) -> int:
        return int(self.usable.sum())

    @property
    def n_species(self) -> int:
        return len(self.taxon_frequencies)

    @property
    def counts(self) -> dict:
        c = Counter(self.status)
        return {s: int(c.get(s, 0)) for s in STATUSES}

    def to_dict(self) -> dict:
        return {
            "plots_total": self.plots_total,
            "plots_usable": self.plots_usable,
            "species": self.n_species,
            "status_counts": self.counts,
            "problems": [{"plot": pid, "reason": s}
                         for pid, s in zip(self.plot_ids, self.status) if s != "usable"],
            "notices": [n.to_dict() for n in self.notices],
            "taxon_frequencies": self.taxon_frequencies,
            "raster": self.raster,
            "bands": self.bands,
            "releves": self.releve_info,
            "settings": self.settings,
            "extents": self.extents,
            "outputs": self.outputs,
            "software": {"botaclip": __version__},
        }

    def summary(self) -> str:
        lines = [f"{self.plots_usable} of {self.plots_total} plots usable, "
                 f"{self.n_species} taxa, orthophoto {Path(self.ortho).name} "
                 f"({self.bands['source']}: {', '.join(self.bands['names'])})."]
        for s, n in self.counts.items():
            if s != "usable" and n:
                lines.append(f"  {n} plot(s): {REASON_TEXT[s]} ({s})")
        lines += [f"Notice: {n.message}" for n in self.notices]
        top = list(self.taxon_frequencies.items())[:5]
        if top:
            lines.append("Commonest taxa: " + ", ".join(f"{t} ({n})" for t, n in top))
        return "\n".join(lines)


def _fmt_extent(e) -> str:
    return f"x {e[0]:.1f} to {e[2]:.1f}, y {e[1]:.1f} to {e[3]:.1f}"


def check_data(ortho, releves, options: ReleveOptions | None = None, *, sensor=None,
               wavelengths=None, patch_m: float = 100.0, min_valid: float = 0.8,
               contact_sheet=None, plots_out=None, json_out=None, overwrite: bool = False,
               progress: Progress = SILENT) -> CheckReport:
    """Check ``ortho`` against the relevés in ``releves`` and write the requested outputs
    (checked first: see :func:`check_outputs`; ``overwrite`` replaces files that are not
    ours)."""
    options = options or ReleveOptions()
    _check_settings(patch_m, min_valid)
    check_outputs(input_files(ortho, releves, options.table), plots_out=plots_out,
                  contact_sheet=contact_sheet, json_out=json_out, overwrite=overwrite)
    # another run writing one of these outputs is refused here (io/lock.py)
    with hold_outputs(plots_out, contact_sheet, json_out, progress=progress):
        progress.report(0.0, "Reading the orthophoto")
        info = raster_info(ortho)
        check_complete(info)
        check_patch_size(info, patch_m, min_valid=min_valid)
        bands = resolve_bands(info, sensor=sensor, wavelengths=wavelengths)
        progress.report(0.02, "Reading the relevés")
        rel = read_releves(releves, options, progress=progress.sub(0.02, 0.1))
        for notice in rel.notices:
            (progress.warn if notice.is_warning else progress.info)(notice.message)
        progress.check()
        xs, ys = to_raster_crs(info, rel.x, rel.y, rel.srs_wkt)
        has_geom = np.isfinite(xs) & np.isfinite(ys)
        inside = _inside(ortho, info, rel, xs, ys, has_geom)
        status, valid = _plot_status(ortho, rel, xs, ys, has_geom, inside, patch_m, min_valid,
                                     progress)
        report = _report(ortho, info, bands, rel, status, valid, xs, ys, has_geom,
                         recorded_name(releves, rel.source),
                         settings={"patch_m": patch_m, "min_valid": min_valid, "sensor": sensor,
                                   "wavelengths": wavelengths if wavelengths is None or isinstance(
                                       wavelengths, str) else list(wavelengths)})
        progress.check()
        _write_outputs(report, rel, bands, plots_out, contact_sheet, json_out, overwrite, progress)
        progress.report(1.0, "Check complete")
        return report


def _check_settings(patch_m, min_valid) -> None:
    """Refuse a patch size or a minimum valid fraction that is not a number in range, before
    any file is read (the patch is checked against the orthophoto's pixels once it is
    open: :func:`backend.io.raster.check_patch_size`)."""
    try:
        mv, pm = float(min_valid), float(patch_m)
    except (TypeError, ValueError):
        mv = pm = math.nan
    if not 0 <= mv <= 1:
        raise BotaclipError(f"The minimum share of valid pixels (--min-valid) must be a fraction "
                            f"between 0 and 1, e.g. 0.8 for 80 %, not {min_valid}.")
    if not (math.isfinite(pm) and pm > 0):
        raise BotaclipError(f"The patch size (--patch-m) must be a positive number of metres, "
                            f"not {patch_m}. The default, 100 m, suits most orthophotos.")


def _degrees_hint(rel: Releves) -> str:
    """A hint when plot coordinates that look like degrees were read in a projected CRS."""
    ok = np.isfinite(rel.x) & np.isfinite(rel.y)
    if not ok.any() or not rel.srs_wkt or srs_from_wkt(rel.srs_wkt).IsGeographic():
        return ""
    if np.abs(rel.x[ok]).max() <= 180 and np.abs(rel.y[ok]).max() <= 90:
        return (f"\nThe plot coordinates look like longitude and latitude in degrees, but they "
                f"were read in {srs_label(rel.srs_wkt)}: give their real CRS (--crs EPSG:4326 "
                "for degrees), or set it on the layer.")
    return ""


def _inside(ortho, info, rel: Releves, xs, ys, has_geom) -> np.ndarray:
    """Which plots lie on the orthophoto; a clear error when none does."""
    xmin, ymin, xmax, ymax = info.bounds
    inside = has_geom & (xs >= xmin) & (xs <= xmax) & (ys >= ymin) & (ys <= ymax)
    if has_geom.any() and not inside.any():
        pe = (float(np.nanmin(xs)), float(np.nanmin(ys)), float(np.nanmax(xs)),
              float(np.nanmax(ys)))
        raise BotaclipError(
            f"No plot of {rel.source} lies inside the orthophoto {ortho}.\n"
            f"  orthophoto extent ({srs_label(info.srs_wkt)}): {_fmt_extent(info.bounds)}\n"
            f"  plots extent (same CRS):     {_fmt_extent(pe)}\n"
            "Check that both layers have the right CRS and that they cover the same area."
            + _degrees_hint(rel))
    return inside


def _plot_status(ortho, rel: Releves, xs, ys, has_geom, inside, patch_m: float,
                 min_valid: float, progress: Progress) -> tuple[list, np.ndarray]:
    """Each plot's status and the valid fraction of its patch."""
    duplicated = {pid for pid, reason in rel.problems if reason == "duplicate_id"}
    n_taxa = (rel.values > 0).sum(axis=1)
    valid = np.zeros(len(rel.plot_ids), dtype="float64")
    status = []
    with PatchReader(ortho, patch_m=patch_m, patch_px=32) as reader:
        n = len(rel.plot_ids)
        for i, pid in enumerate(rel.plot_ids):
            if inside[i]:
                valid[i] = reader.valid_fraction(float(xs[i]), float(ys[i]), px=32)
            if pid in duplicated:
                s = "duplicate_id"
            elif not has_geom[i]:
                s = "no_geometry"
            elif not inside[i]:
                s = "outside_raster"
            elif valid[i] < min_valid:
                s = "too_much_nodata"
            elif n_taxa[i] == 0:
                s = "no_taxa"
            else:
                s = "usable"
            status.append(s)
            if i % 64 == 0:
                progress.report(0.1 + 0.6 * i / max(1, n), "Checking plot patches")
                progress.check()
    return status, valid


def _report(ortho, info, bands, rel: Releves, status, valid, xs, ys, has_geom, source: str,
            settings: dict) -> CheckReport:
    plot_extent = ([float(np.nanmin(xs)), float(np.nanmin(ys)), float(np.nanmax(xs)),
                    float(np.nanmax(ys))] if has_geom.any() else None)
    return CheckReport(
        ortho=str(ortho), releves=source, plot_ids=list(rel.plot_ids), status=status,
        valid_fraction=valid, n_taxa=(rel.values > 0).sum(axis=1),
        top_taxa=[rel.top_taxa(i, 3) for i in range(len(rel.plot_ids))],
        taxon_frequencies=rel.taxon_frequencies(),
        raster={"path": str(ortho), "driver": info.driver, "width": info.width,
                "height": info.height, "bands": info.count, "dtype": info.dtype,
                "crs": srs_label(info.srs_wkt), "pixel_size": list(info.pixel_size),
                "nodata": info.nodata, "has_mask": info.has_mask},
        bands={"names": list(bands.names), "wavelengths_um": list(bands.wavelengths_um),
               "source": bands.source, "preset": bands.preset,
               "normalization": bands.normalization},
        releve_info={"source": source, "crs": srs_label(rel.srs_wkt),
                     "cover_scale": rel.cover_scale, "value_kind": rel.value_kind},
        settings=settings,
        extents={"raster": list(info.bounds), "plots": plot_extent,
                 "crs": srs_label(info.srs_wkt)},
        x=xs, y=ys, notices=list(rel.notices),
    )


def is_check_report(path) -> bool:
    """Whether ``path`` is a JSON report written by ``check`` (by its content)."""
    try:
        if Path(path).stat().st_size > 64 << 20:
            return False
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(data, dict) and "plots_total" in data
            and "botaclip" in (data.get("software") or {}))


def is_contact_sheet(path) -> bool:
    """Whether ``path`` is a PNG contact sheet written by ``check``: its "Software" text, or,
    for a sheet of an earlier version (which said only Matplotlib), matplotlib's PNG at the
    sheet's own size (230 px a column, up to 6; 295 px a row plus 80)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if not head.startswith(b"\x89PNG") or len(head) < 24:
        return False
    if SHEET_SOFTWARE in head:
        return True
    w, h = struct.unpack(">II", head[16:24])
    return (b"Matplotlib" in head and w % 230 == 0 and 1 <= w // 230 <= 6 and h > 80
            and (h - 80) % 295 == 0)


def check_outputs(inputs, *, plots_out=None, contact_sheet=None, json_out=None,
                  overwrite: bool = False) -> None:
    """Before any work: every output differs from the inputs and from the other outputs, is
    not a file of the user's (unless ``overwrite``) and can be written."""
    given = [Path(p) for p in (plots_out, contact_sheet, json_out) if p]
    if len({p.resolve() for p in given}) < len(given):
        raise BotaclipError("The plot status layer, the contact sheet and the JSON report "
                            f"must be different files ({', '.join(map(str, given))}).")
    if plots_out:
        check_points_output(plots_out, layer=STATUS_LAYER, kind=STATUS_LAYER,
                            fields=STATUS_FIELDS, overwrite=overwrite, inputs=inputs,
                            what="plot status layer")
    if contact_sheet:
        check_output(contact_sheet, what="contact sheet", owned=is_contact_sheet,
                     overwrite=overwrite, inputs=inputs)
    if json_out:
        check_output(json_out, what="JSON report", owned=is_check_report,
                     overwrite=overwrite, inputs=inputs)


def _write_outputs(report: CheckReport, rel: Releves, bands, plots_out, contact_sheet,
                   json_out, overwrite: bool, progress: Progress) -> None:
    if plots_out:
        progress.report(0.72, "Writing the plot status layer")
        write_status_layer(report, rel, plots_out, overwrite=overwrite)
        report.outputs["plots"] = str(plots_out)
    if contact_sheet:
        progress.report(0.75, "Drawing the contact sheet")
        make_contact_sheet(report, contact_sheet, bands=bands, overwrite=overwrite,
                           progress=progress.sub(0.75, 0.98))
        report.outputs["contact_sheet"] = str(contact_sheet)
    if json_out:
        with atomic_output(json_out, owned=is_check_report, overwrite=overwrite,
                           what="JSON report") as tmp:
            Path(tmp).write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False),
                                 encoding="utf-8")
        report.outputs["json"] = str(json_out)


def write_status_layer(report: CheckReport, rel: Releves, out, *,
                       overwrite: bool = False) -> Path:
    """Plots with their status, in the relevés' own CRS (plots without coordinates omitted).
    Into an existing GeoPackage, as its layer ``plot_status`` (its other layers are kept)."""
    keep = np.isfinite(rel.x) & np.isfinite(rel.y)
    idx = np.flatnonzero(keep)
    values = ([report.plot_ids[i] for i in idx], [report.status[i] for i in idx],
              np.round(report.valid_fraction[idx], 4), report.n_taxa[idx].astype("int64"),
              ["; ".join(report.top_taxa[i]) for i in idx])
    return write_points(out, srs_from_wkt(rel.srs_wkt), rel.x[idx], rel.y[idx],
                        dict(zip(STATUS_FIELDS, values)), layer=STATUS_LAYER,
                        description="BotaCLIP check: status of each plot for training",
                        kind=STATUS_LAYER, overwrite=overwrite)


def display_band_indices(wavelengths_um) -> list[int]:
    """Indices of the bands nearest red, green and blue (a single band is shown grey)."""
    wl = np.asarray(wavelengths_um, dtype="float64")
    if wl.size < 3:
        return [0, 0, 0]
    idx = []
    for target in (0.665, 0.56, 0.49):
        order = np.argsort(np.abs(wl - target))
        idx.append(int(next(i for i in order if i not in idx)))
    return idx


def _pick_samples(report: CheckReport, n: int) -> list[int]:
    """Up to ``n`` usable plots spread over their commonest taxa, then a few problem plots."""
    usable = [i for i, s in enumerate(report.status) if s == "usable"]
    by_taxon: dict = {}
    for i in usable:
        key = report.top_taxa[i][0] if report.top_taxa[i] else ""
        by_taxon.setdefault(key, []).append(i)
    picked: list[int] = []
    groups = [g for _, g in sorted(by_taxon.items(), key=lambda kv: -len(kv[1]))]
    depth = 0
    n_problem = min(4, sum(1 for s in report.status if s == "too_much_nodata"))
    while len(picked) < n - n_problem and any(depth < len(g) for g in groups):
        for g in groups:
            if depth < len(g) and len(picked) < n - n_problem:
                picked.append(g[depth])
        depth += 1
    picked += [i for i, s in enumerate(report.status) if s == "too_much_nodata"][:n_problem]
    return picked


def make_contact_sheet(report: CheckReport, out, *, bands, n: int = 24, patch_px: int = 160,
                       overwrite: bool = False, progress: Progress = SILENT) -> Path:
    """A PNG grid of plot patches labelled with plot id and commonest taxa (its "Software"
    text says BotaCLIP, so that a later run knows the file for one of its own)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    picked = _pick_samples(report, n)
    if not picked:
        raise BotaclipError("No plot lies on valid imagery, so there is nothing to show on the "
                            "contact sheet.")
    stats = sample_band_stats(report.ortho, n_windows=16, window_px=128)
    rgb = display_band_indices(report.bands["wavelengths_um"])
    lo = np.array([stats.p2[b] for b in rgb], dtype="float32")[:, None, None]
    hi = np.array([stats.p98[b] for b in rgb], dtype="float32")[:, None, None]
    cols = min(6, len(picked))
    rows = (len(picked) + cols - 1) // cols
    height = rows * 2.95 + 0.8           # per row: 2.2 in of image, its title, 3 label lines
    fig = Figure(figsize=(cols * 2.3, height), dpi=100)
    with PatchReader(report.ortho, patch_m=report.settings["patch_m"], patch_px=patch_px) as rd:
        for k, i in enumerate(picked):
            patch = rd.read(float(report.x[i]), float(report.y[i]))
            img = (patch.data[rgb] - lo) / np.maximum(hi - lo, 1e-6)
            img = np.clip(img, 0, 1).transpose(1, 2, 0)
            img[~patch.valid] = (1.0, 0.0, 1.0)  # nodata shown magenta
            ax = fig.add_subplot(rows, cols, k + 1)
            ax.imshow(img, interpolation="nearest")
            c = patch_px / 2
            ax.plot([c - 6, c + 6], [c, c], color="yellow", lw=1)
            ax.plot([c, c], [c - 6, c + 6], color="yellow", lw=1)
            ax.set_xticks([])
            ax.set_yticks([])
            bad = report.status[i] != "usable"
            title = f"{report.plot_ids[i]}" + (f" ({report.status[i]})" if bad else "")
            taxa = "\n".join(t[:24] for t in report.top_taxa[i][:3])
            ax.set_title(title, fontsize=8, color="red" if bad else "black")
            ax.set_xlabel(taxa, fontsize=6.5)
            progress.report(k / len(picked), "Drawing the contact sheet")
            progress.check()
    fig.suptitle(f"{Path(report.ortho).name}: {report.settings['patch_m']:g} m patches centred "
                 "on plots (yellow cross), commonest taxa below; magenta = nodata", fontsize=9,
                 y=1 - 0.25 / height)
    # explicit spacing: tight_layout does not leave room for three-line labels on this grid
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.7 / height, bottom=0.55 / height,
                        wspace=0.08, hspace=0.3)
    out = Path(out)
    with atomic_output(out, owned=is_contact_sheet, overwrite=overwrite,
                       what="contact sheet") as tmp:
        fig.savefig(str(tmp), format="png",
                    metadata={"Software": f"{SHEET_SOFTWARE.decode()} {__version__} check"})
    return out
