"""Chips: image files (GeoTIFF, PNG, JPEG...) embedded whole, the backend of
`botaclip embed-chips`.

:func:`embed_chips` embeds them with a trained model (adapted, L2-normalised embeddings) or
with a bare backbone (its pooled features) and writes one CSV row per chip; :func:`read_chip`
reads one image whole, its alpha bands and masks as validity.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from osgeo import gdal

from ..errors import BotaclipError
from ..io import gdalutil  # noqa: F401  (GDAL exceptions on)
from ..io.atomic import atomic_output
from ..io.outputs import check_output, input_files, starts_with
from ..progress import SILENT
from .model import load_backbone_config

# the header of a CSV written by embed_chips: ours, replaced without --overwrite
OUR_CSV = starts_with(b"path,e0,", b"path,f0,", b"path,e0\r", b"path,f0\r")


def read_chip(path) -> tuple:
    """(data float32 [C, H, W] with invalid pixels NaN, valid bool [H, W], info dict) of an
    image file read whole; alpha bands are masks, not data. NaN, as in
    :class:`backend.io.patches.Patch`: the backbone gives such pixels the band mean."""
    src = str(path)
    if not src.startswith("/vsi") and not Path(src).is_file():
        raise BotaclipError(f"The chip {src} does not exist.")
    try:
        ds = gdal.Open(src)
    except RuntimeError as exc:
        raise BotaclipError(f"GDAL cannot read the chip {src} ({str(exc).strip()}); give "
                            "GeoTIFF, PNG or JPEG images.") from exc
    alpha = [i for i in range(1, ds.RasterCount + 1)
             if ds.GetRasterBand(i).GetColorInterpretation() == gdal.GCI_AlphaBand]
    bands = [i for i in range(1, ds.RasterCount + 1) if i not in alpha]
    if not bands:
        raise BotaclipError(f"The chip {src} has only alpha bands.")
    data = ds.ReadAsArray(band_list=bands, buf_type=gdal.GDT_Float32)
    data = np.asarray(data, dtype=np.float32).reshape(len(bands), ds.RasterYSize,
                                                     ds.RasterXSize)
    valid = np.ones(data.shape[1:], dtype=bool)
    for b in bands:
        band = ds.GetRasterBand(b)
        if not band.GetMaskFlags() & gdal.GMF_ALL_VALID:
            valid &= band.GetMaskBand().ReadAsArray() >= 128
    for a in alpha:
        valid &= ds.GetRasterBand(a).ReadAsArray() >= 128
    valid &= np.isfinite(data).all(axis=0)
    data[:, ~valid] = np.nan
    first = ds.GetRasterBand(bands[0])
    info = {"driver": ds.GetDriver().ShortName,
            "dtype": gdal.GetDataTypeName(first.DataType),
            "descriptions": [ds.GetRasterBand(b).GetDescription() or "" for b in bands],
            "colours": [gdal.GetColorInterpretationName(
                ds.GetRasterBand(b).GetColorInterpretation()) for b in bands]}
    return data, valid, info


def _chip_wavelengths(wavelengths, infos) -> list[float]:
    """The chips' band wavelengths (µm): ``wavelengths`` as given, else from the band
    descriptions, else red, green, blue for 3-band RGB images."""
    from ..io.presets import parse_wavelengths, wavelength_from_name

    n = {len(i["descriptions"]) for i in infos}
    if len(n) != 1:
        raise BotaclipError("The chips have different numbers of bands; embed chips of one "
                            "kind at a time.")
    n = n.pop()
    if wavelengths:
        wl, _ = parse_wavelengths(wavelengths)
        if len(wl) != n:
            raise BotaclipError(f"{len(wl)} wavelengths were given but the chips have {n} "
                                "band(s); give one per band, in band order.")
        return wl
    info = infos[0]
    hits = [wavelength_from_name(desc) for desc in info["descriptions"]]
    if all(hits):
        return [h[0] for h in hits]
    rgb = {"Red": 0.665, "Green": 0.56, "Blue": 0.49}
    if n == 3 and (all(c in rgb for c in info["colours"])
                   or info["driver"] in ("PNG", "JPEG", "WEBP")):
        cols = info["colours"] if all(c in rgb for c in info["colours"]) else \
            ["Red", "Green", "Blue"]
        return [rgb[c] for c in cols]
    raise BotaclipError(f"Cannot tell the wavelengths of the chips' {n} band(s) (descriptions "
                        f"{info['descriptions']}, colours {info['colours']}): give them with "
                        "--wavelengths, e.g. 0.665,0.56,0.49,0.842 (micrometres).")


def _chip_normalization(normalize: str, chips, infos, wavelengths):
    """none; ImageNet statistics for 8-bit RGB chips; else the chips' own per-band mean and
    standard deviation."""
    from ..io.presets import is_rgb
    from ..models.backbones import Normalization

    n = len(wavelengths)
    if normalize == "none":
        return Normalization.none(n)
    if is_rgb(wavelengths) and all(i["dtype"] == "Byte" for i in infos):
        return Normalization.imagenet()
    # the chips' own statistics, over all chips together (one chip gives the same result
    # alone or with others only when it is alone: say so in the help)
    total = np.zeros(n)
    total2 = np.zeros(n)
    count = 0
    for data, valid in chips:
        v = data[:, valid].astype(np.float64)
        total += v.sum(axis=1)
        total2 += (v ** 2).sum(axis=1)
        count += v.shape[1]
    if count == 0:
        raise BotaclipError("The chips hold no valid pixel.")
    mean = total / count
    std = np.sqrt(np.maximum(total2 / count - mean ** 2, 0.0))
    return Normalization("sampled", [float(m) for m in mean],
                         [float(s) if s > 1e-6 else 1.0 for s in std])


def embed_chips(chips, out, *, model=None, backbone=None, weights=None, weights_dir=None,
                backbone_config=None, wavelengths=None, normalize="auto", device="auto",
                precision=None, overwrite=False, progress=None):
    """Embed image files taken whole; write ``out`` (CSV: path, then one column per
    dimension) and return (rows [N, D] float32, column names). See `botaclip embed-chips`.

    ``model`` (a bundle folder: adapted, L2-normalised embeddings, columns e0...) or
    ``backbone`` (pooled features, columns f0..., with ``backbone_config`` for dofa-custom);
    ``wavelengths`` of the chips' bands; ``normalize`` auto or none; ``precision`` (default:
    the model's, float32 for a backbone). ``out`` is checked first: not one of the chips or
    the model, not a file of the user's unless ``overwrite`` (a CSV written here is
    replaced)."""
    progress = progress or SILENT
    if normalize not in ("auto", "none"):
        raise BotaclipError(f"--normalize must be auto or none, not {normalize!r}.")
    paths = [str(c) for c in chips]
    check_output(out, what="chip CSV", owned=OUR_CSV, overwrite=overwrite,
                 inputs=input_files(*paths, model, weights))
    read = [read_chip(c) for c in paths]
    data = [(chip, valid) for chip, valid, _ in read]
    infos = [i for _, _, i in read]
    bundle = None
    if model:
        bundle, bb = _bundle_backbone(model, paths, data, weights=weights,
                                      weights_dir=weights_dir, wavelengths=wavelengths,
                                      normalize=normalize, device=device, precision=precision,
                                      progress=progress)
        prefix = "e"
    else:
        from ..models.backbones import build_backbone

        wl = _chip_wavelengths(wavelengths, infos)
        norm = _chip_normalization(normalize, data, infos, wl)
        bb = build_backbone(backbone, weights, wavelengths=wl, normalization=norm,
                            weights_dir=weights_dir, device=device, progress=progress,
                            config=load_backbone_config(backbone_config))
        bb.precision = precision or "float32"
        prefix = "f"
    rows = []
    for k, (chip, _) in enumerate(data):
        progress.check()
        feats = bb.features(chip[None]).cpu().numpy()
        if bundle is not None:
            feats = bundle.embed_image_features(feats)
        rows.append(feats[0])
        progress.report((k + 1) / len(data), f"embedded {k + 1}/{len(data)} chips")
    rows = np.stack(rows).astype(np.float32)
    columns = [f"{prefix}{i}" for i in range(rows.shape[1])]
    _write_csv(Path(out), paths, columns, rows, overwrite)
    return rows, columns


def _bundle_backbone(model, paths, data, *, weights, weights_dir, wavelengths, normalize,
                     device, precision, progress) -> tuple:
    """(bundle, its backbone) for chips ``data`` whose bands must be the model's."""
    from ..bundle import load_bundle
    from ..io.presets import parse_wavelengths
    from ..models.backbones import Normalization, backbone_from_reference

    bundle = load_bundle(model)
    ref = bundle.config["backbone"]
    bb = backbone_from_reference(ref, weights=weights, weights_dir=weights_dir,
                                 device=device, progress=progress)
    bb.precision = precision or bundle.config.get("precision", "float32")
    want = [float(w) for w in (ref.get("input_wavelengths") or ref["wavelengths"])]
    for path, (chip, _) in zip(paths, data):
        if chip.shape[0] != len(want):
            raise BotaclipError(
                f"The model {model} takes {len(want)} band(s) "
                f"({', '.join(f'{w:g}' for w in want)} µm) but the chip {path} has "
                f"{chip.shape[0]}: give chips with the bands of the orthophoto it was "
                "trained on, in the same order.")
    if wavelengths:
        wl, _ = parse_wavelengths(wavelengths)
        if len(wl) != len(want) or not np.allclose(wl, want, atol=1e-4):
            raise BotaclipError(f"--wavelengths {wavelengths} differ from the model's "
                                f"bands ({', '.join(f'{w:g}' for w in want)} µm): give chips "
                                "with the bands the model was trained on, in that order.")
    if normalize == "none":
        progress.warn("--normalize none with --model: the chips are taken as already "
                      "normalised, not with the model's own normalisation.")
        bb.normalization = Normalization.none(len(bb.wavelengths))
    return bundle, bb


def _write_csv(out: Path, paths: list, columns: list, rows: np.ndarray,
               overwrite: bool = False) -> None:
    """One line per chip: its path, then its values (float32 exactly); written whole or not
    at all."""
    with atomic_output(out, owned=OUR_CSV, overwrite=overwrite, what="chip CSV") as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["path"] + columns)
            for path, r in zip(paths, rows):
                writer.writerow([path] + [f"{v:.9g}" for v in r.tolist()])   # float32 exactly
