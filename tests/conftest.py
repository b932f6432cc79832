"""Shared test fixtures. The package is imported as `botaclip` (see tools/setup.sh), whatever
the checkout's folder is called."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BOTACLIP_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir():
    """The project's shared reference data (DOFA fixtures, real data sets). CI lays it beside
    the clone, so there a missing folder is a set-up failure, not a reason to skip."""
    if not SHARED.exists():
        message = f"shared data folder {SHARED} not found (set BOTACLIP_SHARED)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED


def make_small_scene(out_dir, n_plots: int = 200, seed: int = 0, identical: bool = False):
    """A small synthetic scene for training tests that must stay fast (the 2 km demo takes
    ~26 s): an 800 m x 800 m 4-band 8-bit orthophoto at 4 m in Lambert-93 whose colour
    follows four habitat zones, and ``n_plots`` relevés (percent covers of 24 taxa drawn
    from the habitat under each plot) as a GeoPackage. ``identical``: every relevé the same.
    Returns (ortho path, relevés path). 200 plots: training needs 50 training, 50
    validation and 50 test plots after the buffer, which with 40 m or 100 m patches leaves
    out 4 or 27 of them here."""
    import numpy as np
    from osgeo import gdal, osr

    from botaclip.backend.releves import Releves, write_releves

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    px, size, x0, y0 = 4.0, 200, 900000.0, 6500000.0
    yy, xx = np.mgrid[0:size, 0:size]
    zone = ((np.sin(xx / 23.0) + np.cos(yy / 31.0) > 0).astype(int)
            + 2 * (np.sin((xx + yy) / 41.0) > 0.3).astype(int))          # 4 habitats
    colours = np.array([[70, 110, 50, 160], [150, 140, 90, 110], [60, 80, 40, 200],
                        [180, 170, 160, 60]], dtype=float)
    img = colours[zone].transpose(2, 0, 1) + rng.normal(0, 10, (4, size, size))
    path = out_dir / "ortho.tif"
    ds = gdal.GetDriverByName("GTiff").Create(str(path), size, size, 4, gdal.GDT_Byte,
                                              ["PHOTOMETRIC=MINISBLACK", "ALPHA=NO"])
    ds.SetGeoTransform((x0, px, 0.0, y0 + size * px, 0.0, -px))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds.SetProjection(srs.ExportToWkt())
    for b, name in enumerate(("red", "green", "blue", "nir")):
        band = ds.GetRasterBand(b + 1)
        band.WriteArray(np.clip(img[b], 0, 255).astype("uint8"))
        band.SetDescription(name)
    ds = None
    margin = 30.0
    xs = x0 + rng.uniform(margin, size * px - margin, n_plots)
    ys = y0 + rng.uniform(margin, size * px - margin, n_plots)
    cols = ((xs - x0) / px).astype(int)
    rows = ((y0 + size * px - ys) / px).astype(int)
    hab = zone[rows, cols]
    n_taxa = 24
    affinity = rng.uniform(0, 1, (4, n_taxa)) ** 3
    values = np.where(rng.uniform(0, 1, (n_plots, n_taxa)) < affinity[hab],
                      np.round(rng.uniform(1, 60, (n_plots, n_taxa))), 0.0)
    values[values.sum(axis=1) == 0, 0] = 5.0
    if identical:
        values[:] = values[0]
    rel = Releves(plot_ids=[f"P{i:03d}" for i in range(n_plots)],
                  taxa=[f"Taxon {chr(65 + j)}us" for j in range(n_taxa)],
                  values=values.astype("float32"), value_kind="cover_percent", x=xs, y=ys,
                  srs_wkt=srs.ExportToWkt(), source="synthetic", cover_scale="percent")
    rel_path = write_releves(rel, out_dir / "releves.gpkg")
    return path, rel_path


@pytest.fixture(scope="session")
def small_scene(tmp_path_factory):
    """(ortho, relevés) of :func:`make_small_scene`, built once per session."""
    return make_small_scene(tmp_path_factory.mktemp("small_scene"))


@pytest.fixture(scope="session")
def demo_2m(tmp_path_factory):
    """The 2 km demo landscape at 2 m pixels, seed 0 (backend/demo: orthophoto, relevés,
    butterfly points, soil samples and the truth rasters they were drawn from): the
    DemoResult, built once per session for the modules that need a scene with a known truth.

    Read-only input: tests read these files and write their outputs to ``tmp_path`` (or
    their own ``tmp_path_factory`` folder), never into ``demo_2m.out_dir`` -- a file added
    or changed there would leak into every later module. A test that must write beside the
    data builds its own scene."""
    from botaclip.backend.demo import generate_demo_data

    return generate_demo_data(tmp_path_factory.mktemp("demo_2m") / "data", size_m=2000.0,
                              pixel_m=2.0, seed=0)


@pytest.fixture(scope="session")
def demo_2m_spectral(demo_2m, tmp_path_factory):
    """The path of :func:`demo_2m`'s orthophoto embedded with the spectral baseline (band
    statistics of 100 m patches) at a 50 m stride: a 40 x 40 raster of 32 bands whose pixels
    each cover 10 x 10 pixels of the 5 m truth rasters (~4 s, once per session). Its resume
    state goes to a folder of its own, not the user's cache.

    Read-only input, like :func:`demo_2m`: outputs go to ``tmp_path``; a test that needs
    to change the raster works on a copy."""
    from botaclip.backend.embed import embed_raster

    root = tmp_path_factory.mktemp("demo_2m_spectral")
    out = root / "emb.tif"
    embed_raster(demo_2m.orthophoto, out, backbone="spectral", patch_m=100.0, stride_m=50.0,
                 device="cpu", cache_dir=root / "state")
    return out


@pytest.fixture
def two_threads():
    """torch on 2 threads for the test (what the build machine has), restored afterwards."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(old)
