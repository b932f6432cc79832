"""Taxon names and plot ids in one canonical spelling, so that the same taxon is one column
and the same plot one id (:func:`normalise_taxon`, :func:`normalise_plot_id`), and the names
that differ only by an authority (:func:`author_variants`)."""

from __future__ import annotations

import math
import numbers
import re
import unicodedata

_RANK_DOT = {"subsp", "ssp", "var", "subvar", "f", "fo", "agg", "aggr", "cf", "aff", "sp",
             "spp", "sect", "subsect", "ser", "subg", "nothosubsp", "nothovar"}
_RANKS = _RANK_DOT | {"forma", "s.l", "s.str", "sensu"}
_HYBRID = {"x", "\u00d7"}
_INT_TEXT = re.compile(r"^[+-]?\d+\.0*$")


def _cap(word: str) -> str:
    for k, c in enumerate(word):
        if c.isalpha():
            return word[:k] + c.upper() + word[k + 1:].lower()
    return word


def normalise_taxon(name) -> str:
    """A taxon name in one canonical spelling, so that the same taxon is one column.

    The rule, step by step:

    1. Unicode NFC; no-break spaces and underscores become spaces; the ends are trimmed.
    2. A name that is then a single word containing dots is an R-style column name
       (``Abies.alba``, ``Carex.sp.``): it is split at the dots. Other names keep their dots.
    3. Words are separated by single spaces.
    4. Case: the genus (first word, after a hybrid sign ``x``/``×``) gets a capital and lower
       case after it; the species epithet (the word after the genus or after a hybrid sign)
       and any word after a rank abbreviation are lower-cased; rank abbreviations are
       lower-cased and end with a dot (subsp., ssp., var., f., agg., sp., spp., cf., aff.
       ...). Other words (authorities, "et") are kept as given.
    5. A result without any letter or digit is the empty name.

    Authorities are out of scope: "Abies alba Mill." and "Abies alba" stay two taxa (the
    readers list such pairs in a notice: :func:`author_variants`). The rule is idempotent: a
    normalised name normalises to itself.
    """
    if name is None:
        return ""
    s = unicodedata.normalize("NFC", str(name)).replace("\u00a0", " ").replace("_", " ").strip()
    if not any(c.isspace() for c in s) and "." in s:
        words = [w for w in s.split(".") if w]
    else:
        words = s.split()
    out: list[str] = []
    genus_done = False
    epithet_next = False
    for w in words:
        lw = w.lower()
        bare = lw.rstrip(".")
        if not genus_done:
            if lw in _HYBRID:
                out.append(lw)
                continue
            out.append(_cap(w))
            genus_done = epithet_next = True
        elif lw in _HYBRID:
            out.append(lw)
            epithet_next = True
        elif bare in _RANKS:
            out.append(bare + "." if bare in _RANK_DOT else lw)
            epithet_next = True
        elif epithet_next:
            out.append(lw)
            epithet_next = False
        else:
            out.append(w)
    result = " ".join(out)
    return result if any(c.isalnum() for c in result) else ""


def taxon_without_author(name) -> str:
    """The name of :func:`normalise_taxon` with what looks like an authority left out: the
    genus, the species epithet, and each rank abbreviation with the word after it are kept,
    every other word is dropped ("Vaccinium myrtillus L." and "Vaccinium myrtillus (L.)
    Hull" -> "Vaccinium myrtillus"; "Quercus robur L. subsp. robur" -> "Quercus robur
    subsp. robur").

    Used only to find names that differ by an authority (:func:`author_variants`), never to
    merge taxa: an author can separate two concepts of one name, and free-text authorities
    cannot be parsed with certainty."""
    out: list[str] = []
    genus_done = keep_next = False
    for w in normalise_taxon(name).split():
        lw = w.lower()
        if not genus_done:
            out.append(w)
            genus_done = lw not in _HYBRID
            keep_next = genus_done
        elif lw in _HYBRID or lw.rstrip(".") in _RANKS:
            out.append(w)
            keep_next = True
        elif keep_next:
            out.append(w)
            keep_next = False
    return " ".join(out)


def author_variants(taxa) -> list[list[str]]:
    """Groups of two or more (normalised) taxon names that are the same once authorities
    are left out (:func:`taxon_without_author`), each sorted, in the order of their first
    name."""
    groups: dict[str, list[str]] = {}
    for t in taxa:
        groups.setdefault(taxon_without_author(t), []).append(t)
    found = [sorted(set(g)) for g in groups.values() if len(set(g)) > 1]
    return sorted(found)


def normalise_plot_id(value) -> str:
    """Plot id as text: 790150, 790150.0 and '790150.0' all give '790150'; NaN/None give ''."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        if not math.isfinite(f):
            return ""
        return str(int(f)) if f == int(f) else repr(f)
    s = " ".join(str(value).split())
    if s.lower() in ("nan", "null", "none", "na"):
        return ""
    if _INT_TEXT.match(s):
        s = s[:s.index(".")]
    return s
