"""The weights manager dialog: which DOFA checkpoints the weights folder holds (size,
sha256, where from), *Get weights…* to download a published one, *Import file…* for a file
the user already has.

Opened from Settings and from the "needs its weights file" fix of the Train and Embed
dialogs. Long work never runs on QGIS's main thread: hashes and copies run as QgsTasks, the
download is an asynchronous network reply (:mod:`..weights.download`). One operation at a
time; *Stop* (or closing the dialog) cancels it, and an interrupted download's bytes are kept
for a later resume.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...backend.models.weight_files import known_weight_files
from ...backend.units import format_bytes
from ..help import open_help
from ..i18n import tr
from ..tasks import BackendTask, start
from ..weights import inventory as inv
from ..weights import store
from ..weights.download import DONE, WeightsDownload

COLUMNS = ("backbone", "source", "status", "size", "sha256", "path")


@lru_cache(maxsize=1)
def shared_hash_cache() -> store.HashCache:
    """The hashes remembered across sessions, in the QGIS profile folder."""
    return store.HashCache(Path(QgsApplication.qgisSettingsDirPath()) / "botaclip"
                           / "weights_sha256.json")


def source_text(row: inv.WeightRow) -> str:
    return {"torchgeo": tr("torchgeo's conversion"), "authors": tr("the DOFA authors"),
            "own": tr("your own file")}.get(row.source, row.source)


def status_text(row: inv.WeightRow) -> str:
    """The Status column: present or not, and what the hash says."""
    if row.status == inv.PARTIAL:
        return tr("missing ({size} downloaded: Get weights… resumes)").format(
            size=format_bytes(row.part_bytes))
    return {
        inv.MISSING: tr("missing"),
        inv.CHECKING: tr("present, checking sha256…"),
        inv.VERIFIED: tr("present, sha256 verified"),
        inv.DIFFERS: tr("present, but its sha256 is not the published one: damaged or "
                        "another file; delete it and get it again"),
        inv.OWN: tr("present (not a published file: BotaCLIP cannot check it)"),
        inv.OLD: tr("old file from before DOFA's August 2024 fix: do not use, delete it"),
        inv.RENAMED: tr("a published checkpoint under another name: use Import file… to "
                        "copy it under its published name"),
    }.get(row.status, row.status)


def backbone_text(row: inv.WeightRow) -> str:
    return row.size_name.replace("dofa-", "DOFA ") if row.size_name else "–"


class WeightsDialog(QDialog):
    """The table and its buttons for ``folder``. ``known`` replaces the list of published
    checkpoints (tests); ``cache`` the remembered hashes. :attr:`weightsChanged` is emitted
    when a file was added, so that an open Train or Embed dialog checks its weights again."""

    weightsChanged = pyqtSignal()  # noqa: N815 (Qt naming)

    def __init__(self, folder, *, known=None, cache: store.HashCache | None = None,
                 parent=None):
        super().__init__(parent)
        self.folder = Path(folder)
        self.known = known
        self.cache = cache if cache is not None else shared_hash_cache()
        self.rows: list[inv.WeightRow] = []
        self.download: WeightsDownload | None = None
        self.task: BackendTask | None = None      # a hash, identify or copy task
        self.question: QMessageBox | None = None
        self._generation = 0
        self.setWindowTitle(tr("BotaCLIP model weights"))
        self.setMinimumSize(820, 320)
        self._build()
        self.refresh()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.folder_label = QLabel(tr("Weights folder: {folder}").format(folder=self.folder))
        self.folder_label.setToolTip(tr("Where BotaCLIP looks for DOFA checkpoints; change it "
                                        "in BotaCLIP > Settings."))
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.folder_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("botaclip_weights_table")
        self.table.setHorizontalHeaderLabels([tr("Backbone"), tr("From"), tr("Status"),
                                              tr("Size"), tr("SHA-256"), tr("Path")])
        self.table.setToolTip(tr("The published DOFA checkpoints, present in the weights "
                                 "folder or not, and any other weights file found there. "
                                 "The sha256 is computed once and remembered."))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setToolTip(tr("Progress of the download, check or copy under way."))
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.message = QLabel()
        self.message.setObjectName("botaclip_weights_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setToolTip(tr("What the last operation did."))
        layout.addWidget(self.message)
        layout.addLayout(self._button_row())

    def _button_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.get_button = QPushButton(tr("Get weights…"))
        self.get_button.setToolTip(tr(
            "Download a published DOFA checkpoint from Hugging Face into the weights folder, "
            "through QGIS's network settings (proxy). An interrupted download resumes where "
            "it stopped; the file is checked against its published sha256."))
        self.get_menu = QMenu(self.get_button)
        self.get_button.setMenu(self.get_menu)
        self.import_button = QPushButton(tr("Import file…"))
        self.import_button.setToolTip(tr(
            "Copy a weights file you already have into the weights folder (the original is "
            "left where it is). A published checkpoint is recognised by its sha256 and "
            "given its published name; any other file only after you agree."))
        self.import_button.clicked.connect(self.choose_import)
        self.refresh_button = QPushButton(tr("Refresh"))
        self.refresh_button.setToolTip(tr("Look at the weights folder again."))
        self.refresh_button.clicked.connect(self.refresh)
        self.stop_button = QPushButton(tr("Stop"))
        self.stop_button.setToolTip(tr("Stop the download, check or copy under way. A "
                                       "stopped download keeps its bytes for a later resume."))
        self.stop_button.clicked.connect(self.stop)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close
                                        | QDialogButtonBox.StandardButton.Help)
        self.buttons.rejected.connect(self.reject)
        self.buttons.helpRequested.connect(lambda: open_help("weights", self))
        for w in (self.get_button, self.import_button, self.refresh_button, self.stop_button):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.buttons)
        return row

    # ------------------------------------------------------------------ table
    @property
    def busy(self) -> bool:
        return (self.download is not None and self.download.busy) or self.task is not None

    def refresh(self) -> None:
        """List the folder; hashes already known fill in at once, the others in a task."""
        self._generation += 1
        rows = inv.list_weights(self.folder, self.known)
        for i, row in enumerate(rows):
            cached = self.cache.get(row.path) if row.present else None
            if cached:
                rows[i] = inv.with_sha256(row, cached, self.known)
        self.rows = rows
        self._fill_table()
        self._fill_menu()
        self._update_buttons()
        pending = [r.path for r in rows if r.status == inv.CHECKING]
        if pending and self.task is None:
            self._hash(pending, self._generation)

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            size = format_bytes(row.size_bytes) if row.size_bytes else ""
            if not row.present:
                size = tr("({size} to download)").format(size=size) if size else ""
            values = (backbone_text(row), source_text(row), status_text(row), size,
                      row.sha256 or (row.expected_sha256 and tr("published: {sha}").format(
                          sha=row.expected_sha256)) or "", str(row.path))
            for j, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if not row.present:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(i, j, item)

    def _fill_menu(self) -> None:
        self.get_menu.clear()
        missing = [r for r in self.rows if not r.present and r.expected_sha256]
        for row in missing:
            size = format_bytes(row.size_bytes) if row.size_bytes else tr("size unknown")
            action = self.get_menu.addAction(tr("{backbone}, {source} ({size})").format(
                backbone=backbone_text(row), source=source_text(row), size=size))
            action.setToolTip(row.name)
            action.triggered.connect(lambda _c=False, r=row: self.start_download(r))
        if not missing:
            self.get_menu.addAction(tr("Every published checkpoint is here")).setEnabled(False)

    def _update_buttons(self) -> None:
        busy = self.busy
        self.get_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy)
        self.refresh_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.progress.setVisible(busy)

    def _hash(self, paths, generation: int) -> None:
        def hashed(result):
            self.task = None
            if generation == self._generation:
                self.rows = [inv.with_sha256(r, result[str(r.path)], self.known)
                             if str(r.path) in result else r for r in self.rows]
                self._fill_table()
            self._update_buttons()

        self._run_task(tr("Checking the weights files"), store.hash_files,
                       {"paths": paths, "cache": self.cache}, hashed)

    # ------------------------------------------------------------------ tasks
    def _run_task(self, description: str, function, kwargs: dict, on_success) -> None:
        task = BackendTask(description, function, kwargs, on_success=on_success,
                           on_error=self._task_failed, on_cancel=self._task_cancelled)
        task.progressChanged.connect(lambda pct: self.progress.setValue(int(pct * 10)))
        self.task = task
        self.progress.setValue(0)
        self._update_buttons()
        start(task)

    def _task_failed(self, message: str) -> None:
        self.task = None
        self.say(message, error=True)
        self._update_buttons()

    def _task_cancelled(self) -> None:
        self.task = None
        self.say(tr("Stopped; nothing was added to the weights folder."))
        self._update_buttons()

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")

    def stop(self) -> None:
        if self.download is not None and self.download.busy:
            self.download.cancel()
        if self.task is not None:
            self.task.cancel()

    # ------------------------------------------------------------------ download
    def start_download(self, row: inv.WeightRow) -> WeightsDownload | None:
        """Download ``row``'s published file (its URL from the known list)."""
        if self.busy:
            return None
        published = next(f for _s, f in known_weight_files(self.known)
                         if f.name == row.name)
        self.download = WeightsDownload(published.url, self.folder / published.name,
                                        published.sha256, published.size_bytes,
                                        cache=self.cache, parent=self)
        self.download.progressChanged.connect(self._download_progress)
        self.download.ended.connect(self._download_ended)
        self.say(tr("Downloading {name} from {url}…").format(name=published.name,
                                                            url=published.url))
        self.progress.setValue(0)
        self.download.start()
        self._update_buttons()
        return self.download

    def _download_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(text)

    def _download_ended(self, state: str, message: str) -> None:
        self.say(message, error=state != DONE)
        self.progress.resetFormat()
        self.refresh()
        if state == DONE:
            self.weightsChanged.emit()

    # ------------------------------------------------------------------ import
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Weights file to import"), str(Path.home()),
            tr("Weights files (*.pth *.pt *.safetensors *.ckpt *.bin);;All files (*)"))
        if path:
            self.import_file(path)

    def import_file(self, path) -> None:
        """Hash ``path``, then copy it in (a file that is not published: after asking)."""
        if self.busy:
            return
        self.say(tr("Checking {path}…").format(path=path))
        self._run_task(tr("Checking a weights file"), store.identify_file,
                       {"source": Path(path), "folder": self.folder, "known": self.known,
                        "cache": self.cache}, self._identified)

    def _identified(self, found: store.Identified) -> None:
        self.task = None
        self._update_buttons()
        refusal = self._refusal(found)
        if refusal:
            self.say(refusal, error=found.kind != store.PRESENT)
        elif found.kind == store.OWN:
            self._ask_own(found)
        else:
            self._copy(found)

    def _refusal(self, found: store.Identified) -> str:
        name, target, sha = found.source.name, found.target, found.sha256
        if found.kind == store.PRESENT:
            return tr("{name} is already in the weights folder as {target}.").format(
                name=name, target=target.name)
        if found.kind == store.OLD:
            return tr("{name} is an old DOFA file (before the August 2024 fix of its patch "
                      "embedding), which gives wrong embeddings: not imported. Get the "
                      "current file with Get weights….").format(name=name)
        if found.kind == store.MISNAMED:
            return tr("{name} has the name of a published checkpoint but not its content "
                      "(sha256 {sha}): it is damaged or another file, and was not imported. "
                      "Get the published file with Get weights….").format(name=name, sha=sha)
        if found.kind == store.CONFLICT:
            return tr("Another file named {target} is already in the weights folder: nothing "
                      "was imported. Move it away first.").format(target=target.name)
        return ""

    def _ask_own(self, found: store.Identified) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, tr("Not a published checkpoint"), tr(
            "{name} is not one of the published DOFA checkpoints (its sha256 is {sha}), so "
            "BotaCLIP cannot check it. Use it only if you know it is a DOFA checkpoint made "
            "after August 2024. Copy it into the weights folder as your own file? It is then "
            "used when you choose it in the Weights field of Train or Embed.").format(
                name=found.source.name, sha=found.sha256),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda result: self._answered(box, found))
        self.question = box
        box.open()

    def _answered(self, box: QMessageBox, found: store.Identified) -> None:
        self.question = None
        if box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
            self._copy(found)
        else:
            self.say(tr("{name} was not imported.").format(name=found.source.name))
        box.deleteLater()

    def _copy(self, found: store.Identified) -> None:
        def copied(target):
            self.task = None
            what = source_text(inv.WeightRow(found.size_name, target.name,
                                             found.published.source if found.published
                                             else "own", target, True, None, ""))
            self.say(tr("Imported {name} ({what}) into the weights folder; the original is "
                        "left where it was.").format(name=target.name, what=what))
            self.refresh()
            self.weightsChanged.emit()

        self.say(tr("Copying {name}…").format(name=found.source.name))
        self._run_task(tr("Importing a weights file"), store.copy_into,
                       {"source": found.source, "target": found.target,
                        "sha256": found.sha256, "cache": self.cache}, copied)

    # ------------------------------------------------------------------ closing
    def done(self, result: int) -> None:
        """Closing stops the operation under way (a download keeps its bytes)."""
        if self.busy:
            self.stop()
        super().done(result)


def open_weights_dialog(folder, parent=None, on_change=None) -> WeightsDialog:
    """Open the weights manager for ``folder`` (window-modal over ``parent``); ``on_change``
    is called when a file was added and when the dialog closes, e.g. so that the Train or
    Embed dialog that offered it checks its weights again."""
    dlg = WeightsDialog(folder, parent=parent)
    if on_change is not None:
        dlg.weightsChanged.connect(on_change)
        dlg.finished.connect(lambda _result: on_change())
    dlg.open()
    return dlg
