"""Cover values of relevés: scales, codes and their conversion to numbers.

Scales (what :func:`parse_covers` returns for each):

===============  ==========================================  ===============
scale            cells                                       numbers
===============  ==========================================  ===============
presence         1/0, x, yes/no, y/n, present/absent,        1 or 0
                 true/false (any number > 0 when the scale
                 is given explicitly)
percent          0-100 (a trailing "%" is allowed)            percent cover
fraction         0-1                                          percent cover
braun-blanquet   r + 1 2 2m 2a 2b 3 4 5 (and 0), case and     percent cover
                 spaces ignored ("2 A" = "2a")                (BRAUN_BLANQUET_PERCENT)
count            whole numbers >= 0                           counts
===============  ==========================================  ===============

Empty cells, NA, NaN, null and None mean "absent" (0) in every scale.

``auto`` detection (:func:`detect_cover_scale`), in this order, over the non-empty cells:

1. any Braun-Blanquet-only code (r, +, 2m, 2a, 2b) -> braun-blanquet;
2. else any presence word (x, yes, no, y, n, present, absent, true, false) -> presence;
3. else, from the numbers: all 0 or 1 -> presence; largest <= 1 -> fraction;
   largest <= 100 -> percent; all whole numbers -> count (largest > 100);
   otherwise percent (and the values over 100 are reported as errors).

So numbers alone are never read as Braun-Blanquet codes (1-5 could as well be percent), counts
up to 100 read as percent and percent data whose largest value is at most 1 read as fractions:
give the scale explicitly in those cases. Whatever the scale, cells that do not fit it are
reported together (each distinct value with its first rows) instead of being guessed.

A cover mapping (user code -> percent) is looked up first. With ``auto`` or
``braun-blanquet`` it overrides and extends the Braun-Blanquet table; the cells it does not
cover are read as Braun-Blanquet codes if any r/+/2m/2a/2b is among them, else as percent
(``fraction`` reads them as fractions). A mapping gives percent covers, so it cannot be
combined with the presence or count scales.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from pathlib import Path

import numpy as np

from ..errors import BotaclipError

# Braun-Blanquet codes (with the Reichelt & Wilmanns 2m/2a/2b subdivision) to percentage cover:
# the conversion used by Turboveg and the European plot databases that export through it
# (plain "2", 5-25 %, takes its mid-point).
BRAUN_BLANQUET_PERCENT: dict[str, float] = {
    "r": 1.0, "+": 2.0, "1": 3.0, "2m": 4.0, "2a": 8.0, "2b": 18.0, "2": 15.0,
    "3": 38.0, "4": 63.0, "5": 88.0,
}

SCALES = ("auto", "presence", "percent", "fraction", "braun-blanquet", "count")

_ALIASES = {"bb": "braun-blanquet", "braun_blanquet": "braun-blanquet",
            "braunblanquet": "braun-blanquet", "pa": "presence", "presence-absence": "presence",
            "presence_absence": "presence", "percentage": "percent", "proportion": "fraction",
            "counts": "count", "abundance": "count"}
_NA = {"", "na", "n/a", "nan", "null", "none", "<na>"}
_PRESENT_WORDS = {"x", "yes", "y", "present", "true"}
_ABSENT_WORDS = {"no", "n", "absent", "false"}
_BB_ONLY = {"r", "+", "2m", "2a", "2b"}
_KIND_OF_SCALE = {"presence": "presence", "percent": "cover_percent",
                  "fraction": "cover_percent", "braun-blanquet": "cover_percent",
                  "count": "count"}

_EMPTY, _NUM, _WORD = 0, 1, 2
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

SCALE_HELP = ("say how the covers are written with the cover scale option (--cover-scale "
              "presence|percent|fraction|braun-blanquet|count), or give your own codes in "
              "percent with a cover mapping (--cover-mapping 'code=percent,...', e.g. "
              "'r=1,+=2')")


def normalise_scale(scale: str | None) -> str:
    """The canonical scale name; raises for an unknown one."""
    s = (scale or "auto").strip().lower().replace(" ", "-")
    s = _ALIASES.get(s, s)
    if s not in SCALES:
        raise BotaclipError(f"Unknown cover scale {scale!r}: use one of {', '.join(SCALES)}.")
    return s


def to_number(text, decimal_comma: bool = False) -> float | None:
    """A finite number from a cell ('12.5', '12,5' with ``decimal_comma``, '12 %'), else None."""
    if isinstance(text, bool):
        return float(text)
    if isinstance(text, numbers.Real):
        f = float(text)
        return f if math.isfinite(f) else None
    s = str(text).strip()
    if s.endswith("%"):
        s = s[:-1].rstrip()
    if decimal_comma and "," in s and "." not in s:
        s = s.replace(",", ".", 1)
    if not _NUMBER_RE.match(s):
        return None
    f = float(s)
    return f if math.isfinite(f) else None


def _number_key(f: float) -> str:
    return str(int(f)) if f == int(f) and abs(f) < 1e15 else repr(f)


def code_key(value) -> str:
    """How a code is compared: lower case, no spaces, numbers canonical ('1.0' -> '1')."""
    f = to_number(value)
    if f is not None:
        return _number_key(f)
    return "".join(str(value).lower().split())


def _classify(values, decimal_comma: bool):
    """Per cell: kind (empty/number/word), number (NaN unless a number), and for words their
    comparison key ({index: key}). Numeric arrays take a vectorised path."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        nums = values.astype("float64").reshape(-1)
        kinds = np.where(np.isnan(nums), _EMPTY, _NUM).astype(np.int8)
        words = {int(i): str(nums[i]) for i in np.flatnonzero(np.isinf(nums))}
        kinds[list(words)] = _WORD
        nums[list(words)] = np.nan
        return kinds, nums, words
    n = len(values)
    kinds = np.empty(n, dtype=np.int8)
    nums = np.full(n, np.nan)
    words: dict[int, str] = {}
    for i, v in enumerate(values):
        t = type(v)
        if v is None:
            kinds[i] = _EMPTY
            continue
        if t is float or t is int or (isinstance(v, numbers.Real) and t is not bool):
            f = float(v)
            if math.isnan(f):
                kinds[i] = _EMPTY
            elif math.isinf(f):
                kinds[i], words[i] = _WORD, str(v)
            else:
                kinds[i], nums[i] = _NUM, f
            continue
        if t is bool:
            kinds[i], nums[i] = _NUM, float(v)
            continue
        s = str(v).strip()
        if s.lower() in _NA:
            kinds[i] = _EMPTY
            continue
        f = to_number(s, decimal_comma)
        if f is None:
            kinds[i], words[i] = _WORD, "".join(s.lower().split())
        else:
            kinds[i], nums[i] = _NUM, f
    return kinds, nums, words


def _detect(kinds, nums, words) -> str:
    found = set(words.values())
    if found & _BB_ONLY:
        return "braun-blanquet"
    if found & (_PRESENT_WORDS | _ABSENT_WORDS):
        return "presence"
    num = nums[kinds == _NUM]
    num = num[num >= 0]
    if num.size == 0:
        return "percent"
    if np.all((num == 0) | (num == 1)):
        return "presence"
    top = float(num.max())
    if top <= 1:
        return "fraction"
    if top <= 100:
        return "percent"
    if np.all(num == np.round(num)):
        return "count"
    return "percent"


def detect_cover_scale(values, *, decimal_comma: bool = False) -> str:
    """The scale ``auto`` picks for these cells (rules in the module docstring)."""
    if not isinstance(values, np.ndarray):
        values = list(values)
    return _detect(*_classify(values, decimal_comma))


def _lookup_numbers(nums, isnum, table: dict[str, float], out, bad, *, zero_ok: bool):
    """Numbers looked up as codes ('1' for 1.0) in ``table``; each distinct number once."""
    idx = np.flatnonzero(isnum)
    if idx.size == 0:
        return
    uniq, inverse = np.unique(nums[idx], return_inverse=True)
    got = np.full(len(uniq), np.nan)
    for k, u in enumerate(uniq):
        key = _number_key(float(u))
        if key in table:
            got[k] = table[key]
        elif zero_ok and u == 0:
            got[k] = 0.0
    vals = got[inverse]
    ok = ~np.isnan(vals)
    out[idx[ok]] = vals[ok]
    bad[idx[~ok]] = True


def _read_as(scale, kinds, nums, words, *, explicit: bool, table: dict[str, float] | None):
    """Numbers of every cell in ``scale``; returns (numbers, bad mask)."""
    n = len(kinds)
    out = np.zeros(n, dtype="float64")
    bad = np.zeros(n, dtype=bool)
    isnum = kinds == _NUM
    word_idx = [i for i in words if kinds[i] == _WORD]
    if scale == "presence":
        ok_num = isnum & ((nums == 0) | (nums == 1) | (explicit & (nums > 0)))
        out[ok_num] = (nums[ok_num] > 0).astype("float64")
        bad |= isnum & ~ok_num
        for i in word_idx:
            if words[i] in _PRESENT_WORDS:
                out[i] = 1.0
            elif words[i] not in _ABSENT_WORDS:
                bad[i] = True
    elif scale in ("percent", "fraction", "count"):
        top = 1.0 if scale == "fraction" else (np.inf if scale == "count" else 100.0)
        with np.errstate(invalid="ignore"):
            ok = isnum & (nums >= 0) & (nums <= top)
            if scale == "count":
                ok &= nums == np.round(nums)
        out[ok] = nums[ok] * (100.0 if scale == "fraction" else 1.0)
        bad |= isnum & ~ok
        bad[word_idx] = True
    elif scale == "braun-blanquet":
        table = table if table is not None else BRAUN_BLANQUET_PERCENT
        _lookup_numbers(nums, isnum, table, out, bad, zero_ok=True)
        for i in word_idx:
            if words[i] in table:
                out[i] = table[words[i]]
            else:
                bad[i] = True
    else:  # pragma: no cover - guarded by normalise_scale
        raise ValueError(scale)
    return out, bad


def parse_cells(values, scale: str = "auto", mapping: dict | None = None, *,
                decimal_comma: bool = False):
    """Numbers for ``values`` without raising: (numbers, scale used, value kind, bad mask).

    The building block of :func:`parse_covers`, for callers that report errors in their own
    terms (several fields of a wide layer, say). ``values`` may be a numeric numpy array
    (NaN = empty), which is parsed without a Python loop.
    """
    scale = normalise_scale(scale)
    if not isinstance(values, np.ndarray):
        values = list(values)
    kinds, nums, words = _classify(values, decimal_comma)
    if not mapping:
        used = _detect(kinds, nums, words) if scale == "auto" else scale
        out, bad = _read_as(used, kinds, nums, words, explicit=scale != "auto", table=None)
        return out, used, _KIND_OF_SCALE[used], bad
    if scale in ("presence", "count"):
        raise BotaclipError(
            f"A cover mapping gives percent covers, so it cannot be used with the {scale} "
            "scale: leave the cover scale on auto (or percent, fraction, braun-blanquet).")
    user = {}
    for k, v in mapping.items():
        f = to_number(v)
        if f is None or f < 0 or f > 100:
            raise BotaclipError(f"The cover mapping gives {v!r} for code {k!r}: give a "
                                "percentage between 0 and 100.")
        user[code_key(k)] = f
    n = len(kinds)
    out = np.zeros(n, dtype="float64")
    mapped = np.zeros(n, dtype=bool)
    _lookup_numbers(nums, kinds == _NUM, user, out, mapped, zero_ok=False)
    mapped = (kinds == _NUM) & ~mapped           # _lookup_numbers flags the numbers it missed
    for i, w in words.items():
        if w in user:
            out[i] = user[w]
            mapped[i] = True
    rest_kinds = np.where(mapped, _EMPTY, kinds).astype(np.int8)
    rest_words = {i: w for i, w in words.items() if not mapped[i]}
    if not np.any(rest_kinds != _EMPTY):
        return out, "mapping", "cover_percent", np.zeros(n, dtype=bool)
    if scale == "auto":
        rest_scale = "braun-blanquet" if set(rest_words.values()) & _BB_ONLY else "percent"
    else:
        rest_scale = scale
    table = {**BRAUN_BLANQUET_PERCENT, **user} if rest_scale == "braun-blanquet" else None
    rest, bad = _read_as(rest_scale, rest_kinds, nums, rest_words, explicit=True, table=table)
    out[~mapped] = rest[~mapped]
    return out, f"{rest_scale}+mapping", "cover_percent", bad


def _show(value) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        f = float(value)
        return _number_key(f) if math.isfinite(f) else str(f)
    return str(value).strip()


def format_bad_values(bad_items, *, limit_values: int = 20, limit_rows: int = 5) -> str:
    """Lines '  'value' in rows 3, 7 (and 2 more rows)' for (value, location) pairs in order.

    A location is a row number or any label ('field Abies, row 3').
    """
    by_value: dict[str, list] = {}
    for value, loc in bad_items:
        by_value.setdefault(_show(value), []).append(loc)
    lines = []
    for value, locs in list(by_value.items())[:limit_values]:
        shown = ", ".join(str(x) for x in locs[:limit_rows])
        more = f" (and {len(locs) - limit_rows} more)" if len(locs) > limit_rows else ""
        word = "row" if len(locs) == 1 else "rows"
        if all(isinstance(x, (int, np.integer)) for x in locs):
            lines.append(f"  {value!r} in {word} {shown}{more}")
        else:
            lines.append(f"  {value!r} at {shown}{more}")
    if len(by_value) > limit_values:
        lines.append(f"  ... and {len(by_value) - limit_values} more distinct values")
    return "\n".join(lines)


def bad_values_message(where: str, scale_used: str, requested: str, bad_items) -> str:
    """The error for cells that do not fit the scale, with a hint how to fix it."""
    distinct = {_show(v) for v, _ in bad_items}
    how = "auto-detected" if requested == "auto" else "as requested"
    where = f" in {where}" if where else ""
    hint = ""
    if scale_used.startswith("braun-blanquet") and any(
            to_number(v) is not None for v in distinct):
        hint = ("\nNumbers that are not Braun-Blanquet codes next to r or + often mean percent "
                "covers with r/+ for small covers: then use the percent scale with a mapping "
                "for the codes (--cover-scale percent --cover-mapping 'r=1,+=2').")
    elif scale_used == "percent" and any((to_number(v) or 0) > 100 for v in distinct):
        hint = "\nPercent covers cannot exceed 100; counts must be whole numbers."
    return (f"Cannot read {len(distinct)} distinct cover value(s){where} as {scale_used} "
            f"({how}; rows counted as a spreadsheet shows them, header = row 1):\n"
            f"{format_bad_values(bad_items)}\n"
            f"Correct these cells, or {SCALE_HELP}. Empty cells mean absent.{hint}")


def cover_like(values, scale: str = "auto", mapping: dict | None = None, *,
               decimal_comma: bool = False) -> tuple[int, int]:
    """(non-empty cells, those that look like covers) of a text column: numbers, and the
    codes of the scale (Braun-Blanquet r, +, 2m, 2a, 2b and the presence mark x with
    ``auto``; every Braun-Blanquet code with ``braun-blanquet``; every presence word with
    ``presence``) and of the ``mapping``.

    A wide layer's text column is read as a taxon when most of its cells look like covers
    (a cover column with one typing error in it), so that the bad cell is reported instead
    of the whole taxon being dropped; yes/no words are not taken as covers under ``auto``,
    since they are more often attributes of the plot (grazed, fenced) than presence marks.
    """
    scale = normalise_scale(scale)
    if not isinstance(values, np.ndarray):
        values = list(values)
    kinds, _nums, words = _classify(values, decimal_comma)
    codes = {code_key(k) for k in (mapping or {})}
    if scale in ("auto", "braun-blanquet"):
        codes |= _BB_ONLY if scale == "auto" else set(BRAUN_BLANQUET_PERCENT)
    if scale == "auto":
        codes.add("x")
    elif scale == "presence":
        codes |= _PRESENT_WORDS | _ABSENT_WORDS
    filled = int(np.count_nonzero(kinds != _EMPTY))
    like = int(np.count_nonzero(kinds == _NUM)) + sum(1 for w in words.values() if w in codes)
    return filled, like


def read_cover_mapping(text) -> dict[str, float] | None:
    """A cover mapping (user code -> percent) from ``text``: inline pairs ``'r=1,+=2'``, a
    JSON file holding one object ``{"r": 1, "+": 2}``, or a CSV file of ``code,percent``
    lines (a first line whose second cell is not a number, a header, is skipped). Every
    mistake is a :class:`BotaclipError` that names the file or the pair and shows the
    format; a name that looks like a file but does not exist is reported as not found."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    p = Path(text).expanduser()
    if p.is_file():
        pairs = _mapping_file_pairs(p)
    elif "=" not in text and (p.suffix.lower() in (".json", ".csv", ".txt", ".tsv")
                              or "/" in text or "\\" in text):
        raise BotaclipError(f"The cover mapping file {text} was not found. Check the path, or "
                            "give the mapping itself as CODE=PERCENT pairs, e.g. 'r=1,+=2'.")
    else:
        pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    mapping: dict[str, float] = {}
    for pair in pairs:
        value = to_number(pair[1]) if len(pair) == 2 else None
        if len(pair) != 2 or not str(pair[0]).strip() or value is None:
            shown = "=".join(str(x).strip() for x in pair)
            raise BotaclipError(
                f"Cannot read the cover mapping {text!r} at {shown!r}: write CODE=PERCENT "
                "pairs separated by commas, e.g. 'r=1,+=2,1=3', or give a JSON file "
                '{"r": 1, "+": 2} or a CSV file of code,percent lines.')
        if not 0 <= value <= 100:
            raise BotaclipError(f"The cover mapping {text!r} gives {value:g} for the code "
                                f"{str(pair[0]).strip()!r}: give a percentage between 0 and "
                                "100.")
        mapping[str(pair[0]).strip()] = value
    if not mapping:
        raise BotaclipError(f"The cover mapping {text!r} holds no code: write CODE=PERCENT "
                            "pairs, e.g. 'r=1,+=2'.")
    return mapping


def _mapping_file_pairs(p: Path) -> list:
    """(code, percent) pairs of a JSON or CSV mapping file, as written."""
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raw = p.read_text(encoding="cp1252", errors="replace")
    except OSError as exc:
        raise BotaclipError(f"Cannot read the cover mapping file {p}: "
                            f"{exc.strerror or exc}.") from exc
    if p.suffix.lower() == ".json" or raw.lstrip().startswith(("{", "[")):
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise BotaclipError(f"The cover mapping file {p} is not valid JSON (line "
                                f"{getattr(exc, 'lineno', '?')}): write one object of code: "
                                'percent pairs, e.g. {"r": 1, "+": 2, "1": 3}.') from exc
        if not isinstance(doc, dict):
            raise BotaclipError(f"The cover mapping file {p} holds a list or a single value, "
                                "not pairs of code and percent: write one object, e.g. "
                                '{"r": 1, "+": 2, "1": 3}.')
        return [[k, v] for k, v in doc.items()]
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    pairs = [[c.strip() for c in ln.replace(";", ",").replace("\t", ",").split(",")][:2]
             for ln in lines]
    if pairs and len(pairs[0]) == 2 and to_number(pairs[0][1]) is None:
        pairs = pairs[1:]
    return pairs


def parse_covers(values, scale: str = "auto", mapping: dict | None = None, *, where: str = "",
                 rows=None, decimal_comma: bool = False) -> tuple[np.ndarray, str, str]:
    """Cover cells to numbers: (numbers, scale used, value kind).

    ``values`` are raw cells (strings, numbers, None). Numbers are percent cover for the cover
    scales, 1/0 for presence and counts for count; empty cells are 0. ``where`` names the file
    and field in error messages, ``rows`` gives each cell's row number (default: the i-th cell
    is on spreadsheet row i + 2, the header being row 1). Cells that do not fit the scale raise
    a :class:`BotaclipError` listing each distinct bad value with up to 5 of its rows.
    """
    if not isinstance(values, np.ndarray):
        values = list(values)
    out, used, kind, bad = parse_cells(values, scale, mapping, decimal_comma=decimal_comma)
    if bad.any():
        idx = np.flatnonzero(bad)
        rows = list(rows) if rows is not None else [i + 2 for i in range(len(values))]
        raise BotaclipError(bad_values_message(where, used, normalise_scale(scale),
                                               [(values[i], rows[i]) for i in idx]))
    return out, used, kind
