"""The weights manager: which DOFA checkpoints are in the weights folder, downloading a
published one (resumable, hash-checked) and importing a file the user already has.

``store`` and ``inventory`` import neither qgis nor Qt (unit-testable, safe in worker
threads); ``download`` is the QGIS network side. Nothing here is imported when the plugin
loads: only when the Settings dialog or a fix button opens the weights dialog.
"""
