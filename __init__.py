"""BotaCLIP for QGIS.

QGIS calls ``classFactory`` when it loads the plugin, in the desktop and in ``qgis_process``.
Its first act is to keep native modules that crash QGIS (torch's optional triton) out of the
process, before anything imports torch (see ``plugin/native_guard.py``). Nothing heavy is
imported here: the backend (torch, GDAL work) is imported lazily by the plugin's actions, and
importing this package outside QGIS (the command line, the tests) imports no qgis module.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin.native_guard import protect

    protect()
    from .plugin.plugin import BotaclipPlugin

    return BotaclipPlugin(iface)
