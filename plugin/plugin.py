"""The QGIS plugin object: toolbar, menu, Processing provider, dependency check.

The menu "&BotaCLIP" goes in QGIS's Raster menu (through ``iface.addPluginToRasterMenu``):
every BotaCLIP tool starts from an orthophoto, metadata.txt files the plugin under the Raster
category, and the Raster menu is where QGIS users look for image analysis tools, while the
Plugins menu is crowded with plugin housekeeping. The tools are also in the Processing
toolbox (provider ``botaclip``).

Loading is kept fast: no backend module (and never torch) is imported until an action runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import Qgis, QgsApplication
from qgis.PyQt import sip
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QDialog, QPushButton

from . import deps, native_guard
from .help import open_help
from .i18n import PluginTranslator, tr
from .log_panel import LOG_TAG, LogPanel
from .log_panel import log as log_message
from .settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"


def icon(name: str) -> QIcon:
    return QIcon(str(ICONS / f"{name}.svg"))


class BotaclipPlugin:
    """Created by ``classFactory(iface)``. ``iface`` is None under qgis_process, which only
    calls :meth:`initProcessing`."""

    TOOLBAR_OBJECT_NAME = "BotaCLIPToolBar"

    def __init__(self, iface):
        self.iface = iface
        self.translator = PluginTranslator(ROOT / "i18n")
        self.translator.install()
        self.settings = Settings()
        self.menu_name = tr("&BotaCLIP")
        self.actions: dict[str, QAction] = {}
        self._tooltips: dict[str, str] = {}
        self.toolbar = None
        self.provider = None
        self.dialogs: dict[str, QDialog] = {}
        self.deps_report: deps.DependencyReport | None = None
        self.deps_item = None
        self._extra_path: str | None = None
        self.similar_places = None           # the Find similar places map tool, once used
        self.top_taxa = None                 # the Top taxa here map tool, once used
        self.log_panel = LogPanel()          # the BotaCLIP log tab, kept for diagnostics
        self.diagnostics = None              # Copy diagnostics, once used

    # ------------------------------------------------------------------ Processing
    def initProcessing(self):  # noqa: N802 (QGIS's name)
        if self.provider is None:
            from .processing.provider import BotaclipProvider

            self.provider = BotaclipProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    # ------------------------------------------------------------------ GUI
    def initGui(self):  # noqa: N802 (QGIS's name)
        self.start_log()
        self.apply_extra_path()
        self.deps_report = deps.check_dependencies()
        self.report_native_conflicts()

        self.toolbar = self.iface.addToolBar(tr("BotaCLIP"))
        self.toolbar.setObjectName(self.TOOLBAR_OBJECT_NAME)
        self.toolbar.setToolTip(tr("BotaCLIP tools"))
        specs = [
            ("demo", "demo", tr("Create demo data…"),
             tr("Write a small synthetic landscape (orthophoto, relevés, butterflies, soil) "
                "to try BotaCLIP"), self.show_demo_dialog, True),
            ("check", "check", tr("Check orthophoto and relevés…"),
             tr("Check that an orthophoto and a relevé layer can be used together: "
                "which plots are usable and why not"), self.show_check_dialog, True),
            ("import", "import", tr("Import relevés from a long table…"),
             tr("Turn a long table (plot, taxon, cover) and a plot table with "
                "coordinates into a relevé point layer"), self.show_import_dialog, True),
            ("train", "train", tr("Train model…"),
             tr("Train a BotaCLIP model on an orthophoto and relevés, with a report of its "
                "recall on held-out test plots"), self.show_train_dialog, True),
            ("embed", "embed", tr("Embed orthophoto…"),
             tr("Turn an orthophoto into an embedding raster with a trained model or a raw "
                "backbone, and an RGB preview of it"), self.show_embed_dialog, True),
            ("predict", "predict", tr("Predict map…"),
             tr("Map a species, an abundance or classes from an embedding raster and your "
                "observation points, with spatially cross-validated figures"),
             self.show_predict_dialog, True),
            ("evaluate", "evaluate", tr("Evaluate…"),
             tr("Compare the embeddings with simple baselines on your relevés and points, "
                "in spatial cross-validation, with an HTML report"),
             self.show_evaluate_dialog, True),
            ("similar", "similar", tr("Find similar places"),
             tr("Click on the map (or drag a rectangle) over an embedding raster to see "
                "where else looks like that place, with a threshold and its area"),
             self.activate_similar_places, True),
            ("suitability", "suitability", tr("Species suitability…"),
             tr("Map where taxa would find their habitat, and the expected community, from "
                "a model and the embedding raster made with it"),
             self.show_suitability_dialog, True),
            ("toptaxa", "toptaxa", tr("Top taxa here"),
             tr("Click on the map over a suitability map to list the taxa most likely "
                "present there, with their probabilities"), self.activate_top_taxa, True),
            ("habitats", "habitats", tr("Habitat clusters…"),
             tr("Group the pixels of an embedding raster into habitat types, with a legend "
                "and an optional summary of each"), self.show_habitats_dialog, True),
            ("settings", "settings", tr("Settings…"),
             tr("Model weights, device, cache and extra Python packages folders"),
             self.show_settings_dialog, True),
            ("help", "help", tr("Help"), tr("Open the BotaCLIP documentation"),
             self.show_help, False),
            ("diagnostics", "diagnostics", tr("Copy diagnostics"),
             tr("Copy a report of QGIS, Python, torch, GDAL, the model weights and the last "
                "BotaCLIP errors to the clipboard, to paste into an issue"),
             self.copy_diagnostics, False),
        ]
        parent = self.iface.mainWindow()
        for key, icon_name, text, tip, slot, on_toolbar in specs:
            action = QAction(icon(icon_name), text, parent)
            action.setObjectName(f"botaclip_{key}")
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.setWhatsThis(tip)
            action.triggered.connect(slot)
            if key in ("similar", "toptaxa"):
                action.setCheckable(True)       # a map tool: checked while it is active
            self.iface.addPluginToRasterMenu(self.menu_name, action)
            if on_toolbar:
                self.toolbar.addAction(action)
            self.actions[key] = action
            self._tooltips[key] = tip
        self.initProcessing()
        self.update_action_states()
        if not self.deps_report.ok:
            self.show_dependency_message()

    def unload(self):
        if self.diagnostics is not None:
            self.diagnostics.unload()
            self.diagnostics = None
        self.log_panel.stop()
        if self.similar_places is not None:
            self.similar_places.unload()
            self.similar_places = None
        if self.top_taxa is not None:
            self.top_taxa.unload()
            self.top_taxa = None
        for dlg in self.dialogs.values():
            if not sip.isdeleted(dlg):
                dlg.close()
                dlg.deleteLater()
        self.dialogs.clear()
        self._pop_dependency_message()
        for action in self.actions.values():
            if self.iface is not None:
                self.iface.removePluginRasterMenu(self.menu_name, action)
            if self.toolbar is not None and not sip.isdeleted(self.toolbar):
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions.clear()
        if self.toolbar is not None:
            if not sip.isdeleted(self.toolbar):
                self.iface.mainWindow().removeToolBar(self.toolbar)
                self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        deps.remove_extra_path(self._extra_path)
        self._extra_path = None
        self.translator.remove()

    # ------------------------------------------------------------------ dependencies
    def apply_extra_path(self) -> None:
        """Put the settings' extra packages folder first on sys.path (before the check)."""
        folder = self.settings.extra_python_path
        if folder and folder != self._extra_path:
            deps.remove_extra_path(self._extra_path)
            self._extra_path = folder if deps.add_extra_path(folder) else self._extra_path

    def report_native_conflicts(self) -> None:
        """Say in the log what :mod:`.native_guard` did at load, and warn in the message bar
        when a crashing module was already loaded by someone else."""
        from .tasks import log

        for conflict in native_guard.conflicts():
            if conflict.action == "kept_out":
                log(tr("{module} is kept out of QGIS's process: this native module crashes "
                       "QGIS when OpenGL's libLLVM is loaded, and torch works without "
                       "it.").format(module=conflict.module))
                continue
            text = tr("{module} was loaded by another plugin before BotaCLIP; it can crash "
                      "QGIS during Train or Embed on Linux desktops. Disable the other "
                      "plugin, or start QGIS with QT_XCB_GL_INTEGRATION=none.").format(
                module=conflict.module)
            log(text, Qgis.MessageLevel.Warning)
            self.iface.messageBar().pushMessage(tr("BotaCLIP"), text,
                                                Qgis.MessageLevel.Warning, 0)

    def update_action_states(self) -> None:
        report = self.deps_report or deps.DependencyReport()
        for key, needs in deps.ACTION_NEEDS.items():
            action = self.actions.get(key)
            if action is None:
                continue
            missing = report.unavailable(needs)
            action.setEnabled(not missing)
            if missing:
                names = ", ".join(missing)
                action.setToolTip(tr(
                    "Disabled: needs the Python package(s) {names}, which QGIS's Python "
                    "cannot find. Click Details in the BotaCLIP message, or see "
                    "BotaCLIP > Settings… > Extra Python packages folder.").format(names=names))
            else:
                action.setToolTip(self._tooltips.get(key, action.text()))

    def dependency_summary(self) -> str:
        names = ", ".join(p.requirement.distribution for p in self.deps_report.problems)
        if all(p.kind == "missing" for p in self.deps_report.problems):
            return tr("Python packages missing: {names}.").format(names=names)
        return tr("Python packages missing or too old: {names}.").format(names=names)

    def dependency_details(self) -> str:
        return deps.details_text(self.deps_report, extra_folder=self.settings.extra_python_path
                                 or None, qgis_version=Qgis.QGIS_VERSION.split("-")[0])

    def show_dependency_message(self) -> None:
        """One message-bar message with a Details… button."""
        self._pop_dependency_message()
        bar = self.iface.messageBar()
        widget = bar.createMessage(tr("BotaCLIP"), self.dependency_summary())
        install = QPushButton(tr("Install…"), widget)
        install.setObjectName("botaclip_deps_install")
        install.clicked.connect(lambda: self.show_installer())
        widget.layout().addWidget(install)
        button = QPushButton(tr("Details…"), widget)
        button.setObjectName("botaclip_deps_details")
        button.clicked.connect(self.show_dependency_details)
        widget.layout().addWidget(button)
        self.deps_item = bar.pushWidget(widget, Qgis.MessageLevel.Warning, 0)

    def _pop_dependency_message(self) -> None:
        item, self.deps_item = self.deps_item, None
        if item is not None and not sip.isdeleted(item) and self.iface is not None:
            self.iface.messageBar().popWidget(item)

    def show_dependency_details(self) -> None:
        self.show_installer(commands=True)

    def show_installer(self, commands: bool = False) -> QDialog:
        """The package installer (Install… in the message; Details… opens it with the pip
        commands shown). A running install keeps its dialog; after one, the check runs
        again (settings_changed)."""
        from .dialogs.deps_dialog import InstallerDialog

        dlg = self.dialogs.get("deps")
        if dlg is None or sip.isdeleted(dlg) or not dlg.running:
            if dlg is not None and not sip.isdeleted(dlg):
                dlg.close()
                dlg.deleteLater()
            names = {k: a.text().rstrip("…") for k, a in self.actions.items()}
            dlg = InstallerDialog(self.iface, self.iface.mainWindow(), report=self.deps_report,
                                  details=self.dependency_details(), action_names=names)
            dlg.settingsRequested.connect(self.show_settings_dialog)
            dlg.installed.connect(lambda _result: self.settings_changed())
            self.dialogs["deps"] = dlg
        dlg.show_commands.setChecked(commands)
        dlg.show()
        dlg.raise_()
        return dlg

    # ------------------------------------------------------------------ actions
    def _show(self, key: str, factory) -> QDialog:
        dlg = self.dialogs.get(key)
        if dlg is None or sip.isdeleted(dlg):
            dlg = factory()
            self.dialogs[key] = dlg
            self.log_panel.watch(getattr(dlg, "bar", None))    # its messages go to the log
        dlg.show()
        dlg.raise_()
        dlg.activateWindow()
        return dlg

    def show_demo_dialog(self) -> QDialog:
        from .dialogs.demo_dialog import DemoDialog

        return self._show("demo", lambda: DemoDialog(self.iface, self.iface.mainWindow()))

    def show_check_dialog(self) -> QDialog:
        from .dialogs.check_dialog import CheckDialog

        return self._show("check", lambda: CheckDialog(self.iface, self.iface.mainWindow()))

    def show_import_dialog(self) -> QDialog:
        from .dialogs.import_dialog import ImportDialog

        return self._show("import", lambda: ImportDialog(self.iface, self.iface.mainWindow()))

    def show_train_dialog(self) -> QDialog:
        from .dialogs.train_dialog import TrainDialog

        return self._show("train", lambda: TrainDialog(self.iface, self.iface.mainWindow()))

    def show_embed_dialog(self) -> QDialog:
        from .dialogs.embed_dialog import EmbedDialog

        return self._show("embed", lambda: EmbedDialog(self.iface, self.iface.mainWindow()))

    def show_predict_dialog(self) -> QDialog:
        from .dialogs.predict_dialog import PredictDialog

        return self._show("predict", lambda: PredictDialog(self.iface,
                                                           self.iface.mainWindow()))

    def show_evaluate_dialog(self) -> QDialog:
        from .dialogs.evaluate_dialog import EvaluateDialog

        return self._show("evaluate", lambda: EvaluateDialog(self.iface,
                                                             self.iface.mainWindow()))

    def activate_similar_places(self, *_checked):
        """Make Find similar places the map tool (and show its panel)."""
        from .maptools.similar_places import SimilarPlaces

        if self.similar_places is None:
            self.similar_places = SimilarPlaces(self.iface)
        self.similar_places.activate(self.actions.get("similar"))
        return self.similar_places

    def show_suitability_dialog(self) -> QDialog:
        from .dialogs.suitability_dialog import SuitabilityDialog

        return self._show("suitability", lambda: SuitabilityDialog(self.iface,
                                                                   self.iface.mainWindow()))

    def show_habitats_dialog(self) -> QDialog:
        from .dialogs.habitats_dialog import HabitatsDialog

        return self._show("habitats", lambda: HabitatsDialog(self.iface,
                                                             self.iface.mainWindow()))

    def activate_top_taxa(self, *_checked):
        """Make Top taxa here the map tool."""
        from .maptools.top_taxa import TopTaxa

        if self.top_taxa is None:
            self.top_taxa = TopTaxa(self.iface)
        self.top_taxa.activate(self.actions.get("toptaxa"))
        return self.top_taxa

    def show_settings_dialog(self) -> QDialog:
        from .settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.settings, self.iface.mainWindow())
        dlg.accepted.connect(self.settings_changed)
        self.dialogs["settings"] = dlg
        dlg.open()
        return dlg

    def settings_changed(self) -> None:
        """Re-run the dependency check with the (maybe new) extra packages folder."""
        self.apply_extra_path()
        was_ok = self.deps_report is not None and self.deps_report.ok
        self.deps_report = deps.check_dependencies()
        self.update_action_states()
        if self.deps_report.ok:
            self._pop_dependency_message()
            if not was_ok:
                self.iface.messageBar().pushMessage(
                    tr("BotaCLIP"), tr("All the Python packages BotaCLIP needs are found."),
                    Qgis.MessageLevel.Success, 5)
        else:
            self.show_dependency_message()

    def show_help(self) -> None:
        open_help()

    # ------------------------------------------------------------------ log and diagnostics
    def start_log(self) -> None:
        """Keep the BotaCLIP log's warnings for diagnostics, log what QGIS's message bar
        shows under our title, and open the BotaCLIP tab with one line."""
        from .help import metadata

        self.log_panel.start()
        self.log_panel.watch(self.iface.messageBar(), (LOG_TAG, tr("BotaCLIP")))
        log_message(tr("BotaCLIP {version} loaded (QGIS {qgis}, Python {python}).").format(
            version=metadata("version", "?"), qgis=Qgis.QGIS_VERSION,
            python=".".join(map(str, sys.version_info[:3]))))

    def copy_diagnostics(self, *_checked):
        """BotaCLIP > Copy diagnostics: the report, gathered in a task, onto the clipboard."""
        from .diagnostics import Diagnostics

        if self.diagnostics is None:
            self.diagnostics = Diagnostics(self.iface, self.settings, self.log_panel)
        return self.diagnostics.run()
