"""Embedding on a Dask cluster, tile by tile: ``botaclip embed ... --scheduler``.

Where things are:

- :mod:`.scheduler`: ``--scheduler local[:N] | tcp://HOST:PORT | FILE.json`` parsed, a local
  cluster started (CPU processes, or one worker per GPU) or a running one connected;
- :mod:`.tiles`: the output grid cut into tiles of whole engine blocks;
- :mod:`.manifest`: the tile folder's manifest (key, finished tiles and their checksums);
- :mod:`.worker`: the tasks run on the workers (the plan, a tile) with a model per worker;
- :mod:`.mosaic`: the tiles put together (VRT, one COG);
- :mod:`.client`: :func:`embed_distributed`, the run.

Dask is imported only when a run starts: importing this package does not import it.
"""

from .client import DistributedResult, embed_distributed, tiles_folder
from .scheduler import parse_scheduler
from .tiles import DEFAULT_TILE_PATCHES

__all__ = ["embed_distributed", "DistributedResult", "tiles_folder", "parse_scheduler",
           "DEFAULT_TILE_PATCHES"]
