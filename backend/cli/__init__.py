"""The `botaclip` command line (``python -m botaclip.backend.cli``, or the ``botaclip`` script
that tools/setup.sh writes): a thin front door onto the backend functions.

- :mod:`.main`: the parser, dispatch and exit statuses (:func:`main`).
- :mod:`.options`: option groups shared by several commands (relevé, band,
  ``--backbone-config``) and the terminal progress adapter.
- one module per command: :mod:`.demo` (``demo-data``, ``demo``), :mod:`.check`,
  :mod:`.releves` (``releves import``), :mod:`.presets`, :mod:`.train`, :mod:`.chips`
  (``embed-chips``), :mod:`.embed`, :mod:`.maps` (``predict``, ``apply``), :mod:`.evaluate`,
  :mod:`.zeroshot` (``similarity``), :mod:`.suitability`,
  :mod:`.habitats`, :mod:`.diagnostics`.

Command modules import only :mod:`.options` and the backend, never :mod:`.main`.
"""

from .main import main

__all__ = ["main"]
