"""Reading and writing rasters, vectors and relevé tables."""
