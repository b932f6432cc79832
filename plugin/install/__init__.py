"""The dependency installer: pip into a private folder per QGIS profile and Python version.

QGIS-free modules (testable in a plain Python): :mod:`.site_dir` (the folder, put on
``sys.path`` at start-up), :mod:`.staging` (a copy beside it that is swapped in only when an
install succeeded), :mod:`.constraints` (what QGIS already ships, pinned), :mod:`.torch_choice`
(CPU, CUDA or MPS torch from the GPU and driver), :mod:`.network` (QGIS's proxy and
certificates as pip options), :mod:`.packages` (what to install), :mod:`.pip_process` (a
subprocess with streamed lines and a Cancel that kills it), :mod:`.pip_job` (the install
itself), :mod:`.manifest` and :mod:`.wheelhouse` (offline installs). :mod:`.qgis_network`
reads QGIS's settings and is the only one that imports qgis.

Nothing here is imported at plugin load except :mod:`.site_dir` (and :mod:`.staging`, which
it uses), which import only the standard library.
"""
