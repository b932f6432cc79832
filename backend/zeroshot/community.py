"""Queries in the shared space from a model bundle: a species list, relevés, a taxon alone.

BotaCLIP's relevé encoder and image adapter write into one space, so a vector made by the
encoder can be compared with every pixel of an embedding raster made with the *same* adapter
(:func:`check_model_embeddings` refuses any other raster: with another adapter the cosines
would be meaningless numbers, not a weak answer).

Covers go through the bundle's own path (:meth:`..bundle.Bundle.embed_releves`: the cover
transform training applied, then the encoder), so a typed list and a training relevé are
encoded alike. A typed taxon without a cover gets the raw value 1: under the presence and
hellinger transforms (and for a taxon alone, whatever its cover, under hellinger) that is
exactly what a relevé with the taxon present gives; under sqrt/log it is a low cover, the
safe choice for "this taxon is there" when the user gave no figure.
"""

from __future__ import annotations

import numpy as np

from ..bundle import Bundle, load_bundle
from ..embed.cog import read_embedding_tags
from ..errors import BotaclipError
from ..io.raster import open_raster
from ..releves.names import normalise_plot_id, normalise_taxon
from ..releves.options import ReleveOptions
from ..releves.read import read_releves
from .names import TaxonIndex, parse_taxa_text

PRESENCE_COVER = 1.0       # a typed taxon without a cover (see the module docstring)


def check_model_embeddings(model_dir, embeddings) -> Bundle:
    """The bundle at ``model_dir``, once the embedding raster ``embeddings`` is known to be
    made with its adapter (its ``BOTACLIP_MODEL_SHA256`` tag equals the bundle's sha256)."""
    bundle = model_dir if isinstance(model_dir, Bundle) else load_bundle(model_dir)
    ds = open_raster(embeddings)
    bands = ds.RasterCount
    ds = None
    tag = read_embedding_tags(embeddings).get("BOTACLIP_MODEL_SHA256")
    if not tag:
        raise BotaclipError(
            f"The embedding raster {embeddings} was not made with a BotaCLIP model (it has no "
            f"BOTACLIP_MODEL_SHA256 tag), so it does not share a space with the relevés of "
            f"the model {bundle.path}. Embed the orthophoto with this model: botaclip embed "
            f"--model {bundle.path} ...")
    if str(tag) != bundle.sha256:
        raise BotaclipError(
            f"The embedding raster {embeddings} was made with another model (sha256 "
            f"{str(tag)[:12]}...) than {bundle.path} ({bundle.sha256[:12]}...); its pixels "
            "cannot be compared with this model's relevés. Use the model it was made with, "
            f"or embed the orthophoto again with --model {bundle.path}.")
    if bands != bundle.dim:
        raise BotaclipError(f"The embedding raster {embeddings} has {bands} bands but the "
                            f"model {bundle.path} embeds into {bundle.dim}; embed again.")
    return bundle


def normalised(v: np.ndarray) -> np.ndarray:
    """``v`` (d,) or (n, d) scaled to unit length (rows)."""
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 0, n, 1.0)


def taxa_covers(bundle: Bundle, text) -> tuple[np.ndarray, list[str]]:
    """(raw covers (1, T) in the bundle's species order, the matched names) for a typed
    list (:func:`.names.parse_taxa_text`); unknown names refused with suggestions."""
    index = TaxonIndex(bundle.species)
    row = np.zeros((1, len(index.species)), dtype=np.float32)
    names = []
    for name, cover in parse_taxa_text(text):
        i = index.index(name, bundle.path)
        row[0, i] = PRESENCE_COVER if cover is None else cover
        names.append(index.species[i])
    return row, names


def query_from_taxa(model_dir, embeddings, text) -> np.ndarray:
    """The relevé encoder's (unit) embedding (d,) of the species list ``text`` ("Name one;
    Name two=25"), after checking that ``embeddings`` was made with the model."""
    bundle = check_model_embeddings(model_dir, embeddings)
    row, _ = taxa_covers(bundle, text)
    return bundle.embed_releves(row)[0]


def taxon_queries(bundle: Bundle, names) -> tuple[np.ndarray, list[str]]:
    """(k, d) unit embeddings of relevés that each hold one taxon of ``names`` alone (raw
    cover :data:`PRESENCE_COVER`), and the matched names."""
    index = TaxonIndex(bundle.species)
    cols = [index.index(n, bundle.path) for n in names]
    values = np.zeros((len(cols), len(index.species)), dtype=np.float32)
    values[np.arange(len(cols)), cols] = PRESENCE_COVER
    return bundle.embed_releves(values), [index.species[c] for c in cols]


def species_matrix(rel, species) -> np.ndarray:
    """The raw covers of ``rel`` (a :class:`..releves.model.Releves`) as (plots, T) in the
    order of ``species``; a model taxon the relevés lack is a zero column (absent)."""
    where = {normalise_taxon(t): i for i, t in enumerate(rel.taxa)}
    out = np.zeros((len(rel.plot_ids), len(species)), dtype=np.float32)
    for j, s in enumerate(species):
        i = where.get(normalise_taxon(s))
        if i is not None:
            out[:, j] = np.asarray(rel.values[:, i], dtype=np.float32)
    return out


def releve_options(bundle: Bundle, options=None) -> ReleveOptions:
    """The options to read relevés with: given, else those training recorded."""
    if isinstance(options, ReleveOptions):
        return options
    recorded = options if isinstance(options, dict) else \
        (bundle.config.get("inputs") or {}).get("options") or {}
    known = set(ReleveOptions.__dataclass_fields__)
    return ReleveOptions(**{k: v for k, v in recorded.items() if k in known})


def query_from_releves(model_dir, embeddings, releves, plot_ids, options=None) -> np.ndarray:
    """The mean (unit again) of the encoder's embeddings of the plots ``plot_ids`` of the
    relevé layer ``releves`` (read with ``options``, default: the options training used)."""
    bundle = check_model_embeddings(model_dir, embeddings)
    rel = read_releves(str(releves), releve_options(bundle, options))
    ids = [normalise_plot_id(p) for p in rel.plot_ids]
    wanted = [normalise_plot_id(p) for p in
              (plot_ids.split(",") if isinstance(plot_ids, str) else plot_ids)]
    missing = [p for p in wanted if p not in ids]
    if not wanted or missing:
        shown = ", ".join(ids[:8]) + (" ..." if len(ids) > 8 else "")
        which = ", ".join(missing) or "(none given)"
        raise BotaclipError(f"The relevés {releves} have no plot {which}; give ids of its "
                            f"plot id field (e.g. {shown}).")
    rows = [ids.index(p) for p in wanted]
    values = species_matrix(rel, bundle.species)[rows]
    empty = [wanted[k] for k, r in enumerate(values) if not (r > 0).any()]
    if empty:
        raise BotaclipError(f"The plot(s) {', '.join(empty)} of {releves} hold none of the "
                            f"{len(bundle.species)} taxa the model {bundle.path} knows, so "
                            "they cannot be encoded; choose other plots.")
    return normalised(bundle.embed_releves(values).mean(axis=0))
