"""Install the missing Python packages from inside QGIS: online, or offline from a wheelhouse.

Says what is missing and what it is for, where the packages go (a private folder in the QGIS
profile: no admin rights, QGIS's own Python untouched), which torch build fits the GPU (the
choice changeable), then installs with one click as a task, with the progress, pip's own
lines in a log, and a Cancel that leaves the folder as it was (:mod:`..install.pip_job`).
After an install the check runs again and the dialog says what now works. People who prefer
a terminal copy the pip commands instead (*Show commands*, *Copy commands*).
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import Qgis, QgsApplication
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtGui import QFontDatabase, QGuiApplication
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from .. import deps
from ..i18n import tr
from ..install import manifest, packages, site_dir, torch_choice
from ..tasks import BackendTask
from .base import TaskDialog

TIMM = "timm"


def variant_label(variant) -> str:
    """A torch build's label, translated."""
    return tr(variant.label).format(version=torch_choice.cuda_text(variant.cuda))


def _fixed_font_box(text: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    box.setPlainText(text)
    return box


class InstallerDialog(TaskDialog):
    """The installer. ``report``: the dependency check to act on (default: a new one);
    ``folder``: the private folder (default: the QGIS profile's); ``python``: QGIS's Python
    (default: :func:`deps.qgis_python`); ``gpu``: what :func:`torch_choice.detect` found
    (default: asked now); ``details``: the terminal commands text; ``action_names``: {action
    key: its menu text}, to say what works after an install."""

    help_section = "install"
    installed = pyqtSignal(object)         # the InstallResult, after a successful install
    settingsRequested = pyqtSignal()       # noqa: N815 (Qt naming)

    def __init__(self, iface, parent=None, *, report=None, folder=None, python=None,
                 gpu=None, details: str | None = None, action_names=None):
        super().__init__(iface, parent, tr("BotaCLIP: install Python packages"))
        self.setMinimumWidth(680)
        self.report = report if report is not None else deps.check_dependencies()
        self.folder = Path(folder) if folder else site_dir.folder_for(
            QgsApplication.qgisSettingsDirPath())
        self.python = python or deps.qgis_python().python
        self.gpu = gpu if gpu is not None else torch_choice.detect()
        self.action_names = dict(action_names or {})
        self._manifest_cache: tuple[str, dict | None, str] = ("", None, "")
        self._torch_was_loaded = False
        self.base_env: dict | None = None       # pip's environment (default: QGIS's)
        self._build_form()
        self.text = _fixed_font_box(details if details is not None else self._details())
        self.text.setObjectName("botaclip_deps_commands")
        self.text.setToolTip(tr("The pip commands that install the same packages from a "
                                "terminal, for people who prefer one."))
        self.text.hide()
        self.layout_.addWidget(self.text)
        self._add_buttons()
        self.finish_layout()
        self.ok_button.setText(tr("Install"))
        self.ok_button.setObjectName("botaclip_install")

    # ------------------------------------------------------------------ the form
    def _build_form(self) -> None:
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_label.setObjectName("botaclip_deps_missing")
        self.form.addRow(self.missing_label)
        self.timm = QCheckBox(tr("Also install timm and torchvision (only for the optional "
                                 "timm backbone)"))
        self.timm.setToolTip(tr("timm serves only the timm:NAME backbone; DOFA needs neither "
                                "it nor torchvision. Leave it unticked unless you use it."))
        self.timm.setVisible(any(p.requirement.module == TIMM for p in self.report.optional))
        self.form.addRow(self.timm)

        self.folder_label = QLabel(str(self.folder))
        self.folder_label.setWordWrap(True)
        self.folder_label.setToolTip(tr(
            "The packages go into this folder of your QGIS profile: no administrator rights "
            "are needed and QGIS's own Python is not changed. Delete the folder to undo."))
        self.form.addRow(tr("Install into"), self.folder_label)

        self._build_source_rows()
        self._build_torch_rows()
        self.log = _fixed_font_box()
        self.log.setObjectName("botaclip_install_log")
        self.log.setMaximumBlockCount(5000)
        self.log.setMinimumHeight(140)
        self.log.setToolTip(tr("What pip reports while it works; kept until the dialog "
                               "closes (and in the BotaCLIP log)."))
        self.form.addRow(tr("Log"), self.log)
        self.timm.toggled.connect(self.refresh)
        self._show_missing()

    def _build_source_rows(self) -> None:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.online = QRadioButton(tr("Online"))
        self.online.setToolTip(tr("Download the packages from the internet (PyPI, and "
                                  "download.pytorch.org for torch), through the proxy set in "
                                  "QGIS's Settings > Options > Network."))
        self.offline = QRadioButton(tr("From a wheelhouse"))
        self.offline.setToolTip(tr("Install without internet from a wheelhouse made with "
                                   "'make wheelhouse' (a folder of wheels with manifest.json, "
                                   "or its zip); every file is checked against the manifest "
                                   "first."))
        self.source_group = QButtonGroup(self)
        for button in (self.online, self.offline):
            self.source_group.addButton(button)
            layout.addWidget(button)
        layout.addStretch(1)
        self.online.setChecked(True)
        self.form.addRow(tr("Source"), row)
        self.wheelhouse = QgsFileWidget()
        self.wheelhouse.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.wheelhouse.setFilter(tr("Wheelhouse (*.zip manifest.json)"))
        self.wheelhouse.setToolTip(tr("The wheelhouse: its zip file, or the manifest.json in "
                                      "its folder (a folder path typed here works too)."))
        self.form.addRow(tr("Wheelhouse"), self.wheelhouse)
        self.online.toggled.connect(self.refresh)
        self.wheelhouse.fileChanged.connect(self.refresh)

    def _build_torch_rows(self) -> None:
        self.torch_combo = QComboBox()
        self.torch_combo.setObjectName("botaclip_torch_variant")
        choice = torch_choice.choose(self.gpu)
        for variant in torch_choice.variants():
            self.torch_combo.addItem(variant_label(variant), variant)
        keys = [self.torch_combo.itemData(i).key for i in range(self.torch_combo.count())]
        self.torch_combo.setCurrentIndex(keys.index(choice.variant.key)
                                         if choice.variant.key in keys else 0)
        self.torch_combo.setToolTip(tr(
            "Which build of torch to install. The CPU build runs everywhere; a CUDA build "
            "uses an NVIDIA GPU and needs a driver at least as new as its CUDA version. The "
            "choice below comes from the GPU and driver found on this computer."))
        self.torch_reason = QLabel(tr(torch_choice.REASONS[choice.why]).format(
            **choice.params))
        self.torch_reason.setObjectName("botaclip_torch_reason")
        self._choice_text = self.torch_reason.text()
        self.torch_reason.setWordWrap(True)
        self.form.addRow(tr("torch build"), self.torch_combo)
        self.form.addRow("", self.torch_reason)

    def _add_buttons(self) -> None:
        show = QPushButton(tr("Show commands"))
        show.setObjectName("botaclip_show_commands")
        show.setCheckable(True)
        show.toggled.connect(self.text.setVisible)
        show.setToolTip(tr("Show the pip commands that install the same packages from a "
                           "terminal."))
        self.buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
        copy = QPushButton(tr("Copy commands"))
        copy.setObjectName("botaclip_copy_commands")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(
            self.text.toPlainText()))
        copy.setToolTip(tr("Copy the pip commands to the clipboard."))
        self.buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        self.show_commands = show

    def _details(self) -> str:
        if not self.report.problems:
            return tr("Every package BotaCLIP needs is found.")
        text = deps.details_text(self.report, extra_folder=str(self.folder),
                                 qgis_version=Qgis.QGIS_VERSION.split("-")[0])
        return text + "\n\n" + tr("BotaCLIP's own folder, {folder}, is on QGIS's Python "
                                  "path at every start: no setting is needed for it.").format(
            folder=self.folder)

    def _show_missing(self) -> None:
        lines = []
        for p in self.report.problems:
            req = p.requirement
            state = tr("missing") if p.kind == "missing" else tr(
                "version {found} is too old").format(found=p.found)
            lines.append(tr("{name} ({state}): needed for {what}").format(
                name=req.distribution, state=state, what=tr(req.needed_for)))
        if lines:
            self.missing_label.setText(tr("BotaCLIP cannot use these Python packages "
                                          "yet:") + "\n  • " + "\n  • ".join(lines))
        else:
            self.missing_label.setText(tr("Every package BotaCLIP needs is found."))

    # ------------------------------------------------------------------ state
    def wanted(self) -> list[packages.Wanted]:
        optional = [TIMM] if self.timm.isVisible() and self.timm.isChecked() else []
        return packages.to_install(self.report, optional=optional)

    def wheelhouse_manifest(self) -> tuple[dict | None, str]:
        """(manifest, "") of the chosen wheelhouse, or (None, why it cannot be used)."""
        path = self.wheelhouse.filePath().strip()
        if not path:
            return None, tr("Choose a wheelhouse: its zip file or the manifest.json in its "
                            "folder.")
        if path == self._manifest_cache[0]:
            return self._manifest_cache[1], self._manifest_cache[2]
        try:
            data, why = manifest.read(path), ""
            import sysconfig

            why = manifest.compatibility(data, "{}.{}".format(*sys.version_info[:2]),
                                         sysconfig.get_platform())
        except manifest.WheelhouseError as exc:
            data, why = None, str(exc)
        self._manifest_cache = (path, data if not why else None, why)
        return self._manifest_cache[1], why

    def served(self, data: dict) -> set[str]:
        return {f["distribution"] for f in data.get("files", [])}

    def validation_error(self) -> str:
        wanted = self.wanted()
        if not wanted:
            not_pip = [p.requirement.distribution for p in self.report.problems
                       if not p.requirement.pip]
            if not_pip:
                return tr("{names} come with QGIS and cannot be installed here: reinstall "
                          "or repair QGIS (on Linux, the python3-gdal package).").format(
                    names=", ".join(not_pip))
            return tr("Nothing to install: every package BotaCLIP needs is found.")
        self.wheelhouse.setEnabled(self.offline.isChecked())
        self.torch_combo.setEnabled(self.online.isChecked())
        if self.online.isChecked():
            self.torch_reason.setText(self._choice_text)
            return ""
        data, why = self.wheelhouse_manifest()
        if data is None:
            return why
        self.torch_reason.setText(tr("The wheelhouse brings torch {version}.").format(
            version=data.get("torch", "?")))
        if not any(w.key in self.served(data) for w in wanted):
            return tr("This wheelhouse holds none of the missing packages.")
        return ""

    # ------------------------------------------------------------------ running
    def make_task(self) -> BackendTask:
        from ..install import pip_job

        wanted = self.wanted()
        offline = self.offline.isChecked()
        skipped = []
        if offline:
            data, _why = self.wheelhouse_manifest()
            served = self.served(data or {})
            skipped = [w.distribution for w in wanted if w.key not in served]
            wanted = [w for w in wanted if w.key in served]
        family = packages.torch_family(wanted)
        specs = [w.spec for w in wanted] + [w.spec for w in family if w not in wanted]
        variant = self.torch_combo.currentData()
        network = None if offline else self._network()
        path = self.wheelhouse.filePath().strip()
        request = pip_job.InstallRequest(
            target=self.folder, requirements=specs, python=self.python,
            imports=[w.module for w in wanted], torch=[w.spec for w in family],
            torch_index=None if offline else variant.index_url,
            wheelhouse=Path(path) if offline else None, network=network,
            base_env=self.base_env)
        self.log.clear()
        self._log_start(request, variant, offline, skipped, network)
        self._torch_was_loaded = "torch" in sys.modules
        task = BackendTask(tr("Installing Python packages for BotaCLIP"), pip_job.install,
                           {"request": request})
        task.threads = 0                    # never import torch in the task (tasks.py)
        task.messageChanged.connect(self.log.appendPlainText)
        return task

    def _network(self):
        from ..install.qgis_network import pip_network

        return pip_network(self.folder.parent)

    def _log_start(self, request, variant, offline, skipped, network) -> None:
        self.log.appendPlainText(tr("Installing {names} into {folder}").format(
            names=", ".join(request.requirements), folder=request.target))
        if offline:
            self.log.appendPlainText(tr("From the wheelhouse {path}").format(
                path=request.wheelhouse))
        else:
            self.log.appendPlainText(tr("torch build: {label}").format(
                label=variant_label(variant)))
            if network is not None and network.shown:
                self.log.appendPlainText(" ".join(network.shown))
            for warning in network.warnings if network is not None else ():
                self.log.appendPlainText(tr(warning))
        if skipped:
            self.log.appendPlainText(tr("Not in the wheelhouse, left out: {names}").format(
                names=", ".join(skipped)))

    def on_success(self, result) -> None:
        before = self.report
        if result.state == "done":
            site_dir.activate(self.folder)
        self.report = deps.check_dependencies()
        self._show_missing()
        self.text.setPlainText(self._details())
        self.report_result(self.success_text(result, before))
        self.installed.emit(result)

    def success_text(self, result, before) -> str:
        """What the install did and what works now (and whether QGIS must restart)."""
        if result.state == "nothing":
            return tr("Nothing was installed: every package was already there.")
        text = tr("Installed {n} packages into {folder}.").format(
            n=len(result.installed), folder=result.target)
        now = [key for key, needs in deps.ACTION_NEEDS.items()
               if before.unavailable(needs) and not self.report.unavailable(needs)]
        if now:
            text += " " + tr("Now available: {actions}.").format(actions=", ".join(
                self.action_names.get(k, k) for k in now))
        if result.state == "pending":
            text += " " + tr("Restart QGIS to finish: the packages are put in place at the "
                             "next start.")
        elif self._torch_was_loaded and any(n.lower().startswith("torch==")
                                            for n in result.installed):
            text += " " + tr("Restart QGIS: this session keeps the torch it already loaded.")
        return text

    def cancel_text(self) -> str:
        return tr("Cancelled: the packages folder is exactly as it was.")


DependencyDialog = InstallerDialog      # the name the plugin and older tests know
