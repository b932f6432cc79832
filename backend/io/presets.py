"""Band wavelengths: sensor presets and the rules that give every spectral band a wavelength.

The image backbone (DOFA) is conditioned on each band's centre wavelength, so every band the
model sees needs one, in micrometres. :func:`resolve_bands` finds them, first match wins:

1. explicit wavelengths (a list, or text such as ``"0.665,0.56,0.49,0.842"``; values above 100
   are read as nanometres and converted, with a note);
2. a sensor preset from ``resources/presets/sensors.json`` (:func:`list_presets`);
3. the band descriptions GDAL reports, when every spectral band has one we understand:
   common names in several languages (red, Rouge, R, green, blue, nir, near-infrared, PIR...),
   STAC common names (coastal, nir08, swir16...), Sentinel-2 band names (B4, B04, B8A),
   Landsat Collection 2 names (SR_B4) and numbers with or without a unit ("665 nm", "0.665");
4. the colour interpretation when the raster has exactly three spectral bands coloured
   Red, Green and Blue;
5. otherwise a :class:`BotaclipError` that lists the presets with that many bands and shows the
   option syntax.

Alpha bands are masks, not spectral bands: they are left out of the band count here and out
of the patch data (see :attr:`raster.RasterInfo.spectral_bands`).

Bare Sentinel-2 style names ``B1``..``B12`` are read as Sentinel-2 bands. Landsat bands are
recognised only with their Collection 2 prefix (``SR_B4``) or with ``--sensor landsat8``,
because B5..B7 mean different wavelengths on the two sensors.
"""

from __future__ import annotations

import copy
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BotaclipError

PRESETS_FILE = Path(__file__).resolve().parents[2] / "resources" / "presets" / "sensors.json"

_cache: dict | None = None


def _load() -> dict:
    global _cache
    if _cache is None:
        try:
            doc = json.loads(PRESETS_FILE.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BotaclipError(f"Cannot read the sensor presets {PRESETS_FILE}: {exc}. "
                                "Reinstall the plugin.") from exc
        presets = doc.get("presets", {})
        for name, p in presets.items():
            if len(p["bands"]) != len(p["wavelengths_um"]):
                raise BotaclipError(f"Preset {name} in {PRESETS_FILE} has {len(p['bands'])} band "
                                    f"names but {len(p['wavelengths_um'])} wavelengths.")
        _cache = presets
    return _cache


def list_presets() -> dict[str, dict]:
    """All sensor presets: name -> {label, bands, wavelengths_um, dtype, scale, normalization,
    source}. A copy: changing it changes nothing else."""
    return copy.deepcopy(_load())


def _preset_key(name: str) -> str:
    return str(name).strip().lower().replace("_", "-").replace(" ", "-")


def get_preset(name: str) -> dict:
    """One preset by name (case, '_' and '-' do not matter); clear error when unknown."""
    presets = _load()
    key = _preset_key(name)
    if key not in presets:
        listing = "\n".join(f"  {n:14s} {len(p['bands'])} bands: {', '.join(p['bands'])}"
                            for n, p in presets.items())
        raise BotaclipError(f"Unknown sensor preset {name!r}. Known presets:\n{listing}\n"
                            "Or give the wavelengths yourself: --wavelengths 0.665,0.56,0.49 "
                            "(micrometres, one per band, in band order).")
    return dict(presets[key], name=key)


def presets_with(n_bands: int) -> list[str]:
    return [n for n, p in _load().items() if len(p["bands"]) == n_bands]


# ---------------------------------------------------------------- band names -> wavelengths

# Visible and NIR names map to the Sentinel-2 centres (the same values as the rgb / rgbn
# presets), so a file with band descriptions and the same file with --sensor rgbn agree.
_RED, _GREEN, _BLUE, _NIR = 0.665, 0.56, 0.49, 0.842

_NAMES: dict[str, tuple[float, str]] = {}


def _add(um: float, canonical: str, *aliases: str) -> None:
    for a in (canonical,) + aliases:
        _NAMES[_norm(a)] = (um, canonical)


def _norm(text: str) -> str:
    """Lower case, accents dropped, only letters and digits kept ('Near-Infrared' ->
    'nearinfrared', 'SR_B4' -> 'srb4')."""
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", t.lower())


_add(_RED, "red", "r", "rouge", "rot", "rojo", "rosso", "vermelho")
_add(_GREEN, "green", "g", "vert", "grun", "gruen", "verde")
_add(_BLUE, "blue", "b", "bleu", "blau", "azul", "blu")
_add(_NIR, "nir", "n", "ir", "infrared", "near infrared", "near ir", "nearir", "pir",
     "proche infrarouge", "infrarouge", "nahes infrarot", "nah infrarot", "nir1")
_add(0.443, "coastal", "coastal aerosol", "aerosol", "ultra blue", "deep blue")
_add(0.705, "rededge1", "red edge 1", "re1")
_add(0.74, "rededge2", "red edge 2", "re2")
_add(0.783, "rededge3", "red edge 3", "re3")
_add(0.865, "nir08", "narrow nir", "nir narrow", "nir2")
_add(0.945, "nir09", "water vapour", "water vapor")
_add(1.375, "cirrus")
_add(1.61, "swir16", "swir1", "swir 1")
_add(2.19, "swir22", "swir2", "swir 2")

_NOT_NEAR_IR = {"thermal", "tir", "lwir", "mwir", "short", "shortwave", "swir", "mid", "middle",
                "far"}

_S2 = {"1": 0.443, "2": 0.49, "3": 0.56, "4": 0.665, "5": 0.705, "6": 0.74, "7": 0.783,
       "8": 0.842, "8a": 0.865, "9": 0.945, "10": 1.375, "11": 1.61, "12": 2.19}
_LANDSAT = {"1": 0.443, "2": 0.482, "3": 0.561, "4": 0.655, "5": 0.865, "6": 1.609,
            "7": 2.201}
_S2_RE = re.compile(r"^b0?(1[0-2]|[1-9]|8a)$")
_LS_RE = re.compile(r"^(?:sr|oli|lc08|lc09|l8|l9)b0?([1-7])$")
_UNIT_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(nm|nanometres?|nanometers?|um|µm|μm|micrometres?|"
                      r"micrometers?|microns?)\b", re.IGNORECASE)


def _name_lookup(token: str) -> tuple[float, str] | None:
    n = _norm(token)
    if not n:
        return None
    if n in _NAMES:
        return _NAMES[n]
    m = _S2_RE.match(n)
    if m:
        key = m.group(1)
        return _S2[key], "B" + key.upper()
    m = _LS_RE.match(n)
    if m:
        return _LANDSAT[m.group(1)], "SR_B" + m.group(1)
    return None


def _plausible_um(v: float) -> bool:
    return 0.3 <= v <= 15.0


def wavelength_from_name(text: str) -> tuple[float, str] | None:
    """(centre wavelength in micrometres, canonical name) for a band description, or None.

    >>> wavelength_from_name("Near-Infrared")
    (0.842, 'nir')
    >>> wavelength_from_name("B8A")
    (0.865, 'B8A')
    >>> wavelength_from_name("665 nm")
    (0.665, '665 nm')
    """
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    hit = _name_lookup(s)
    if hit:
        return hit
    m = _UNIT_RE.search(s)
    if m:
        v = float(m.group(1).replace(",", "."))
        um = v / 1000.0 if m.group(2).lower().startswith("n") else v
        if _plausible_um(um):
            return round(um, 6), s
    try:
        v = float(s.replace(",", ".")) if re.fullmatch(r"[\d.,]+", s) else None
    except ValueError:
        v = None
    if v is not None:
        um = v / 1000.0 if v > 100 else v
        if _plausible_um(um):
            return round(um, 6), s
    # "Band 4 - Red", "B4 (red)", "Red band": every word that names a band must agree.
    found = set()
    words = [w for w in re.split(r"[^0-9A-Za-z]+", unicodedata.normalize("NFKD", s)) if w]
    for word in words:
        hit = _name_lookup(word) if len(word) > 1 else None
        if hit:
            found.add(hit)
    if {w.lower() for w in words} & _NOT_NEAR_IR and any(h[1] == "nir" for h in found):
        return None  # "thermal infrared", "shortwave infrared": not the near infrared
    if "edge" in s.lower() and not any(h[1].startswith("rededge") for h in found):
        return None  # "red edge" without a number: which of three?
    if len({h[0] for h in found}) == 1:
        return sorted(found, key=lambda h: len(h[1]))[0]
    return None


# ---------------------------------------------------------------- explicit wavelengths

def parse_wavelengths(wavelengths) -> tuple[list[float], list[str]]:
    """Micrometres from a list or 'a,b,c' text; values > 100 are nanometres (converted, noted).

    Returns (wavelengths_um, notes)."""
    if isinstance(wavelengths, str):
        items = [t for t in re.split(r"[,;\s]+", wavelengths.strip()) if t]
    else:
        items = list(wavelengths)
    if not items:
        raise BotaclipError("The wavelength list is empty: give one centre wavelength per band "
                            "in micrometres, e.g. --wavelengths 0.665,0.56,0.49.")
    out, notes, nm = [], [], []
    for i, item in enumerate(items, 1):
        try:
            v = float(item)
        except (TypeError, ValueError):
            raise BotaclipError(f"Wavelength {i} ({item!r}) is not a number: give centre "
                                "wavelengths in micrometres separated by commas, e.g. "
                                "0.665,0.56,0.49.") from None
        if not math.isfinite(v) or v <= 0:
            raise BotaclipError(f"Wavelength {i} ({item}) must be a positive number of "
                                "micrometres (e.g. 0.665 for red).")
        if v > 100:
            nm.append(v)
            v = v / 1000.0
        if not _plausible_um(v):
            raise BotaclipError(f"Wavelength {i} ({item}) is not a plausible band centre: give "
                                "micrometres (0.3 to 15, e.g. 0.665) or nanometres (e.g. 665).")
        out.append(round(v, 6))
    if nm:
        notes.append("wavelengths above 100 were read as nanometres and converted to "
                     f"micrometres: {', '.join(f'{v:g} nm' for v in nm)}")
    return out, notes


# ---------------------------------------------------------------- resolution

@dataclass
class BandSpec:
    """Wavelengths and names of the spectral bands, and where they came from."""

    wavelengths_um: list[float]
    names: list[str]
    source: str            # "user" | "preset:NAME" | "band descriptions" | "colour interpretation"
    preset: str | None
    normalization: str     # "imagenet" (8-bit red, green, blue) | "sampled"
    bands: list[int] = field(default_factory=list)   # 1-based raster bands described
    notes: list[str] = field(default_factory=list)


def is_rgb(wl) -> bool:
    return (len(wl) == 3 and 0.6 <= wl[0] <= 0.7 and 0.5 <= wl[1] < 0.6
            and 0.4 <= wl[2] < 0.5)


def _normalization(hint: str | None, wl, dtype: str, notes: list) -> str:
    rgb8 = is_rgb(wl) and dtype == "uint8"
    if hint == "imagenet" and not rgb8:
        notes.append(f"normalisation 'sampled' instead of the preset's 'imagenet': the bands are "
                     f"{dtype}, not 8-bit red, green, blue")
        return "sampled"
    if hint:
        return hint
    return "imagenet" if rgb8 else "sampled"


def _example(n: int) -> str:
    """Example option value with ``n`` wavelengths (red, green, blue, NIR, then SWIR)."""
    return ",".join((["0.665", "0.56", "0.49", "0.842"] + ["1.61"] * max(n, 1))[:max(n, 1)])


def _describe(descs) -> str:
    return ", ".join(repr(d) for d in descs) if any(descs) else "none"


def resolve_bands(info, sensor: str | None = None,
                  wavelengths: list[float] | str | None = None) -> BandSpec:
    """Centre wavelengths of the spectral bands of ``info`` (a RasterInfo), see module doc."""
    bands = list(getattr(info, "spectral_bands", None) or range(1, info.count + 1))
    n = len(bands)
    descs = [(info.descriptions[b - 1] or "").strip() for b in bands]
    colours = [info.color_interp[b - 1] for b in bands]
    path = getattr(info, "path", "the raster")
    alpha_note = []
    if n != info.count:
        alpha_note = [f"band(s) {', '.join(str(b) for b in info.alpha_bands)} are alpha "
                      "(transparency) and are used as a mask, not as spectral bands"]
    preset = get_preset(sensor) if sensor else None
    from_desc = [wavelength_from_name(d) for d in descs]

    if wavelengths is not None and not (isinstance(wavelengths, str) and not wavelengths.strip()):
        wl, notes = parse_wavelengths(wavelengths)
        if len(wl) != n:
            raise BotaclipError(
                f"{len(wl)} wavelengths were given but {path} has {n} spectral band"
                f"{'s' if n != 1 else ''} (band descriptions: {_describe(descs)}). "
                "Give exactly one centre wavelength per band, in band order.")
        if preset and len(preset["bands"]) == n:
            names = list(preset["bands"])
            notes.append(f"wavelengths given explicitly; preset {preset['name']} used only for "
                         "band names")
        elif all(from_desc):
            names = [h[1] for h in from_desc]
        else:
            names = [d or f"band {b}" for d, b in zip(descs, bands)]
        notes += alpha_note
        return BandSpec(wl, names, "user", None, _normalization(None, wl, info.dtype, notes),
                        bands, notes)

    if preset:
        k = len(preset["bands"])
        if k != n:
            others = presets_with(n)
            raise BotaclipError(
                f"The preset {preset['name']} has {k} bands ({', '.join(preset['bands'])}) but "
                f"{path} has {n} spectral band{'s' if n != 1 else ''} (band descriptions: "
                f"{_describe(descs)}). "
                + (f"Presets with {n} bands: {', '.join(others)}. " if others else "")
                + f"Or give one wavelength per band: --wavelengths {_example(n)}")
        notes = list(alpha_note)
        wl = [float(v) for v in preset["wavelengths_um"]]
        return BandSpec(wl, list(preset["bands"]), f"preset:{preset['name']}", preset["name"],
                        _normalization(preset.get("normalization"), wl, info.dtype, notes),
                        bands, notes)

    if n and all(from_desc):
        notes = list(alpha_note)
        wl = [h[0] for h in from_desc]
        return BandSpec(wl, [h[1] for h in from_desc], "band descriptions", None,
                        _normalization(None, wl, info.dtype, notes), bands, notes)

    rgb = {"Red": (_RED, "red"), "Green": (_GREEN, "green"), "Blue": (_BLUE, "blue")}
    if n == 3 and all(c in rgb for c in colours) and len(set(colours)) == 3:
        notes = list(alpha_note)
        wl = [rgb[c][0] for c in colours]
        return BandSpec(wl, [rgb[c][1] for c in colours], "colour interpretation", None,
                        _normalization(None, wl, info.dtype, notes), bands, notes)

    candidates = presets_with(n)
    presets = _load()
    listing = ("\n".join(f"  --sensor {c:14s} ({', '.join(presets[c]['bands'])})"
                         for c in candidates)
               if candidates else "  (no preset has this many bands)")
    unknown = [d for d, h in zip(descs, from_desc) if d and not h]
    example = _example(n)
    raise BotaclipError(
        f"Cannot tell the wavelengths of the {n} spectral band{'s' if n != 1 else ''} of {path}: "
        f"band descriptions {_describe(descs)}"
        + (f" (not understood: {', '.join(repr(u) for u in unknown)})" if unknown else "")
        + f", colours {', '.join(colours)}.\n"
        f"Presets with {n} band{'s' if n != 1 else ''}:\n{listing}\n"
        f"Or give one centre wavelength per band in micrometres, in band order: "
        f"--wavelengths {example}")
