"""What the keys of cached results are made of, shared by the feature cache
(:mod:`backend.train.features`) and the resume state of embedding: the identity of a raster's
pixels and the part of a backbone's reference that decides its outputs.
"""

from __future__ import annotations

import os
from pathlib import Path

from osgeo import gdal

from .errors import BotaclipError
from .io import gdalutil  # noqa: F401  (turns GDAL exceptions on)

# file suffixes GDAL lists for a raster that do not change the pixels the reader returns
_IGNORED_SIDECARS = (".aux.xml", ".ovr")


def raster_identity(path) -> dict:
    """What identifies the pixels of a raster: its resolved path, size and mtime, and those of
    the other files GDAL reads for it (VRT sources, masks). A changed file changes the key.
    ``.aux.xml`` statistics and ``.ovr`` overviews, which QGIS may write and the patch reader
    never uses, are left out."""
    p = str(path)
    if p.startswith("/vsi"):
        return {"path": p, "files": []}
    main = Path(p).resolve()
    files = {str(main)}
    try:
        ds = gdal.OpenEx(p, gdal.OF_RASTER | gdal.OF_READONLY)
        files.update(str(Path(f).resolve()) for f in (ds.GetFileList() or [])
                     if not str(f).startswith("/vsi"))
        ds = None
    except RuntimeError as exc:
        raise BotaclipError(f"GDAL cannot read {p} as a raster ({str(exc).strip()}). Check "
                            "the path and that the file is complete.") from exc
    entries = []
    for f in sorted(files):
        if f.lower().endswith(_IGNORED_SIDECARS):
            continue
        try:
            st = os.stat(f)
            entries.append([f, st.st_size, st.st_mtime_ns])
        except OSError:
            entries.append([f, None, None])       # a missing VRT source: still part of the key
    return {"path": str(main), "files": entries}


def backbone_key_reference(ref: dict) -> dict:
    """A backbone's reference (``Backbone.reference()``) as it enters a cache key: without
    the weights' path when their sha256 identifies them, since the same file moved elsewhere
    gives the same outputs."""
    ref = dict(ref)
    if ref.get("weights_sha256"):
        ref.pop("weights_path", None)
    return ref
