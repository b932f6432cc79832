"""Showing files to the user, inside QGIS when the system cannot.

:func:`open_file` asks the desktop to open a file (``QDesktopServices.openUrl``); where that
fails (no launcher, as on a bare Linux box) it shows the file in a dialog of its own: an
image in a scrollable view, an HTML page in a :class:`DocumentBrowser` (its images resolved
relative to the file), anything else as its full path to copy. :class:`DocumentBrowser` is
also the help viewer's browser (plugin/help.py): web links go to the system browser, links
within the document scroll, links to local files go through :func:`open_file`.

Tests force the fallback with ``open_file(path, opener=lambda url: False)`` or by setting
the module-level hook :data:`SYSTEM_OPENER`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from qgis.PyQt.QtCore import QSize, Qt, QUrl
from qgis.PyQt.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QImage,
    QImageReader,
    QPixmap,
    QTextDocument,
)
from qgis.PyQt.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .i18n import tr

#: Replaces ``QDesktopServices.openUrl`` for every :func:`open_file` call when set (tests:
#: ``viewer.SYSTEM_OPENER = lambda url: False`` forces the in-QGIS fallback).
SYSTEM_OPENER: Callable[[QUrl], bool] | None = None

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
WEB_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})

_OPEN: list[QDialog] = []        # fallback dialogs without a parent stay alive while shown
LAST_DIALOG: QDialog | None = None   # the latest fallback dialog (for tests and callers)


# ----------------------------------------------------------------------------- helpers

def main_window() -> QWidget | None:
    """QGIS's main window when the plugin runs inside QGIS, else None."""
    try:
        from qgis.utils import iface
    except ImportError:
        return None
    try:
        return iface.mainWindow() if iface is not None else None
    except (AttributeError, RuntimeError):
        return None


def dialog_parent(parent: QWidget | None = None) -> QWidget | None:
    """The parent for a new non-modal window: ``parent`` if given, else a modal dialog that
    is open (a window parented elsewhere would be blocked by it), else QGIS's main window."""
    if parent is not None:
        return parent
    modal = QApplication.activeModalWidget()
    return modal if modal is not None else main_window()


def system_open(url: QUrl, opener: Callable[[QUrl], bool] | None = None) -> bool:
    """Ask the desktop to open ``url``; False when it cannot (or the opener raised)."""
    open_url = opener or SYSTEM_OPENER or QDesktopServices.openUrl
    try:
        return bool(open_url(url))
    except Exception:  # noqa: BLE001  (a broken launcher must not break the plugin)
        return False


def _local_path(path) -> Path:
    if isinstance(path, QUrl):
        return Path(path.toLocalFile())
    text = str(path)
    if text.startswith("file:"):
        return Path(QUrl(text).toLocalFile())
    return Path(os.path.expanduser(text))


def _keep(dialog: QDialog) -> QDialog:
    """Keep a Python reference to a shown dialog until it is closed."""
    global LAST_DIALOG
    LAST_DIALOG = dialog
    _OPEN.append(dialog)
    dialog.finished.connect(lambda _=0, d=dialog: _OPEN.remove(d) if d in _OPEN else None)
    return dialog


def _screen_size() -> QSize:
    screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() if screen is not None else QSize(1280, 800)


def _copy_button(text: str, parent: QWidget) -> QPushButton:
    button = QPushButton(tr("Copy path"), parent)
    button.setObjectName("botaclip_copy_path")
    button.setToolTip(tr("Copy the full path to the clipboard"))
    button.clicked.connect(lambda: QApplication.clipboard().setText(text))
    return button


def _path_field(text: str, parent: QWidget) -> QLineEdit:
    field = QLineEdit(text, parent)
    field.setReadOnly(True)
    field.setObjectName("botaclip_path")
    field.setCursorPosition(0)
    return field


# ----------------------------------------------------------------------------- browser

def _add_footer(dialog, layout, first: QWidget | None = None) -> None:
    """The file's path (selectable, with Copy path) and a Close button under a viewer."""
    row = QHBoxLayout()
    if first is not None:
        row.addWidget(first)
    row.addWidget(_path_field(str(dialog.path), dialog), 1)
    row.addWidget(_copy_button(str(dialog.path), dialog))
    layout.addLayout(row)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)


def _enum_int(value) -> int:
    """An enum member's integer (PyQt6's enums are not ints; loadResource gets an int)."""
    value = getattr(value, "value", value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


_IMAGE_RESOURCE = _enum_int(QTextDocument.ResourceType.ImageResource)


class DocumentBrowser(QTextBrowser):
    """A QTextBrowser for local documents: images resolve relative to ``base_url`` (the
    document's own file) and are scaled down to ``max_image_width``; a click on a link goes
    to :meth:`follow`: web links to the system browser, ``#anchor`` and links to the same
    document scroll, other local files through :func:`open_file`."""

    def __init__(self, parent: QWidget | None = None, max_image_width: int = 860):
        super().__init__(parent)
        self.base_url = QUrl()
        self.max_image_width = max_image_width
        self.opener: Callable[[QUrl], bool] | None = None
        self.followed: list[tuple[str, str]] = []     # (what happened, url) for tests
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self.follow)

    # documents -------------------------------------------------------------------
    def set_document(self, html: str, path) -> None:
        """Show ``html`` as the content of the local file ``path`` (for relative links)."""
        self.base_url = QUrl.fromLocalFile(str(Path(path).resolve()))
        self.document().setBaseUrl(self.base_url)
        self.setHtml(html)

    def load_file(self, path) -> None:
        """Show an HTML file."""
        path = Path(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        self.set_document(text, path)

    def resolve(self, url: QUrl) -> QUrl:
        return self.base_url.resolved(url) if url.isRelative() and self.base_url.isValid() \
            else url

    def loadResource(self, kind, url):  # noqa: N802  (Qt's name)
        if _enum_int(kind) == _IMAGE_RESOURCE:
            target = self.resolve(url)
            if target.isLocalFile():
                image = QImage(target.toLocalFile())
                if not image.isNull():
                    if self.max_image_width and image.width() > self.max_image_width:
                        image = image.scaledToWidth(
                            self.max_image_width, Qt.TransformationMode.SmoothTransformation)
                    return image
        return super().loadResource(kind, url)

    # links ----------------------------------------------------------------------
    def follow(self, url: QUrl) -> str:
        """Follow a clicked link; returns what happened: "scroll", "system", "viewer",
        "path" (see :func:`open_file`) or "none"."""
        target = self.resolve(QUrl(url))
        what = "none"
        if target.scheme().lower() in WEB_SCHEMES:
            what = "system" if system_open(target, self.opener) else \
                show_text_dialog(target.toString(), tr("Web link"), tr(
                    "The system browser could not be started. Copy the address into a "
                    "browser:"), self.window())[0]
        elif target.isLocalFile() or not target.scheme():
            local = Path(target.toLocalFile()) if target.isLocalFile() else None
            current = Path(self.base_url.toLocalFile()) if self.base_url.isLocalFile() \
                else None
            if local is None or (current is not None and local == current):
                if target.fragment():
                    self.scrollToAnchor(target.fragment())
                what = "scroll"
            else:
                what = open_file(local, self.window(), opener=self.opener)
        self.followed.append((what, target.toString()))
        return what


# ----------------------------------------------------------------------------- dialogs

class ImageDialog(QDialog):
    """An image in a scroll area, fitted to the window or at 100 %."""

    def __init__(self, path, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("botaclip_image_viewer")
        self.setWindowTitle(self.path.name)
        reader = QImageReader(str(self.path))
        reader.setAutoTransform(True)
        self.image = reader.read()
        self.pixmap = QPixmap.fromImage(self.image)
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setObjectName("botaclip_image")
        if self.image.isNull():
            self.label.setText(tr("This image cannot be read: {error}").format(
                error=reader.errorString()))
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.label)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit = QCheckBox(tr("Fit to window"), self)
        self.fit.setObjectName("botaclip_fit")
        self.fit.toggled.connect(self.update_image)

        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        _add_footer(self, layout, self.fit)

        screen = _screen_size()
        width = min(max(self.pixmap.width() + 40, 480), int(screen.width() * 0.85))
        height = min(max(self.pixmap.height() + 110, 320), int(screen.height() * 0.85))
        self.resize(width, height)
        big = self.pixmap.width() > width - 40 or self.pixmap.height() > height - 110
        self.fit.setChecked(big)
        self.update_image()

    def update_image(self) -> None:
        if self.pixmap.isNull():
            self.label.adjustSize()
            return
        if self.fit.isChecked():
            area = self.scroll.viewport().size()
            shown = self.pixmap.scaled(max(area.width() - 4, 16), max(area.height() - 4, 16),
                                       Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
        else:
            shown = self.pixmap
        self.label.setPixmap(shown)
        self.label.resize(shown.size())

    def resizeEvent(self, event):  # noqa: N802  (Qt's name)
        super().resizeEvent(event)
        if self.fit.isChecked():
            self.update_image()


class HtmlDialog(QDialog):
    """An HTML file in a :class:`DocumentBrowser`."""

    def __init__(self, path, parent: QWidget | None = None,
                 opener: Callable[[QUrl], bool] | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("botaclip_html_viewer")
        screen = _screen_size()
        width, height = min(1100, int(screen.width() * 0.85)), int(screen.height() * 0.85)
        self.browser = DocumentBrowser(self, max_image_width=width - 80)
        self.browser.opener = opener
        self.browser.setObjectName("botaclip_browser")
        self.browser.load_file(self.path)
        title = self.browser.documentTitle() or self.path.name
        self.setWindowTitle(title)

        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        _add_footer(self, layout)
        self.resize(width, height)


class PathDialog(QDialog):
    """A path (or address) the system could not open: shown in full, selectable, with a
    "Copy path" button."""

    def __init__(self, text: str, title: str, message: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("botaclip_path_viewer")
        self.setWindowTitle(title)
        self.text = text
        layout = QVBoxLayout(self)
        label = QLabel(message, self)
        label.setWordWrap(True)
        label.setObjectName("botaclip_path_message")
        layout.addWidget(label)
        self.field = _path_field(text, self)
        layout.addWidget(self.field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = _copy_button(text, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        metrics = self.field.fontMetrics()
        self.resize(min(max(metrics.horizontalAdvance(text) + 60, 460),
                        int(_screen_size().width() * 0.8)), self.sizeHint().height())


def show_text_dialog(text: str, title: str, message: str,
                     parent: QWidget | None = None) -> tuple[str, QDialog]:
    dialog = _keep(PathDialog(text, title, message, dialog_parent(parent)))
    dialog.show()
    return "path", dialog


def show_file(path, parent: QWidget | None = None,
              opener: Callable[[QUrl], bool] | None = None) -> tuple[str, QDialog]:
    """Show ``path`` inside QGIS: ("viewer", dialog) for an image or an HTML page, else
    ("path", dialog) with its full path to copy."""
    path = _local_path(path)
    parent = dialog_parent(parent)
    suffix = path.suffix.lower()
    dialog: QDialog | None = None
    if path.is_file() and suffix in IMAGE_SUFFIXES and not QImageReader(str(path)).size() \
            .isEmpty():
        dialog = ImageDialog(path, parent)
    elif path.is_file() and suffix in HTML_SUFFIXES:
        dialog = HtmlDialog(path, parent, opener=opener)
    if dialog is not None:
        _keep(dialog).show()
        return "viewer", dialog
    if path.is_dir():
        message = tr("This folder could not be opened by the system. Its full path:")
    elif path.exists():
        message = tr("No program to open this file was found. Its full path:")
    else:
        message = tr("This file does not exist (any more):")
    return show_text_dialog(str(path), path.name or str(path), message, parent)


def open_file(path, parent: QWidget | None = None,
              opener: Callable[[QUrl], bool] | None = None) -> str:
    """Open a local file (or folder) for the user and return what happened:

    * ``"system"``: the desktop opened it (``opener``, default :data:`SYSTEM_OPENER` or
      ``QDesktopServices.openUrl``, returned True);
    * ``"viewer"``: it could not, and the file is shown inside QGIS (PNG/JPEG and other
      images in a scrollable image dialog, HTML in a browser dialog);
    * ``"path"``: a dialog shows its full path, selectable, with a "Copy path" button
      (other files, folders, and a file that does not exist).

    The dialog shown is :data:`LAST_DIALOG`; it is non-modal and parented to ``parent``,
    else to an open modal dialog, else to QGIS's main window.
    """
    local = _local_path(path)
    if local.exists() and system_open(QUrl.fromLocalFile(str(local.resolve())), opener):
        return "system"
    return show_file(local, parent, opener)[0]


def open_button(path, text: str, parent: QWidget | None = None,
                object_name: str = "") -> QPushButton:
    """A push button that opens ``path`` through :func:`open_file` (for message bars and
    dialogs). ``text`` is shown as is: pass it through ``tr()``."""
    button = QPushButton(text, parent)
    if object_name:
        button.setObjectName(object_name)
    button.setToolTip(str(_local_path(path)))
    button.clicked.connect(lambda _=False: open_file(path, button.window()))
    return button
