"""The QGIS side of BotaCLIP: everything that imports qgis or Qt lives here.

A thin layer over :mod:`..backend`: actions, dialogs, QgsTask wrappers, the Processing
provider, layer styling, settings and the dependency check. Importing this package imports
no backend module and nothing heavy (torch is never imported at QGIS start-up).
"""
