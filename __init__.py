"""BotaCLIP for QGIS.

QGIS calls ``classFactory`` when it loads the plugin. Nothing heavy is imported here: the
backend (torch, GDAL work) is imported lazily by the plugin's actions, and importing this
package outside QGIS (the command line, the tests) imports no qgis module at all.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin.plugin import BotaclipPlugin

    return BotaclipPlugin(iface)
