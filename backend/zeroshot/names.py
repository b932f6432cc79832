"""Taxon names typed by a person, matched to a model's species list.

A user types "carex curvula; Nardus stricta L.=25"; the model knows "Carex curvula" and
"Nardus stricta". Matching goes from strict to lenient, and never guesses between two
candidates:

1. the name normalised as the relevé readers normalise it (:func:`normalise_taxon`: case of
   genus and epithet, spaces, rank abbreviations), so a typed name meets the same spelling
   training gave the column;
2. the same with authorities left out on both sides (:func:`taxon_without_author`), so
   "Nardus stricta L." finds "Nardus stricta" -- accepted only when exactly one known name
   has that stem (an author can separate two concepts, which the user must then choose);
3. case-insensitively, for names whose words beyond the epithet were typed in another case.

A name still unknown is refused with the nearest known names (difflib on the lower-cased
normalised names), since a typo is the usual cause and the list of a real model runs to
thousands of taxa.
"""

from __future__ import annotations

import difflib

from ..errors import BotaclipError
from ..releves.names import normalise_taxon, taxon_without_author

N_SUGGESTIONS = 5
SUGGEST_CUTOFF = 0.6     # difflib's default: below it the "nearest" names are noise


def parse_taxa_text(text) -> list[tuple[str, float | None]]:
    """``"Name one; Name two=25"`` -> ``[("Name one", None), ("Name two", 25.0)]``.

    Names are separated by ``;`` or new lines (not commas: authorities hold commas, "L., 1753");
    an optional ``=cover`` follows a name. Empty items are skipped."""
    items = []
    for raw in str(text or "").replace("\n", ";").split(";"):
        raw = raw.strip()
        if not raw:
            continue
        name, sep, cover = raw.rpartition("=")
        if not sep:
            items.append((raw, None))
            continue
        try:
            value = float(cover.strip().replace(",", "."))
        except ValueError:
            raise BotaclipError(f"The cover of {name.strip()!r} in the taxa list must be a "
                                f"number, not {cover.strip()!r}; write 'Name=25' or just "
                                "'Name' (presence).") from None
        if not value > 0 or value != value or value == float("inf"):
            raise BotaclipError(f"The cover of {name.strip()!r} must be above 0 (got "
                                f"{cover.strip()!r}); leave the taxon out instead.")
        items.append((name.strip(), value))
    if not items:
        raise BotaclipError("The taxa list is empty: give names separated by ';', e.g. "
                            "\"Nardus stricta; Arnica montana=5\".")
    return items


class TaxonIndex:
    """A model's species list, looked up by the rules of the module docstring."""

    def __init__(self, species):
        self.species = [str(s) for s in species]
        self._exact: dict[str, int] = {}
        self._stem: dict[str, list[int]] = {}
        self._lower: dict[str, list[int]] = {}
        for i, s in enumerate(self.species):
            n = normalise_taxon(s)
            self._exact.setdefault(n, i)
            self._stem.setdefault(taxon_without_author(n), []).append(i)
            self._lower.setdefault(n.lower(), []).append(i)

    def find(self, name) -> int | None:
        """The column of ``name``, or None when unknown or ambiguous."""
        n = normalise_taxon(name)
        if n in self._exact:
            return self._exact[n]
        for table, key in ((self._stem, taxon_without_author(n)), (self._lower, n.lower())):
            hits = table.get(key, [])
            if len(hits) == 1:
                return hits[0]
        return None

    def suggest(self, name, n: int = N_SUGGESTIONS) -> list[str]:
        """The known names nearest to ``name`` (best first; empty when none is near)."""
        lowered = {normalise_taxon(s).lower(): s for s in self.species}
        close = difflib.get_close_matches(normalise_taxon(name).lower(), list(lowered), n=n,
                                          cutoff=SUGGEST_CUTOFF)
        return [lowered[c] for c in close]

    def index(self, name, model_path=None) -> int:
        """The column of ``name``; unknown -> :class:`BotaclipError` with suggestions."""
        i = self.find(name)
        if i is not None:
            return i
        where = f" of {model_path}" if model_path else ""
        stem = self._stem.get(taxon_without_author(normalise_taxon(name)), [])
        if len(stem) > 1:
            names = ", ".join(repr(self.species[k]) for k in stem)
            raise BotaclipError(f"{name!r} matches several taxa of the model{where} that "
                                f"differ by their author ({names}); type one of them in "
                                "full.")
        near = self.suggest(name)
        hint = (f" Did you mean: {'; '.join(near)}?" if near else
                " No known name is close; check the spelling, or list the model's taxa "
                "(its config.json, 'species').")
        raise BotaclipError(f"The model{where} does not know the taxon {name!r} (it was "
                            f"trained on {len(self.species)} taxa).{hint}")
