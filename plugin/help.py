"""The help: the README shipped with the plugin (offline, matches this version), rendered
inside QGIS in a non-modal :class:`HelpDialog` and scrolled to the section asked for.

The Markdown is converted by :func:`markdown_to_html`, a small converter of our own (headings
with anchors, paragraphs, lists, tables, fenced code, images, links, raw HTML anchors):
python-markdown is not part of every QGIS's Python, and Qt's ``setMarkdown`` gives headings
no anchors. Every heading gets an anchor from its text (``### Train a model`` ->
``train-a-model``, accents folded: ``import-releves``), and :data:`SECTIONS` maps the short
names the dialogs ask for (``TaskDialog.help_section``) onto them.
"""

from __future__ import annotations

import configparser
import html
import re
import unicodedata
from pathlib import Path

from qgis.PyQt.QtCore import Qt, QTimer, QUrl
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from .i18n import tr, user_locale
from .viewer import DocumentBrowser, dialog_parent, system_open

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def guide_path(locale: str | None = None) -> Path:
    """The user guide in QGIS's language where one exists (``README.fr.md`` for ``fr`` and
    ``fr_FR``), else the English README. A translated guide keeps the English anchors
    (``<a id="train-a-model"></a>`` above its own heading), so :data:`SECTIONS` serves
    every language."""
    short = (locale or user_locale()).split("_")[0].lower()
    translated = ROOT / f"README.{short}.md"
    return translated if short != "en" and translated.exists() else README


#: Section names used by the dialogs -> anchors of README headings.
SECTIONS = {
    "": "",
    "quick-start": "quick-start",
    "install-into-qgis": "install-into-qgis",
    # the dependencies dialog (TaskDialog "install"): it installs the Python packages
    "install": "install-the-python-packages",
    "packages": "install-the-python-packages",
    "settings": "settings",
    "weights": "weights",
    "diagnostics": "reporting-a-problem",
    "reporting-a-problem": "reporting-a-problem",
    "data": "your-data",
    "your-data": "your-data",
    "demo": "demo-data",
    "demo-data": "demo-data",
    "demodata": "demo-data",
    "check": "check",
    "import": "import-releves",
    "import-releves": "import-releves",
    "importreleves": "import-releves",
    "releves": "import-releves",
    "train": "train-a-model",
    "embed": "embed-an-orthophoto",
    "embed-chips": "embed-chips",
    "dask": "scale-out-dask",
    "scale-out-dask": "scale-out-dask",
    # the Predict map and Evaluate dialogs: the README's chapter on prediction maps
    "predict": "predict-a-map",
    "apply": "apply-a-saved-predictor",
    "evaluate": "evaluate-embedding-sources",
    # the Find similar places map tool and the botaclip:similarity algorithm
    "similar-places": "find-similar-places",
    "similarity": "find-similar-places",
    "suitability": "community-and-species-suitability",
    "habitats": "habitat-clusters",
    "precision": "precision-bfloat16-only-where-it-is-native-and-agrees",
    "benchmarks": "benchmarks",
}


def metadata(key: str, default: str = "") -> str:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ROOT / "metadata.txt", encoding="utf-8")
        return parser.get("general", key, fallback=default)
    except (configparser.Error, OSError):
        return default


def slugify(text: str) -> str:
    """A heading's anchor: lower case, accents folded, punctuation dropped, spaces -> '-'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().strip()
    text = re.sub(r"[^\w\- ]", "", text)
    return re.sub(r"\s+", "-", text)


def anchor_for(section: str) -> str:
    """The README anchor of a section name (``train`` -> ``train-a-model``)."""
    key = (section or "").strip().lstrip("#").lower()
    return SECTIONS.get(key, slugify(key))


def help_url(section: str = "") -> QUrl:
    """The README (``#anchor`` of ``section`` if given) or the home page."""
    guide = guide_path()
    if guide.exists():
        url = QUrl.fromLocalFile(str(guide))
    else:
        url = QUrl(metadata("homepage") or metadata("repository"))
    if section:
        url.setFragment(anchor_for(section))
    return url


# ----------------------------------------------------------------------------- Markdown

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([\w+-]*)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_HR = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
_LIST = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_ANCHORS_ONLY = re.compile(r'^\s*(<a\s+(?:id|name)="[^"]+"\s*>\s*</a>\s*)+$', re.I)
_ANCHOR_NAME = re.compile(r'<a\s+(?:id|name)="([^"]+)"\s*>', re.I)
_HTML_BLOCK = re.compile(r"^ {0,3}<(/?[a-zA-Z][\w-]*|!--)")
_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")

_INLINE = re.compile(
    r"(?P<esc>\\[\\`*_{}\[\]()#+\-.!|<>~])"
    r"|(?P<code>(?P<ticks>`+)(?P<codetext>[\s\S]+?)(?P=ticks))"
    r"|(?P<img>!\[(?P<alt>[^\]]*)\]\((?P<isrc>[^)\s]+)(?:\s+\"(?P<ititle>[^\"]*)\")?\))"
    r"|(?P<link>\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<href>[^)\s]+)"
    r"(?:\s+\"(?P<ltitle>[^\"]*)\")?\))"
    r"|(?P<auto><(?P<autourl>https?://[^>\s]+)>)"
    r"|(?P<tag></?[a-zA-Z][\w-]*(?:\s+[\w:-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>)"
    r"|(?P<url>(?<![\w/\"'=])https?://[^\s<>()]*[^\s<>().,;:!?\"'])")
_EMPHASIS = (
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w\\])__(?=\S)(.+?)(?<=\S)__(?!\w)"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"<i>\1</i>"),
    (re.compile(r"(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"<i>\1</i>"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"<s>\1</s>"),
)
_CODE_STYLE = "font-family: monospace;"
_PRE_STYLE = ("background-color: #f3f3f3; color: #202020; font-family: monospace; "
              "white-space: pre-wrap; margin-left: 6px; margin-right: 6px;")


def _tag_html(tag: str) -> str:
    """Raw HTML passes through; ``<a id=...>`` also gets Qt's ``name``."""
    m = re.match(r'<a\s+id="([^"]+)"\s*>', tag, re.I)
    return f'<a name="{m.group(1)}" id="{m.group(1)}">' if m else tag


def inline(text: str) -> str:
    """Markdown inline markup -> HTML (text escaped, code spans verbatim)."""
    parts: list[str] = []
    out: list[str] = []
    pos = 0

    def keep(snippet: str) -> str:
        parts.append(snippet)
        return f"\x00{len(parts) - 1}\x00"

    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos:m.start()], quote=False))
        pos = m.end()
        if m.group("esc"):
            out.append(keep(html.escape(m.group("esc")[1])))
        elif m.group("code"):
            code = m.group("codetext").replace("\n", " ")
            if code.startswith(" ") and code.endswith(" ") and code.strip():
                code = code[1:-1]
            out.append(keep(f'<code style="{_CODE_STYLE}">{html.escape(code)}</code>'))
        elif m.group("img"):
            title = m.group("ititle") or m.group("alt")
            out.append(keep(f'<img src="{html.escape(m.group("isrc"))}" '
                            f'alt="{html.escape(m.group("alt"))}" '
                            f'title="{html.escape(title)}">'))
        elif m.group("link"):
            title = m.group("ltitle")
            title = f' title="{html.escape(title)}"' if title else ""
            out.append(keep(f'<a href="{html.escape(m.group("href"))}"{title}>'
                            f'{inline(m.group("text"))}</a>'))
        elif m.group("auto") or m.group("url"):
            url = m.group("autourl") or m.group("url")
            out.append(keep(f'<a href="{html.escape(url)}">{html.escape(url)}</a>'))
        elif m.group("tag"):
            out.append(keep(_tag_html(m.group("tag"))))
    out.append(html.escape(text[pos:], quote=False))
    result = "".join(out)
    for pattern, repl in _EMPHASIS:
        result = pattern.sub(repl, result)
    return re.sub(r"\x00(\d+)\x00", lambda m: parts[int(m.group(1))], result)


def _plain(text: str) -> str:
    """A heading's text without markup (for its anchor and the contents list)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[`*_~]", "", text).strip()


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells, cur, ticks = [], "", False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            cur += "|"
            i += 2
            continue
        if ch == "`":
            ticks = not ticks
        if ch == "|" and not ticks:
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur.strip())
    return cells


def _anchors_html(pending: list[str]) -> str:
    """The anchors waiting for the next block, as HTML (the list is emptied)."""
    text = "".join(f'<a name="{html.escape(a)}"></a>' for a in pending)
    pending.clear()
    return text


def _starts_table(lines: list[str], i: int) -> bool:
    return "|" in lines[i] and i + 1 < len(lines) and bool(_TABLE_SEP.match(lines[i + 1])) \
        and "-" in lines[i + 1]


def _ends_paragraph(lines: list[str], i: int) -> bool:
    nxt = lines[i]
    if (not nxt.strip() or _FENCE.match(nxt) or _HEADING.match(nxt) or _HR.match(nxt)
            or _IMAGE_LINE.match(nxt) or _ANCHORS_ONLY.match(nxt)
            or nxt.lstrip().startswith(">") or _starts_table(lines, i)):
        return True
    lm = _LIST.match(nxt)
    return bool(lm and lm.group(4).strip() and (not lm.group(2)[0].isdigit()
                                                or lm.group(2)[:-1] == "1"))


class _Converter:
    def __init__(self):
        self.headings: list[tuple[int, str, str]] = []    # (level, text, anchor)
        self.anchors: list[str] = []
        self._used: set[str] = set()

    def anchor(self, text: str) -> str:
        base = slugify(text) or "section"
        name, n = base, 0
        while name in self._used:
            n += 1
            name = f"{base}-{n}"
        self._used.add(name)
        return name

    def blocks(self, lines: list[str]) -> str:
        """HTML of markdown ``lines``: each block type is one method that takes the lines
        from ``i``, appends its HTML to ``out`` and returns where the next block starts."""
        out: list[str] = []
        pending: list[str] = []          # anchors of raw <a id> lines, for the next block
        i, n = 0, len(lines)
        while i < n:
            line = lines[i]
            if not line.strip():
                i += 1
            elif _ANCHORS_ONLY.match(line):
                names = _ANCHOR_NAME.findall(line)
                pending.extend(names)
                self.anchors.extend(names)
                self._used.update(names)
                i += 1
            else:
                i = self._block(lines, i, out, pending)
        if pending:
            out.append(_anchors_html(pending))
        return "\n".join(out)

    def _block(self, lines: list[str], i: int, out: list[str], pending: list[str]) -> int:
        line, n = lines[i], len(lines)
        if _FENCE.match(line):
            return self._code(lines, i, out, _anchors_html(pending))
        if _HEADING.match(line):
            out.append(self._heading(line, pending))
            return i + 1
        if _HR.match(line):
            out.append(_anchors_html(pending) + "<hr>")
            return i + 1
        if _starts_table(lines, i):
            return self.table(lines, i, out, _anchors_html(pending))
        if line.lstrip().startswith(">"):
            return self._quote(lines, i, out, _anchors_html(pending))
        if _LIST.match(line):
            return self.list(lines, i, out, _anchors_html(pending))
        if _HTML_BLOCK.match(line):
            return self._raw_html(lines, i, out, _anchors_html(pending))
        if _IMAGE_LINE.match(line):
            out.append(f'<p align="center">{_anchors_html(pending)}{inline(line.strip())}</p>')
            return i + 1
        return self._paragraph(lines, i, out, _anchors_html(pending)) if i < n else i

    def _code(self, lines: list[str], i: int, out: list[str], anchors: str) -> int:
        fence = _FENCE.match(lines[i])
        marker, indent = fence.group(2), len(fence.group(1))
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(marker[0] * len(marker)):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        code = html.escape("\n".join(body))
        out.append(f'{anchors}<pre style="{_PRE_STYLE}">{code}</pre>')
        return i + 1                       # past the closing fence

    def _heading(self, line: str, pending: list[str]) -> str:
        heading = _HEADING.match(line)
        level, text = len(heading.group(1)), heading.group(2)
        plain = _plain(text)
        if slugify(plain) in pending:     # <a id="x"></a> right above "# X"
            name, own = slugify(plain), ""
        else:
            name = self.anchor(plain)
            self.anchors.append(name)
            own = f'<a name="{name}"></a>'
        self.headings.append((level, plain, name))
        return f"<h{level}>{_anchors_html(pending)}{own}{inline(text)}</h{level}>"

    def _quote(self, lines: list[str], i: int, out: list[str], anchors: str) -> int:
        body = []
        while i < len(lines) and lines[i].strip() and lines[i].lstrip().startswith(">"):
            body.append(re.sub(r"^\s*> ?", "", lines[i]))
            i += 1
        out.append(f"{anchors}<blockquote>{self.blocks(body)}</blockquote>")
        return i

    def _raw_html(self, lines: list[str], i: int, out: list[str], anchors: str) -> int:
        body = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i])
            i += 1
        raw = "\n".join(body)
        self.anchors.extend(_ANCHOR_NAME.findall(raw))
        out.append(anchors + re.sub(r'<a\s+id="[^"]+"\s*>', lambda m: _tag_html(m.group(0)),
                                    raw, flags=re.I))
        return i

    def _paragraph(self, lines: list[str], i: int, out: list[str], anchors: str) -> int:
        """Lines up to a blank line or the start of another block."""
        para = [lines[i]]
        i += 1
        while i < len(lines) and not _ends_paragraph(lines, i):
            para.append(lines[i])
            i += 1
        text = "\n".join(p.strip() if not p.endswith("  ") else p.strip() + "<br>"
                         for p in para)
        out.append(f"<p>{anchors}{inline(text)}</p>".replace("&lt;br&gt;", "<br>"))
        return i

    def table(self, lines: list[str], i: int, out: list[str], anchors: str) -> int:
        head = _cells(lines[i])
        aligns = []
        for cell in _cells(lines[i + 1]):
            left, right = cell.startswith(":"), cell.endswith(":")
            aligns.append("center" if left and right else "right" if right else "left")
        i += 2
        rows = []
        while i < len(lines) and lines[i].strip() and "|" in lines[i]:
            rows.append(_cells(lines[i]))
            i += 1

        def row(cells, tag):
            cells = (cells + [""] * len(head))[:len(head)]
            return "<tr>" + "".join(
                f'<{tag} align="{aligns[j] if j < len(aligns) else "left"}">{inline(c)}</{tag}>'
                for j, c in enumerate(cells)) + "</tr>"

        out.append(f'{anchors}<table border="1" cellspacing="0" cellpadding="4" '
                   f'style="border-collapse: collapse;">'
                   + row(head, "th") + "".join(row(r, "td") for r in rows) + "</table>")
        return i

    def list(self, lines: list[str], i: int, out: list[str], anchors: str) -> int:
        first = _LIST.match(lines[i])
        indent = len(first.group(1))
        ordered = first.group(2)[0].isdigit()
        start = int(first.group(2)[:-1]) if ordered else 1
        items: list[list[str]] = []
        loose = False
        n = len(lines)
        while i < n:
            m = _LIST.match(lines[i])
            if m and len(m.group(1)) == indent and m.group(2)[0].isdigit() == ordered:
                content = len(m.group(1)) + len(m.group(2)) + len(m.group(3) or " ")
                items.append([m.group(4)])
                i += 1
                while i < n:
                    nxt = lines[i]
                    if not nxt.strip():
                        # a blank line: the item goes on if the next line is indented
                        j = i + 1
                        while j < n and not lines[j].strip():
                            j += 1
                        if j < n and len(lines[j]) - len(lines[j].lstrip()) >= content:
                            items[-1].extend([""] * (j - i))
                            loose = True
                            i = j
                            continue
                        break
                    lead = len(nxt) - len(nxt.lstrip())
                    sub = _LIST.match(nxt)
                    if lead >= content:
                        items[-1].append(nxt[content:])
                    elif sub and lead <= indent:
                        break
                    elif _HEADING.match(nxt) or _FENCE.match(nxt) or _HR.match(nxt):
                        break
                    else:
                        items[-1].append(nxt.strip())     # lazy continuation
                    i += 1
                if i < n and not lines[i].strip():
                    j = i
                    while j < n and not lines[j].strip():
                        j += 1
                    m2 = _LIST.match(lines[j]) if j < n else None
                    if m2 and len(m2.group(1)) == indent \
                            and m2.group(2)[0].isdigit() == ordered:
                        loose = True
                        i = j
                        continue
                    break
            else:
                break
        tag = "ol" if ordered else "ul"
        attr = f' start="{start}"' if ordered and start != 1 else ""
        body = []
        for item in items:
            inner = self.blocks(item)
            if not loose and inner.startswith("<p>"):
                end = inner.find("</p>")
                inner = inner[3:end] + inner[end + 4:]
            body.append(f"<li>{inner}</li>")
        out.append(f"{anchors}<{tag}{attr}>" + "".join(body) + f"</{tag}>")
        return i


def markdown_to_html(text: str) -> tuple[str, list[tuple[int, str, str]], list[str]]:
    """(HTML body, headings as (level, text, anchor), every anchor) of a Markdown text."""
    conv = _Converter()
    body = conv.blocks(text.replace("\r\n", "\n").replace("\t", "    ").split("\n"))
    return body, conv.headings, conv.anchors


def render_readme(path: Path | str | None = None) -> tuple[str, list[tuple[int, str, str]],
                                                             list[str]]:
    """The guide (default :func:`guide_path`) as a whole HTML page, its headings and anchors
    (see :func:`markdown_to_html`). A missing file gives a page with the home page link."""
    path = Path(path) if path else guide_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        home = metadata("homepage") or metadata("repository")
        body = "<h1>BotaCLIP</h1><p>{}</p>".format(html.escape(
            tr("The help file {path} is missing from the plugin folder.").format(path=path)))
        if home:
            body += f'<p><a href="{html.escape(home)}">{html.escape(home)}</a></p>'
        return f"<html><body>{body}</body></html>", [], []
    body, headings, anchors = markdown_to_html(text)
    return (f'<html><head><meta charset="utf-8"><title>BotaCLIP</title></head>'
            f"<body>{body}</body></html>", headings, anchors)


# ----------------------------------------------------------------------------- viewer

class HelpDialog(QDialog):
    """The README in a browser with its contents on the left; non-modal."""

    def __init__(self, parent: QWidget | None = None, path: Path | str | None = None):
        super().__init__(parent)
        self.setObjectName("botaclip_help")
        self.setWindowTitle(tr("BotaCLIP help"))
        self.setModal(False)
        self.path = Path(path) if path else guide_path()
        self.browser = DocumentBrowser(self, max_image_width=760)
        self.browser.setObjectName("botaclip_help_browser")
        self.contents = QListWidget(self)
        self.contents.setObjectName("botaclip_help_contents")
        self.html, self.headings, self.anchors = render_readme(self.path)
        self.browser.set_document(self.html, self.path)
        for level, text, anchor in self.headings:
            item = QListWidgetItem("    " * max(0, level - 2) + text)
            item.setData(Qt.ItemDataRole.UserRole, anchor)
            item.setToolTip(text)
            if level <= 2:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.contents.addItem(item)
        self.contents.itemClicked.connect(
            lambda item: self.scroll_to(item.data(Qt.ItemDataRole.UserRole)))

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 780])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(1040, 720)
        self.section = ""

    def scroll_to(self, anchor: str) -> None:
        if anchor:
            self.browser.scrollToAnchor(anchor)
        else:
            self.browser.verticalScrollBar().setValue(0)

    def show_section(self, section: str = "") -> str:
        """Scroll to ``section`` (a name of :data:`SECTIONS` or an anchor) now and once the
        window is laid out; returns the anchor used ("" for the top or an unknown name)."""
        anchor = anchor_for(section)
        if anchor not in self.anchors:
            anchor = ""
        self.section = anchor
        self.scroll_to(anchor)
        QTimer.singleShot(0, lambda: self._scroll_later(anchor))
        for row in range(self.contents.count()):
            if self.contents.item(row).data(Qt.ItemDataRole.UserRole) == anchor:
                self.contents.setCurrentRow(row)
        return anchor

    def _scroll_later(self, anchor: str) -> None:
        try:
            if self.section == anchor:
                self.scroll_to(anchor)
        except RuntimeError:          # the dialog was deleted meanwhile
            pass


_DIALOG: HelpDialog | None = None


def _alive(widget) -> bool:
    if widget is None:
        return False
    try:
        widget.objectName()
        return True
    except RuntimeError:
        return False


def open_help(section: str = "", parent: QWidget | None = None) -> HelpDialog:
    """Show the help window (one, reused) scrolled to ``section`` and return it. Parented
    to ``parent``, else an open modal dialog (so that it can be used while that dialog is
    open), else QGIS's main window."""
    global _DIALOG
    parent = dialog_parent(parent)
    dialog = _DIALOG if _alive(_DIALOG) else None
    if dialog is not None and dialog.parent() is not parent:
        dialog.close()
        dialog.deleteLater()
        dialog = None
    if dialog is None:
        dialog = HelpDialog(parent)
        _DIALOG = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.show_section(section)
    return dialog


def open_help_in_browser(section: str = "") -> bool:
    """The README (or home page) in the system's browser; False when that fails."""
    return system_open(help_url(section))
