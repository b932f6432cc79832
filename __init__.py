"""BotaCLIP for QGIS.

QGIS calls ``classFactory`` when it loads the plugin, in the desktop and in ``qgis_process``.
It first puts the installer's private packages folder on ``sys.path``
(``plugin/install/site_dir.py``), then keeps native modules that crash QGIS (torch's optional
triton) out of the process (``plugin/native_guard.py``), before anything imports torch.
Nothing heavy is imported here: the backend (torch, GDAL work) is imported lazily by the
plugin's actions, and importing this package outside QGIS (the command line, the tests)
imports no qgis module.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from qgis.core import QgsApplication

    from .plugin.install.site_dir import activate_profile
    from .plugin.native_guard import protect

    # The packages BotaCLIP's installer put in the QGIS profile go first on sys.path, before
    # anything imports torch (plugin/install/site_dir.py); then the guard, so that it also
    # keeps out a triton that the installer's CUDA torch brought into that folder.
    activate_profile(QgsApplication.qgisSettingsDirPath())
    protect()
    from .plugin.plugin import BotaclipPlugin

    return BotaclipPlugin(iface)
