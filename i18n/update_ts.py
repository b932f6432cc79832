"""Write i18n/botaclip_<lang>.ts from the strings the plugin passes to ``tr()``.

pylupdate5 is not always installed (Debian 12 has no package for it) and Qt 5's lupdate
does not read Python, so this script does the same job with Python's ``ast``: it collects
the literal first argument of every ``tr(...)`` / ``self.tr(...)`` / ``translatable(...)``
call under plugin/, all in the context ``BotaCLIP``, and writes a Qt Linguist .ts file.
Translations already in the .ts file are kept; strings no longer in the code are marked
obsolete. Usage::

    python i18n/update_ts.py            # updates i18n/botaclip_fr.ts
    python i18n/update_ts.py de         # creates/updates i18n/botaclip_de.ts
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTEXT = "BotaCLIP"
FUNCTIONS = {"tr", "translatable"}


def collect(root: Path = ROOT) -> list[tuple[str, str, int]]:
    """(source text, file relative to the repository, line) in file order, first seen."""
    found: dict[str, tuple[str, str, int]] = {}
    for path in sorted((root / "plugin").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                f, ast.Attribute) else None
            arg = node.args[0]
            if name in FUNCTIONS and isinstance(arg, ast.Constant) and isinstance(arg.value,
                                                                                   str):
                rel = path.relative_to(root).as_posix()
                found.setdefault(arg.value, (arg.value, rel, node.lineno))
    return sorted(found.values(), key=lambda t: (t[1], t[2]))


def existing(ts: Path) -> dict[str, ET.Element]:
    if not ts.exists():
        return {}
    tree = ET.parse(ts)
    return {m.findtext("source"): m.find("translation")
            for m in tree.getroot().iter("message") if m.find("translation") is not None}


def write_ts(lang: str = "fr", root: Path = ROOT) -> Path:
    ts = root / "i18n" / f"botaclip_{lang}.ts"
    old = existing(ts)
    messages = collect(root)
    top = ET.Element("TS", {"version": "2.1", "language": lang})
    ctx = ET.SubElement(top, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    seen = set()
    for text, rel, line in messages:
        seen.add(text)
        msg = ET.SubElement(ctx, "message")
        ET.SubElement(msg, "location", {"filename": "../" + rel, "line": str(line)})
        ET.SubElement(msg, "source").text = text
        prev = old.get(text)
        if prev is not None and (prev.text or "").strip():
            tr = ET.SubElement(msg, "translation")
            tr.text = prev.text
            if prev.get("type") == "unfinished":
                tr.set("type", "unfinished")
        else:
            ET.SubElement(msg, "translation", {"type": "unfinished"})
    for text, prev in old.items():
        if text not in seen and prev is not None and (prev.text or "").strip():
            msg = ET.SubElement(ctx, "message")
            ET.SubElement(msg, "source").text = text
            ET.SubElement(msg, "translation", {"type": "obsolete"}).text = prev.text
    ET.indent(top) if hasattr(ET, "indent") else None
    body = ET.tostring(top, encoding="unicode")
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                  encoding="utf-8")
    return ts


if __name__ == "__main__":
    out = write_ts(sys.argv[1] if len(sys.argv) > 1 else "fr")
    print(f"wrote {out}")
