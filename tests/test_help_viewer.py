"""The help viewer (README rendered inside QGIS, scrolled to the section a dialog asks for)
and the file opener's fallbacks when the system cannot open a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

REPO = Path(__file__).resolve().parents[1]
# what the dialogs ask for -> the README heading it must land on
EXPECTED = {"check": "Check", "train": "Train a model", "embed": "Embed an orthophoto",
            "import": "Import relevés", "import-releves": "Import relevés",
            "demo": "Demo data", "demo-data": "Demo data", "settings": "Settings",
            "weights": "Weights", "install": "Install the Python packages",
            "diagnostics": "Reporting a problem", "dask": "Scale out: Dask"}


def _sections_used_in_plugin() -> set[str]:
    """Every section name the plugin's code passes to the help."""
    found: set[str] = set()
    for path in (REPO / "plugin").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"help_section\s*=\s*[\"']([^\"']*)[\"']", text))
        found.update(re.findall(r"open_help\(\s*[\"']([^\"']*)[\"']", text))
    return found - {""}


def _pump(app, n: int = 5) -> None:
    for _ in range(n):
        app.processEvents()


def _document_anchors(document) -> set[str]:
    names: set[str] = set()
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            names.update(it.fragment().charFormat().anchorNames())
            it += 1
        block = block.next()
    return names


def _top_line(browser) -> str:
    from qgis.PyQt.QtCore import QPoint

    return browser.cursorForPosition(QPoint(5, 8)).block().text()


@pytest.fixture
def cleanup(qgis_app):
    """Closes the help window and every fallback dialog a test opened."""
    from botaclip.plugin import help as help_module
    from botaclip.plugin import viewer

    yield qgis_app
    for dialog in list(viewer._OPEN):
        dialog.close()
    if help_module._DIALOG is not None:
        help_module._DIALOG.close()
    _pump(qgis_app)


def test_every_help_section_lands_on_its_heading(cleanup):
    from botaclip.plugin.help import anchor_for, open_help, render_readme

    app = cleanup
    used = _sections_used_in_plugin()
    assert {"check", "train", "embed", "settings"} <= used, used
    html, headings, anchors = render_readme()
    heading_of = {anchor: text for _, text, anchor in headings}
    for section in sorted(used | set(EXPECTED)):
        anchor = anchor_for(section)
        assert anchor in anchors and f'<a name="{anchor}">' in html, section
        assert anchor in heading_of, f"{section} -> {anchor} is not a heading's anchor"
        if section in EXPECTED:
            assert heading_of[anchor] == EXPECTED[section], section

    dialog = open_help("")
    _pump(app)
    in_document = _document_anchors(dialog.browser.document())
    for section in sorted(used | set(EXPECTED)):
        anchor = anchor_for(section)
        assert anchor in in_document, section           # Qt kept the anchor
        assert open_help(section) is dialog             # one window, reused
        _pump(app)
        assert dialog.section == anchor
        assert _top_line(dialog.browser) == heading_of[anchor], section
        assert dialog.browser.verticalScrollBar().value() > 0, section


@pytest.mark.parametrize("guide", ["README.md", "README.fr.md"])
def test_every_section_name_resolves_in_each_guide(guide):
    """Every value of SECTIONS is an anchor of the English guide and of the French one (which
    keeps the English anchors), and every name the plugin asks for is a key of SECTIONS, not
    left to the slug fallback, so that a renamed heading fails here rather than opening the
    help at the top."""
    from botaclip.plugin.help import SECTIONS, markdown_to_html

    _, _, anchors = markdown_to_html((REPO / guide).read_text(encoding="utf-8"))
    missing = {name: anchor for name, anchor in SECTIONS.items()
               if anchor and anchor not in anchors}
    assert missing == {}, f"{guide} lacks these anchors"
    assert _sections_used_in_plugin() - set(SECTIONS) == set()


def test_open_help_shows_a_non_modal_window_at_the_top(cleanup):
    from botaclip.plugin.help import HelpDialog, help_url, open_help

    app = cleanup
    dialog = open_help()
    _pump(app)
    assert isinstance(dialog, HelpDialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.browser.verticalScrollBar().value() == 0
    assert _top_line(dialog.browser) == "BotaCLIP for QGIS"
    assert open_help("no such section").section == ""          # unknown: the top
    assert dialog.contents.count() >= 10                        # the contents list
    assert help_url("train").fragment() == "train-a-model"


def test_help_renders_markdown_blocks_and_resolves_images(cleanup):
    from qgis.PyQt.QtCore import QUrl
    from qgis.PyQt.QtGui import QImage, QTextDocument

    from botaclip.plugin.help import README, open_help, render_readme

    html, _, _ = render_readme()
    assert "```" not in html and "](" not in html and "**" not in html
    assert "<table" in html and "<pre" in html and "<code" in html
    assert '<a href="#weights">Weights</a>' in html
    srcs = re.findall(r'<img src="([^"]+)"', html)
    assert srcs
    for src in srcs:
        assert (README.parent / src).is_file(), src
    dialog = open_help()
    browser = dialog.browser
    image = browser.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(srcs[0]))
    assert isinstance(image, QImage) and not image.isNull()
    assert image.width() <= browser.max_image_width


def test_markdown_converter():
    from botaclip.plugin.help import markdown_to_html

    text = """# Title *one*

<a id="alias"></a>
## Second: part

Para with `a <b> code`, **bold**, *it*, [link](https://example.org "t") and
a second line, snake_case_name stays.

- item one
- item **two**
  - nested
- item three

1. first
2. second

| a | b |
|---|--:|
| 1 | `x|y` |

```python
if a < b:
    print("x")
```

![Alt text](img/pic.png)

> quoted
"""
    html, headings, anchors = markdown_to_html(text)
    assert headings == [(1, "Title one", "title-one"), (2, "Second: part", "second-part")]
    assert anchors == ["title-one", "alias", "second-part"]
    assert '<h2><a name="alias"></a><a name="second-part"></a>Second: part</h2>' in html
    assert "<code" in html and "a &lt;b&gt; code</code>" in html
    assert "<b>bold</b>" in html and "<i>it</i>" in html and "snake_case_name" in html
    assert '<a href="https://example.org" title="t">link</a>' in html
    assert re.search(r"<ul><li>item one</li><li>item <b>two</b>\s*<ul><li>nested</li></ul>"
                     r"</li><li>item three</li></ul>", html)
    assert "<ol><li>first</li><li>second</li></ol>" in html
    assert '<th align="left">a</th><th align="right">b</th>' in html
    assert "x|y</code>" in html
    assert 'if a &lt; b:\n    print(&quot;x&quot;)</pre>' in html
    assert '<img src="img/pic.png" alt="Alt text"' in html
    assert "<blockquote><p>quoted</p></blockquote>" in html


def test_links_in_the_help(cleanup, tmp_path):
    from qgis.PyQt.QtCore import QUrl

    from botaclip.plugin import viewer
    from botaclip.plugin.help import open_help

    app = cleanup
    dialog = open_help()
    browser = dialog.browser
    opened: list[str] = []
    browser.opener = lambda url: opened.append(url.toString()) or True
    _pump(app)
    assert browser.follow(QUrl("#weights")) == "scroll"
    _pump(app)
    assert _top_line(browser) == "Weights"
    assert browser.follow(QUrl("https://example.org/x")) == "system"
    assert opened == ["https://example.org/x"]
    # a local file: the system opener first, the image viewer when it fails
    assert browser.follow(QUrl("resources/screenshots/demo-training-recall.png")) == "system"
    assert opened[-1].endswith("/resources/screenshots/demo-training-recall.png")
    browser.opener = lambda url: False
    assert browser.follow(QUrl("resources/screenshots/demo-training-recall.png")) == "viewer"
    assert isinstance(viewer.LAST_DIALOG, viewer.ImageDialog)
    # a web link the system cannot open: its address to copy
    assert browser.follow(QUrl("https://example.org/y")) == "path"
    assert viewer.LAST_DIALOG.field.text() == "https://example.org/y"


def test_open_file_uses_the_system_when_it_can(cleanup, tmp_path):
    from botaclip.plugin.viewer import open_file

    path = tmp_path / "a.json"
    path.write_text("{}")
    seen = []
    assert open_file(path, opener=lambda url: seen.append(url.toLocalFile()) or True) \
        == "system"
    assert seen == [str(path.resolve())]


def test_open_file_falls_back_to_viewers(cleanup, tmp_path, monkeypatch):
    from qgis.PyQt.QtWidgets import QApplication

    from botaclip.plugin import viewer

    app = cleanup
    monkeypatch.setattr(viewer, "SYSTEM_OPENER", lambda url: False)
    png = REPO / "resources" / "screenshots" / "demo-training-recall.png"
    assert viewer.open_file(png) == "viewer"
    dialog = viewer.LAST_DIALOG
    assert isinstance(dialog, viewer.ImageDialog) and dialog.isVisible()
    assert not dialog.isModal() and not dialog.label.pixmap().isNull()
    dialog.fit.setChecked(False)
    assert dialog.label.pixmap().width() == dialog.image.width()

    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "p.png").write_bytes(png.read_bytes())
    page = tmp_path / "report.html"
    page.write_text('<html><head><title>My report</title></head><body><h1>Report</h1>'
                    '<img src="pics/p.png"></body></html>', encoding="utf-8")
    assert viewer.open_file(str(page)) == "viewer"
    dialog = viewer.LAST_DIALOG
    assert isinstance(dialog, viewer.HtmlDialog)
    assert dialog.windowTitle() == "My report"
    assert "Report" in dialog.browser.toPlainText()
    from qgis.PyQt.QtCore import QUrl
    from qgis.PyQt.QtGui import QTextDocument

    image = dialog.browser.loadResource(QTextDocument.ResourceType.ImageResource,
                                        QUrl("pics/p.png"))
    assert not image.isNull()

    other = tmp_path / "model.safetensors"
    other.write_bytes(b"x")
    assert viewer.open_file(other) == "path"
    dialog = viewer.LAST_DIALOG
    assert isinstance(dialog, viewer.PathDialog) and dialog.field.text() == str(other)
    assert dialog.field.isReadOnly()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == str(other)

    assert viewer.open_file(tmp_path) == "path"                    # a folder
    _pump(app)


def test_missing_file_is_not_handed_to_the_system(cleanup, tmp_path):
    from botaclip.plugin import viewer

    called = []
    missing = tmp_path / "gone.html"
    assert viewer.open_file(missing, opener=lambda url: called.append(url) or True) == "path"
    assert called == []
    from qgis.PyQt.QtWidgets import QLabel

    message = viewer.LAST_DIALOG.findChild(QLabel, "botaclip_path_message")
    assert "does not exist" in message.text()
    assert viewer.LAST_DIALOG.field.text() == str(missing)


def test_help_without_readme_links_the_home_page(cleanup, tmp_path):
    from botaclip.plugin.help import HelpDialog

    dialog = HelpDialog(path=tmp_path / "README.md")
    assert "is missing" in dialog.browser.toPlainText()
    assert dialog.show_section("train") == ""
    dialog.close()


def test_open_button_falls_back(cleanup, tmp_path, monkeypatch):
    from botaclip.plugin import viewer

    monkeypatch.setattr(viewer, "SYSTEM_OPENER", lambda url: False)
    path = tmp_path / "notes.txt"
    path.write_text("x")
    button = viewer.open_button(path, "Open notes", object_name="botaclip_open_notes")
    assert button.objectName() == "botaclip_open_notes" and button.toolTip() == str(path)
    button.click()
    assert isinstance(viewer.LAST_DIALOG, viewer.PathDialog)
    assert viewer.LAST_DIALOG.field.text() == str(path)
