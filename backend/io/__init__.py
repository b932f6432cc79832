"""Reading and writing rasters and vectors with GDAL.

:mod:`.raster` (opening a raster, its header, validity masks, CRS), :mod:`.patches` (patches
centred on plots), :mod:`.band_stats` (band statistics from a sample), :mod:`.mosaic` (VRT
mosaics), :mod:`.presets` (band wavelengths and sensor presets), :mod:`.vector` (point
layers), :mod:`.gdalutil` (GDAL/OSR helpers) and :mod:`.atomic` (outputs that appear only when
complete). Relevé tables are read and written by :mod:`backend.releves`.
"""
