"""BotaCLIP backend: pure Python, numpy, GDAL and torch. Never imports qgis or Qt."""

__version__ = "0.2.0"
