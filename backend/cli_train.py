"""`botaclip train` and `botaclip embed-chips` (registered by backend.cli).

``train`` is a thin front door onto :func:`backend.train.train_model`. ``embed-chips`` embeds
image chips taken whole (GeoTIFF, PNG, JPEG...) with a trained model (adapted, L2-normalised
embeddings) or with a bare backbone (its pooled features), one CSV row per chip.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .errors import BotaclipError

BACKBONE_CHOICES = "dofa-small | dofa-base | dofa-large | dofa-custom | timm:NAME | spectral"


def _json_object(text):
    """A JSON object given inline or as a path to a .json file (for --backbone-config)."""
    if text is None:
        return None
    p = Path(text)
    try:
        raw = p.read_text(encoding="utf-8") if p.suffix.lower() == ".json" and p.exists() \
            else text
        value = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise BotaclipError(f"--backbone-config {text!r} is not a JSON object nor a readable "
                            f".json file ({exc}); e.g. '{{\"embed_dim\": 384, \"depth\": 12, "
                            "\"num_heads\": 6}'.") from exc
    if not isinstance(value, dict):
        raise BotaclipError(f"--backbone-config must be a JSON object, not {text!r}.")
    return value


def register(sub) -> None:
    """Add the train and embed-chips subcommands to the `botaclip` parser."""
    from .cli import add_band_options, add_releve_options
    from .io.releves import TRANSFORMS
    from .train import DEFAULT_COVER_TRANSFORM

    p = sub.add_parser("train", help="train a BotaCLIP model on an orthophoto and relevés",
                       description="Train BotaCLIP's image adapter and relevé encoder on a "
                       "frozen backbone; writes a model folder (bundle + report/).")
    p.add_argument("--ortho", required=True, metavar="RASTER", help="orthophoto (any GDAL "
                   "raster in a projected CRS)")
    p.add_argument("--releves", required=True, metavar="VECTOR", help="relevé point layer "
                   "(or header table with --x/--y/--crs)")
    add_releve_options(p)
    add_band_options(p)
    g = p.add_argument_group("model")
    g.add_argument("--backbone", default="dofa-base", metavar="NAME",
                   help=f"{BACKBONE_CHOICES} (default dofa-base)")
    g.add_argument("--weights", metavar="PATH|none", help="backbone weights file; 'none' for "
                   "random weights (tests and demonstrations only); default: DOFA's file in "
                   "--weights-dir")
    g.add_argument("--weights-dir", metavar="DIR", help="folder of DOFA weight files "
                   "(default $BOTACLIP_WEIGHTS_DIR or ~/.botaclip/weights)")
    g.add_argument("--backbone-config", type=_json_object, metavar="JSON",
                   help="DOFA architecture as a JSON object or .json file (dofa-custom)")
    g.add_argument("--epochs", type=int, default=50, help="training epochs (default 50)")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where the backbone and the training run (default auto)")
    g.add_argument("--precision", default="auto", choices=["auto", "float32", "bfloat16"],
                   help="backbone precision; bfloat16 is used only where its embeddings agree "
                   "with float32 (default auto)")
    g.add_argument("--cover-transform", default=DEFAULT_COVER_TRANSFORM, choices=TRANSFORMS,
                   help=f"transform of the covers (default {DEFAULT_COVER_TRANSFORM})")
    g.add_argument("--min-valid", type=float, default=0.8, metavar="F",
                   help="least fraction of valid pixels in a plot's patch (default 0.8)")
    g.add_argument("--batch-size", type=int, metavar="N", help="plots per backbone batch "
                   "(each gives 8 patches; default 8 on a CPU, 32 on a GPU)")
    g.add_argument("--cache-dir", metavar="DIR", help="feature cache (default "
                   "$BOTACLIP_CACHE_DIR or ~/.cache/botaclip/features)")
    g.add_argument("--no-cache", action="store_true", help="do not read or write the feature "
                   "cache (and do not resume an interrupted training)")
    p.add_argument("--out", required=True, metavar="MODEL_DIR", help="model folder to write")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("embed-chips", help="embed image chips (whole files) into a CSV",
                       description="One CSV row per chip: its path, then one column per "
                       "dimension. With --model: the model's adapted, L2-normalised embedding; "
                       "with --backbone: the backbone's pooled features.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", metavar="MODEL_DIR", help="a trained model folder")
    src.add_argument("--backbone", metavar="NAME", help=BACKBONE_CHOICES)
    p.add_argument("--weights", metavar="PATH|none", help="backbone weights (with --backbone; "
                   "with --model, where the recorded file has moved)")
    p.add_argument("--weights-dir", metavar="DIR")
    p.add_argument("--backbone-config", type=_json_object, metavar="JSON")
    p.add_argument("--wavelengths", metavar="LIST", help="band centre wavelengths of the "
                   "chips in micrometres (default: from the chips' band descriptions or "
                   "colours; with --model, the model's)")
    p.add_argument("--normalize", default="auto", choices=["auto", "none"],
                   help="auto: the model's normalisation, or for a backbone ImageNet "
                   "statistics for 8-bit RGB chips and else the chips' own per-band "
                   "statistics; none: values go to the backbone unchanged")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--precision", default=None, choices=["float32", "bfloat16"],
                   help="backbone precision (default: the model's; float32 for a backbone)")
    p.add_argument("--out", required=True, metavar="FEATURES.csv")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("chips", nargs="+", metavar="CHIP")
    p.set_defaults(func=cmd_embed_chips)


# ---------------------------------------------------------------- train

def cmd_train(args) -> int:
    from .cli import _progress, releve_options
    from .train import train_model

    summary = train_model(
        args.ortho, args.releves, args.out, options=releve_options(args), sensor=args.sensor,
        wavelengths=args.wavelengths, patch_m=args.patch_m, backbone=args.backbone,
        weights=args.weights, weights_dir=args.weights_dir,
        backbone_config=args.backbone_config, epochs=args.epochs, seed=args.seed,
        device=args.device, precision=args.precision, cover_transform=args.cover_transform,
        min_valid=args.min_valid, cache_dir=False if args.no_cache else args.cache_dir,
        batch_size=args.batch_size, progress=_progress(args))
    if args.json:
        from .bundle import to_jsonable

        json.dump(to_jsonable(summary.to_dict()), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(summary.text())
    return 0


# ---------------------------------------------------------------- embed-chips

def read_chip(path) -> tuple:
    """(data float32 [C, H, W] with invalid pixels 0, valid bool [H, W], info dict) of an
    image file read whole; alpha bands are masks, not data."""
    from osgeo import gdal

    from .io import gdalutil  # noqa: F401  (GDAL exceptions on)

    p = str(path)
    if not p.startswith("/vsi") and not Path(p).is_file():
        raise BotaclipError(f"The chip {p} does not exist.")
    try:
        ds = gdal.Open(p)
    except RuntimeError as exc:
        raise BotaclipError(f"GDAL cannot read the chip {p} ({str(exc).strip()}); give "
                            "GeoTIFF, PNG or JPEG images.") from exc
    alpha = [i for i in range(1, ds.RasterCount + 1)
             if ds.GetRasterBand(i).GetColorInterpretation() == gdal.GCI_AlphaBand]
    bands = [i for i in range(1, ds.RasterCount + 1) if i not in alpha]
    if not bands:
        raise BotaclipError(f"The chip {p} has only alpha bands.")
    import numpy as np

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
    data[:, ~valid] = 0.0
    first = ds.GetRasterBand(bands[0])
    info = {"driver": ds.GetDriver().ShortName,
            "dtype": gdal.GetDataTypeName(first.DataType),
            "descriptions": [ds.GetRasterBand(b).GetDescription() or "" for b in bands],
            "colours": [gdal.GetColorInterpretationName(
                ds.GetRasterBand(b).GetColorInterpretation()) for b in bands]}
    return data, valid, info


def _chip_wavelengths(args, infos) -> list[float]:
    from .io.presets import parse_wavelengths, wavelength_from_name

    n = {len(i["descriptions"]) for i in infos}
    if len(n) != 1:
        raise BotaclipError("The chips have different numbers of bands; embed chips of one "
                            "kind at a time.")
    n = n.pop()
    if args.wavelengths:
        wl, _ = parse_wavelengths(args.wavelengths)
        if len(wl) != n:
            raise BotaclipError(f"{len(wl)} wavelengths were given but the chips have {n} "
                                "band(s); give one per band, in band order.")
        return wl
    info = infos[0]
    hits = [wavelength_from_name(d) for d in info["descriptions"]]
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


def _chip_normalization(args, chips, infos, wavelengths):
    import numpy as np

    from .io.presets import _is_rgb
    from .models.backbones import Normalization

    n = len(wavelengths)
    if args.normalize == "none":
        return Normalization.none(n)
    if _is_rgb(wavelengths) and all(i["dtype"] == "Byte" for i in infos):
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
                precision=None, progress=None):
    """Embed image files taken whole; write ``out`` (CSV: path, then one column per
    dimension) and return (rows [N, D] float32, column names). See `botaclip embed-chips`."""
    import argparse

    from .progress import SILENT

    args = argparse.Namespace(
        model=model, backbone=backbone, weights=weights, weights_dir=weights_dir,
        backbone_config=backbone_config, wavelengths=wavelengths, normalize=normalize,
        device=device, precision=precision, chips=[str(c) for c in chips], out=str(out))
    return _embed(args, progress or SILENT)


def _embed(args, progress):
    import csv

    import numpy as np

    from .bundle import load_bundle
    from .io.atomic import atomic_output
    from .io.presets import parse_wavelengths
    from .models.backbones import Normalization, backbone_from_reference, build_backbone

    if args.normalize not in ("auto", "none"):
        raise BotaclipError(f"--normalize must be auto or none, not {args.normalize!r}.")
    read = [read_chip(c) for c in args.chips]
    chips = [(d, v) for d, v, _ in read]
    infos = [i for _, _, i in read]
    bundle = None
    if args.model:
        bundle = load_bundle(args.model)
        ref = bundle.config["backbone"]
        bb = backbone_from_reference(ref, weights=args.weights, weights_dir=args.weights_dir,
                                     device=args.device, progress=progress)
        bb.precision = args.precision or bundle.config.get("precision", "float32")
        want = [float(w) for w in (ref.get("input_wavelengths") or ref["wavelengths"])]
        for path, (data, _) in zip(args.chips, chips):
            if data.shape[0] != len(want):
                raise BotaclipError(
                    f"The model {args.model} takes {len(want)} band(s) "
                    f"({', '.join(f'{w:g}' for w in want)} µm) but the chip {path} has "
                    f"{data.shape[0]}: give chips with the bands of the orthophoto it was "
                    "trained on, in the same order.")
        if args.wavelengths:
            wl, _ = parse_wavelengths(args.wavelengths)
            if len(wl) != len(want) or not np.allclose(wl, want, atol=1e-4):
                raise BotaclipError(f"--wavelengths {args.wavelengths} differ from the model's "
                                    f"bands ({', '.join(f'{w:g}' for w in want)} µm): give chips "
                                    "with the bands the model was trained on, in that order.")
        if args.normalize == "none":
            progress.warn("--normalize none with --model: the chips are taken as already "
                          "normalised, not with the model's own normalisation.")
            bb.normalization = Normalization.none(len(bb.wavelengths))
        prefix = "e"
    else:
        wl = _chip_wavelengths(args, infos)
        norm = _chip_normalization(args, chips, infos, wl)
        bb = build_backbone(args.backbone, args.weights, wavelengths=wl, normalization=norm,
                            weights_dir=args.weights_dir, device=args.device,
                            progress=progress, config=args.backbone_config)
        bb.precision = args.precision or "float32"
        prefix = "f"
    rows = []
    for k, (data, _) in enumerate(chips):
        progress.check()
        f = bb.features(data[None]).cpu().numpy()
        if bundle is not None:
            f = bundle.embed_image_features(f)
        rows.append(f[0])
        progress.report((k + 1) / len(chips), f"embedded {k + 1}/{len(chips)} chips")
    rows = np.stack(rows).astype(np.float32)
    columns = [f"{prefix}{i}" for i in range(rows.shape[1])]
    out = Path(args.out)
    with atomic_output(out) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["path"] + columns)
            for path, r in zip(args.chips, rows):
                w.writerow([path] + [f"{v:.9g}" for v in r.tolist()])   # float32 exactly
    return rows, columns


def cmd_embed_chips(args) -> int:
    from .cli import _progress

    if args.backbone is None and args.backbone_config is not None:
        raise BotaclipError("--backbone-config goes with --backbone, not --model (a model "
                            "records its backbone).")
    rows, _ = _embed(args, _progress(args))
    print(f"{len(rows)} chip(s) embedded ({rows.shape[1]} dimensions) into {args.out}",
          file=sys.stderr)
    return 0
