"""Option groups and argument types shared by several `botaclip` commands, and the progress
adapter every command hands to the backend.

Relevé options (``--plot-id``, ``--table``, ``--cover-scale``...) go with ``check`` and
``train``; band options (``--sensor``, ``--wavelengths``, ``--patch-m``) with ``check``,
``train`` and ``embed``; ``--backbone-config`` (:func:`json_object`) with ``train`` and
``embed-chips``.
"""

from __future__ import annotations

import argparse
import re

COVER_SCALES = ["auto", "presence", "percent", "fraction", "braun-blanquet", "count"]

BACKBONE_CHOICES = "dofa-small | dofa-base | dofa-large | dofa-custom | timm:NAME | spectral"


class CommandParser(argparse.ArgumentParser):
    """The `botaclip` parser (its subcommands' parsers are of the same class): argparse's
    own type names in its messages ("invalid float value: 'abc'") become words a person
    who is not a programmer reads ("'abc' is not a number")."""

    _PLAIN = ((re.compile(r"invalid int value: ('.*')"), r"\1 is not a whole number"),
              (re.compile(r"invalid float value: ('.*')"), r"\1 is not a number"))

    def error(self, message):
        for pattern, text in self._PLAIN:
            message = pattern.sub(text, message)
        super().error(message)


def csv_list(text):
    """'a, b,c' -> ['a', 'b', 'c']; None for an empty text."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def cover_mapping(text):
    """``--cover-mapping``: 'r=1,+=2,...', a JSON file {code: percent} or a CSV file of
    code,percent lines (see :func:`backend.releves.covers.read_cover_mapping`)."""
    from ..releves.covers import read_cover_mapping

    return read_cover_mapping(text)


def json_object(text):
    """``--backbone-config``: a JSON object given inline or as a .json file (see
    :func:`backend.embed.load_backbone_config`, which the commands share)."""
    from ..embed.model import load_backbone_config

    return load_backbone_config(text)


def add_releve_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("relevé options")
    g.add_argument("--plot-id", metavar="FIELD", help="field holding the plot id "
                   "(default: plot_id if present, else the feature id)")
    g.add_argument("--species-columns", metavar="A,B", type=csv_list,
                   help="taxon columns of a wide layer (default: every field of covers, "
                   "numbers or cover codes, except the plot id, coordinates, ids and "
                   "--exclude-columns)")
    g.add_argument("--exclude-columns", metavar="A,B", type=csv_list,
                   help="fields that are not taxa")
    g.add_argument("--table", metavar="CSV", help="long table (plot id, taxon, cover) joined "
                   "on the plot id to the relevé points")
    g.add_argument("--table-plot-id", metavar="FIELD", help="plot id field of the long "
                   "table when it differs from --plot-id")
    g.add_argument("--taxon", metavar="FIELD", help="taxon field of the long table")
    g.add_argument("--cover", metavar="FIELD", help="cover field of the long table")
    g.add_argument("--cover-scale", choices=COVER_SCALES, default="auto",
                   help="how covers are written (default: auto-detected)")
    g.add_argument("--cover-mapping", metavar="MAP", type=cover_mapping,
                   help="your own cover codes in percent: 'r=1,+=2' or a CSV/JSON file")
    g.add_argument("--layer", metavar="NAME", help="layer name inside a multi-layer file")
    g.add_argument("--x", metavar="FIELD", help="x/longitude field when --releves is a CSV")
    g.add_argument("--y", metavar="FIELD", help="y/latitude field when --releves is a CSV")
    g.add_argument("--crs", metavar="CRS", help="CRS of --x/--y, e.g. EPSG:4326")


def releve_options(args):
    """The :class:`ReleveOptions` of parsed relevé options (see :func:`add_releve_options`)."""
    from ..releves import ReleveOptions

    return ReleveOptions(
        plot_id=args.plot_id, species_columns=args.species_columns,
        exclude_columns=args.exclude_columns, table=args.table, taxon=args.taxon,
        cover=args.cover, cover_scale=args.cover_scale, cover_mapping=args.cover_mapping,
        x=args.x, y=args.y, crs=args.crs, layer=args.layer,
        table_plot_id=getattr(args, "table_plot_id", None))


def add_band_options(p: argparse.ArgumentParser, patch_default: float = 100.0) -> None:
    g = p.add_argument_group("band options")
    g.add_argument("--sensor", metavar="PRESET",
                   help="band preset, e.g. bdortho-rvb, bdortho-irc, naip, sentinel2-l2a "
                   "(`botaclip presets` lists them)")
    g.add_argument("--wavelengths", metavar="LIST",
                   help="band centre wavelengths in micrometres, e.g. 0.665,0.56,0.49,0.842")
    g.add_argument("--patch-m", type=float, default=patch_default, metavar="M",
                   help=f"patch side in metres (default {patch_default:g})")


def add_overwrite_option(p: argparse.ArgumentParser, what: str = "an output") -> None:
    """``--overwrite``: replace an existing file that BotaCLIP did not write. Without it such
    a file (or a non-empty folder that is not one of ours) is refused, so that a slip in a
    path never costs the user a file; even with it, other files in a folder are kept."""
    p.add_argument("--overwrite", action="store_true",
                   help=f"replace {what} that already exists and was not written by BotaCLIP "
                   "(without it, such a file is left untouched and the command stops; files "
                   "BotaCLIP wrote are always replaced, other files in a folder always kept)")


SCHEDULER_METAVAR = "local[:N]|tcp://HOST:PORT|FILE.json"


def add_scheduler_option(p: argparse.ArgumentParser, what: str = "map") -> None:
    """``--scheduler``: the block-wise maps computed tile by tile on a Dask cluster, with the
    forms and meaning of ``botaclip embed --scheduler`` (see
    :func:`backend.distributed.parse_scheduler`)."""
    p.add_argument("--scheduler", metavar=SCHEDULER_METAVAR,
                   help=f"compute the {what} tile by tile on Dask: local:N starts N worker "
                   "processes here, tcp://HOST:PORT or a scheduler file joins a running "
                   f"cluster (the embedding raster and --out on a file system every worker "
                   f"sees); the same {what} as without it")


def terminal_progress(args):
    """A progress bar on stderr, silent but for warnings with ``--quiet``."""
    from ..progress import TerminalProgress

    return TerminalProgress(quiet=getattr(args, "quiet", False))
