"""The embedding stage: a whole orthophoto streamed through a model into a cloud-optimised
embedding raster (one band per dimension), in flat memory, resumable; and image chips
embedded whole into a CSV.

Where things are:

- :mod:`.engine`: :func:`embed_raster` (check, plan, resume, stream, finish) and
  :class:`EmbedResult`;
- :mod:`.grid`: the output grid (:class:`Grid`, :func:`plan_grid`) and :func:`parse_extent`;
- :mod:`.mask`: the polygon mask that limits the area;
- :mod:`.model`: the model to embed with (a bundle or a backbone), :func:`auto_batch_size`;
- :mod:`.reader`: the worker threads that read and prepare patches ahead of the model;
- :mod:`.stream`: the compute loop that runs the model and writes finished blocks;
- :mod:`.state`: the resume state, its lock and the free-disk check;
- :mod:`.cog`: the temporary GeoTIFF, the tags, the COG, :func:`read_embedding_tags`;
- :mod:`.preview`: the RGB preview of the first three principal components;
- :mod:`.chips`: :func:`embed_chips`, the backend of `botaclip embed-chips`.

Each module's docstring details its part (grid, validity, streaming, resume, output).
"""

from .chips import embed_chips, read_chip
from .cog import read_embedding_tags
from .engine import DTYPES, EmbedResult, embed_raster
from .grid import Grid, parse_extent, plan_grid
from .model import auto_batch_size, load_backbone_config
from .state import default_state_dir

__all__ = ["embed_raster", "EmbedResult", "Grid", "plan_grid", "auto_batch_size",
           "default_state_dir", "parse_extent", "read_embedding_tags", "DTYPES",
           "embed_chips", "read_chip", "load_backbone_config"]
