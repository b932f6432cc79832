"""The per-cluster summary (``--summary DIR``): ``clusters.json``, a thumbnail per cluster and
``clusters.html``.

Per cluster: its pixel count and area (km², from the embedding raster's pixel size), its
colour and name as in the map; with ``--ortho``, a representative orthophoto thumbnail: the
patch around the sample pixel nearest the cluster's centre, i.e. the place that looks most
like the cluster's average (a random member could be an edge case between two clusters);
with ``--model``, the taxa most typical of the cluster: the cosine between the centre and the
relevé encoder's embedding of a relevé holding that taxon alone (full cover), top 5. Both
embeddings live in the same space only when the raster was made with that bundle's adapter,
which :func:`check_model` demands before any work.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
from osgeo import gdal

from ..errors import BotaclipError
from ..io.atomic import atomic_output
from ..io.raster import open_raster, raster_info, to_raster_crs
from .raster import class_names, palette

KIND = "botaclip-habitat-summary"
THUMB_PX = 128
TOP_TAXA = 5


def is_summary_folder(path) -> bool:
    """Whether ``path`` is a summary folder written here (replaced without ``overwrite``)."""
    try:
        return json.loads((Path(path) / "clusters.json").read_text()).get("kind") == KIND
    except (OSError, ValueError, AttributeError):
        return False


def check_model(model, emb_tags: dict, embeddings, dim: int):
    """The bundle at ``model``, refused unless the embedding raster was made with it."""
    from ..bundle import load_bundle

    bundle = load_bundle(model)
    made_with = emb_tags.get("BOTACLIP_MODEL_SHA256")
    if made_with != bundle.sha256 or bundle.dim != dim:
        how = ("was not made with a model bundle (backbone features only)" if not made_with
               else "was made with another model bundle")
        raise BotaclipError(
            f"The embedding raster {embeddings} {how}, so its pixels are not in the space of "
            f"{model}'s relevé encoder and typical taxa cannot be read from it. Embed the "
            f"orthophoto with 'botaclip embed --model {model}', or leave out --model.")
    return bundle


def typical_taxa(bundle, centres: np.ndarray, top: int = TOP_TAXA) -> list[list[dict]]:
    """Per centre, the ``top`` taxa whose single-taxon relevé embedding is closest (cosine)."""
    taxa = bundle.species
    emb = bundle.embed_releves(np.eye(len(taxa), dtype=np.float32) * 100.0)
    c = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    cos = c @ emb.T
    out = []
    for row in cos:
        best = np.argsort(-row, kind="stable")[:top]
        out.append([{"taxon": taxa[j], "cosine": round(float(row[j]), 4)} for j in best])
    return out


def representatives(sample, labels: np.ndarray, centres: np.ndarray) -> list:
    """Per cluster, the index in ``sample`` of its member nearest the centre (None: empty)."""
    out = []
    for i, c in enumerate(centres):
        idx = np.flatnonzero(labels == i)
        if not idx.size:
            out.append(None)
            continue
        d = ((sample.x[idx] - c) ** 2).sum(axis=1)
        out.append(int(idx[np.argmin(d)]))
    return out


def _stretch(a: np.ndarray) -> np.ndarray:
    """A band to 0-255 between its 2nd and 98th percentiles (as QGIS's default stretch)."""
    a = a.astype(np.float64)
    ok = np.isfinite(a)
    if not ok.any():
        return np.zeros(a.shape, dtype=np.uint8)
    lo, hi = np.percentile(a[ok], [2, 98])
    scaled = (a - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(a)
    return np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)


def write_thumbnail(ortho, x: float, y: float, srs_wkt: str, side_m: float,
                    path: Path) -> bool:
    """A PNG of the orthophoto patch of side ``side_m`` centred on (x, y) (``srs_wkt``);
    False when the patch falls outside the orthophoto."""
    info = raster_info(ortho)
    ox, oy = to_raster_crs(info, [x], [y], srs_wkt)
    gt = info.geotransform
    half = side_m / 2.0 / info.linear_unit_m
    c0 = int(np.floor((ox[0] - half - gt[0]) / gt[1]))
    r0 = int(np.floor((oy[0] + half - gt[3]) / gt[5]))
    n = max(1, int(round(2 * half / gt[1])))
    c0, r0 = max(c0, 0), max(r0, 0)
    w, h = min(n, info.width - c0), min(n, info.height - r0)
    if not np.isfinite(ox[0]) or w <= 0 or h <= 0:
        return False
    ds = open_raster(ortho)
    bands = (info.spectral_bands or [1])[:3]
    rgb = [_stretch(ds.GetRasterBand(b).ReadAsArray(c0, r0, w, h, THUMB_PX, THUMB_PX))
           for b in bands]
    rgb = (rgb * 3)[:3] if len(rgb) < 3 else rgb
    mem = gdal.GetDriverByName("MEM").Create("", THUMB_PX, THUMB_PX, 3, gdal.GDT_Byte)
    for i, a in enumerate(rgb, start=1):
        mem.GetRasterBand(i).WriteArray(a)
    gdal.GetDriverByName("PNG").CreateCopy(str(path), mem)
    path.with_name(path.name + ".aux.xml").unlink(missing_ok=True)
    return True


def cluster_records(k: int, counts, pixel_km2: float, taxa=None) -> list[dict]:
    """The per-cluster entries of clusters.json (without thumbnails)."""
    total = max(int(np.sum(counts)), 1)
    recs = []
    for i, (name, rgb, n) in enumerate(zip(class_names(k), palette(k), counts)):
        rec = {"value": i + 1, "name": name, "colour": "#{:02x}{:02x}{:02x}".format(*rgb),
               "pixels": int(n), "share": round(int(n) / total, 4),
               "area_km2": round(int(n) * pixel_km2, 4)}
        if taxa is not None:
            rec["typical_taxa"] = taxa[i]
        recs.append(rec)
    return recs


def _html(doc: dict) -> str:
    rows = []
    for c in doc["clusters"]:
        thumb = (f'<img src="{html.escape(c["thumbnail"])}" width="{THUMB_PX}">'
                 if c.get("thumbnail") else "")
        taxa = ", ".join(f'{html.escape(t["taxon"])} ({t["cosine"]:.2f})'
                         for t in c.get("typical_taxa", []))
        rows.append(f'<tr><td><span style="background:{c["colour"]};padding:0 1em">&nbsp;'
                    f'</span> {html.escape(c["name"])}</td><td>{c["pixels"]}</td>'
                    f'<td>{c["area_km2"]:.3f}</td><td>{thumb}</td><td>{taxa}</td></tr>')
    curve = ", ".join(f"k={k}: {v:.3f}" for k, v in doc["db_curve"].items())
    return ("<!doctype html><meta charset='utf-8'><title>Habitat clusters</title>"
            f"<h1>Habitat clusters (k = {doc['k']})</h1>"
            f"<p>Embeddings: {html.escape(str(doc['embeddings']))}</p>"
            + (f"<p>Davies-Bouldin index (lower is better): {curve}</p>" if curve else "")
            + "<table border=1 cellpadding=4><tr><th>cluster</th><th>pixels</th>"
            "<th>area (km²)</th><th>orthophoto</th><th>typical taxa (cosine)</th></tr>"
            + "".join(rows) + "</table>\n")


def write_summary(folder, doc: dict, thumbs: dict, *, overwrite: bool = False) -> Path:
    """``folder`` with clusters.json (``doc``), the thumbnails ({file name: callable
    writing it to a path}) and clusters.html, written whole or not at all."""
    folder = Path(folder)
    with atomic_output(folder, directory=True, owned=is_summary_folder, overwrite=overwrite,
                       what="habitat summary folder", last="clusters.json") as tmp:
        for c in doc["clusters"]:
            name = f"cluster_{c['value']:02d}.png"
            if c["value"] in thumbs and thumbs[c["value"]](tmp / name):
                c["thumbnail"] = name
        (tmp / "clusters.html").write_text(_html(doc), encoding="utf-8")
        (tmp / "clusters.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False),
                                           encoding="utf-8")
    return folder / "clusters.json"
