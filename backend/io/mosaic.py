"""Mosaics: :func:`build_vrt` puts rasters (files or a folder of them) into one VRT.

:func:`build_vrt` turns gdalbuildvrt's alpha band into a VRT dataset mask (``<MaskBand>``):
GDAL honours an alpha band as a mask only in 2- and 4-band datasets (see :mod:`.raster`).
"""

from __future__ import annotations

from pathlib import Path

from osgeo import gdal

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .atomic import atomic_output
from .gdalutil import same_crs, srs_from_wkt, srs_label
from .raster import raster_info

_RASTER_EXT = (".tif", ".tiff", ".jp2", ".vrt", ".img", ".png", ".jpg", ".jpeg", ".ecw")


def _alpha_to_mask_band(vrt: Path) -> None:
    """Turn the alpha band gdalbuildvrt adds into the VRT's dataset mask (<MaskBand>): GDAL
    honours an alpha band as a mask only in 2- and 4-band datasets, a mask band always."""
    import xml.etree.ElementTree as ET

    tree = ET.parse(vrt)
    root = tree.getroot()
    bands = root.findall("VRTRasterBand")
    alpha = bands[-1] if bands else None
    if alpha is None or (alpha.findtext("ColorInterp") or "").lower() != "alpha":
        return
    root.remove(alpha)
    alpha.attrib.pop("band", None)
    alpha.remove(alpha.find("ColorInterp"))
    ET.SubElement(root, "MaskBand").append(alpha)
    tree.write(vrt, encoding="UTF-8")


def build_vrt(paths, out, *, resolution: str = "highest", add_alpha: bool | None = None,
              progress: Progress = SILENT, **opts) -> Path:
    """Mosaic rasters into one VRT (gdal.BuildVRT), written atomically.

    ``paths``: raster files, or one folder (its rasters). All must share the CRS and the number
    of bands (clear error otherwise: GDAL would silently skip them). ``add_alpha`` (default:
    only when some input has neither nodata nor a mask) marks the holes between the tiles
    invalid rather than black, with a dataset mask (<MaskBand>) made from gdalbuildvrt's alpha
    band. Other keyword options go to
    gdal.BuildVRTOptions (e.g. srcNodata=0, VRTNodata=0, resampleAlg="bilinear").
    """
    if isinstance(paths, (str, Path)) and Path(paths).is_dir():
        folder = Path(paths)
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in _RASTER_EXT
                       and p.resolve() != Path(out).resolve())
        if not paths:
            raise BotaclipError(f"No raster ({', '.join(_RASTER_EXT)}) in the folder {folder}.")
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [str(p) for p in paths]
    if not paths:
        raise BotaclipError("No raster given to mosaic.")
    infos = []
    for i, p in enumerate(paths):
        infos.append(raster_info(p))
        progress.report(0.5 * (i + 1) / len(paths), "Checking the rasters to mosaic")
        progress.check()
    ref = infos[0]
    ref_srs = srs_from_wkt(ref.srs_wkt)
    other = [inf for inf in infos[1:] if not same_crs(ref_srs, srs_from_wkt(inf.srs_wkt))]
    if other:
        listing = "\n".join(f"  {inf.path}: {srs_label(inf.srs_wkt)}" for inf in [ref] + other)
        raise BotaclipError("The rasters to mosaic are in different CRSs:\n" + listing +
                            "\nReproject them to one CRS first (gdalwarp -t_srs ...).")
    counts = {len(inf.spectral_bands) for inf in infos}
    if len(counts) > 1:
        listing = "\n".join(f"  {inf.path}: {len(inf.spectral_bands)} bands" for inf in infos)
        raise BotaclipError("The rasters to mosaic have different numbers of bands:\n" + listing +
                            "\nMosaic only rasters with the same bands, in the same order.")
    if add_alpha is None:
        add_alpha = any(not inf.has_mask for inf in infos) and not (
            "srcNodata" in opts or "VRTNodata" in opts)
    out = Path(out)
    options = gdal.BuildVRTOptions(resolution=resolution, addAlpha=bool(add_alpha), **opts)
    with atomic_output(out) as tmp:
        ds = gdal.BuildVRT(str(tmp), paths, options=options)
        if ds is None:
            raise BotaclipError(f"GDAL could not build the mosaic {out}.")
        ds.FlushCache()
        ds = None
        if add_alpha:
            _alpha_to_mask_band(Path(tmp))
    progress.report(1.0, "Mosaic written")
    return out
