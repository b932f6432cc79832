"""Target fields of a point layer, read for one task: what a prediction map is fitted to.

Tasks (:data:`TASKS`):

- ``presence`` (presence/absence): 0/1, also true/false, yes/no, y/n, t/f, presence/absence;
- ``presence-only``: every point is a presence (background points are drawn later from the
  raster); a field, when given, may mark some points as absences, which are left out;
- ``abundance``: non-negative numbers;
- ``classes``: text or whole-number categories, coded 0..k-1 with their names kept.

Empty cells (NULL, NaN, "") leave the point out of that target with a notice naming the
features. Values that cannot be read for the task -- text in a number field, a 2 in a
presence field, a negative abundance -- are errors that name the features, because a guess
would fit a map to data the user did not mean. A target with a single class is an error
(nothing to learn); a class with a single point is a notice (it cannot be both trained and
tested in a cross-validation fold, and the user should know its figures are thin).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import BotaclipError
from ..releves.covers import to_number
from ..releves.model import Notice
from ..releves.tables import Table, layer_fields, open_ogr_layer, read_ogr_table, rows_text
from .metrics import TASKS  # one list of tasks for the whole stage

_TRUE = {"1", "1.0", "true", "t", "yes", "y", "presence", "present"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "absence", "absent"}


@dataclass
class Target:
    """One target field: ``values`` (float64: 0/1, abundance, or class codes 0..k-1) and
    ``valid`` (False where the cell was empty or the point is not used for this task)."""

    name: str
    task: str
    values: np.ndarray
    valid: np.ndarray
    classes: list = field(default_factory=list)     # names of the codes (presence: 0, 1)

    def counts(self) -> dict:
        """Points per class among the valid ones (abundance: {'n': count})."""
        v = self.values[self.valid]
        if self.task == "abundance":
            return {"n": int(v.size)}
        return {c: int(np.count_nonzero(v == k)) for k, c in enumerate(self.classes)}


@dataclass
class Targets:
    """The targets of a task, aligned with the layer's features (``ids``: their FIDs)."""

    task: str
    ids: list
    targets: list                                    # of Target
    notices: list = field(default_factory=list)      # of releves.model.Notice

    def __getitem__(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        raise KeyError(name)


def read_targets(points_path, fields, task: str, layer=None) -> Targets:
    """The target columns ``fields`` (names, or one comma-separated string) of a point layer,
    read and checked for ``task`` (one of :data:`TASKS`). ``presence-only`` accepts no field
    (every point is a presence) and then gives one target named ``presence``."""
    if task not in TASKS:
        raise BotaclipError(f"Unknown task {task!r}: choose one of {', '.join(TASKS)}.")
    names = _field_list(fields)
    if not names and task != "presence-only":
        raise BotaclipError(f"The task {task!r} needs at least one target field: give its "
                            "name (on the command line, --target FIELD).")
    ds, lyr, label, _ = open_ogr_layer(points_path, layer, "point layer", True)
    have, _ = layer_fields(lyr)
    del ds, lyr                      # closes the layer before it is read again
    names = [_find(have, label, n) for n in names]
    table = read_ogr_table(points_path, layer, "point layer", want_geometry=True,
                           fields=names)
    out = Targets(task=task, ids=list(table.fids or range(len(table))), targets=[])
    if not names:
        n = len(table)
        out.targets.append(Target("presence", task, np.ones(n), np.ones(n, dtype=bool),
                                  ["0", "1"]))
        return out
    read = {"presence": _presence, "presence-only": _presence_only,
            "abundance": _abundance, "classes": _classes}[task]
    for name in names:
        out.targets.append(read(table, name, out))
    return out


def _field_list(fields) -> list:
    if fields is None:
        return []
    if isinstance(fields, str):
        fields = fields.split(",")
    return [f.strip() for f in fields if f and f.strip()]


def _find(fields: list, label: str, name: str) -> str:
    """The field ``name`` (exact, else the only case-insensitive match), or an error that
    lists the fields there are."""
    if name in fields:
        return name
    hits = [f for f in fields if f.strip().lower() == name.strip().lower()]
    if len(hits) == 1:
        return hits[0]
    raise BotaclipError(f"The target field {name!r} is not in {label}. Its fields: "
                        f"{', '.join(fields) or '(none)'}. Give one of them "
                        "(on the command line, --target FIELD).")


def _is_empty(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (
        isinstance(v, str) and v.strip().lower() in ("", "na", "nan", "null", "none"))


def _fail(table: Table, ids: list, name: str, text: str, bad: list, fix: str):
    shown = ", ".join(f"{ids[k]} ({table.columns[name][k]!r})" for k in bad[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    raise BotaclipError(f"The target field {name!r} of {table.label} {text} at feature ids "
                        f"{shown}{more}. {fix}")


def _empty_notice(table: Table, name: str, empty: list, out: Targets) -> None:
    if empty:
        out.notices.append(Notice("target_empty", len(empty), (
            f"{len(empty)} of {len(table)} points have no value in the target field "
            f"{name!r} (feature ids {rows_text([out.ids[k] for k in empty])}): they are "
            "left out of that target.")))


def _presence_values(table: Table, name: str, out: Targets) -> tuple:
    """(values 0/1/NaN, list of empty rows) of a presence field, or an error naming the
    values that are neither."""
    col = table.columns[name]
    vals = np.full(len(col), np.nan)
    empty, bad = [], []
    for k, v in enumerate(col):
        if _is_empty(v):
            empty.append(k)
            continue
        t = str(int(v) if isinstance(v, (bool, np.bool_)) else v).strip().lower()
        if t in _TRUE:
            vals[k] = 1.0
        elif t in _FALSE:
            vals[k] = 0.0
        else:
            bad.append(k)
    if bad:
        _fail(table, out.ids, name, "has values that are neither presence nor absence", bad,
              "Use 1/0, true/false or yes/no, or choose the task 'abundance' for counts.")
    return vals, empty


def _presence(table: Table, name: str, out: Targets) -> Target:
    vals, empty = _presence_values(table, name, out)
    _empty_notice(table, name, empty, out)
    valid = np.isfinite(vals)
    n1, n0 = int(np.nansum(vals)), int(valid.sum() - np.nansum(vals))
    if n1 == 0 or n0 == 0:
        raise BotaclipError(
            f"The target field {name!r} of {table.label} has only "
            f"{'absences' if n1 == 0 else 'presences'} ({n0 + n1} points): a presence/absence "
            "map needs both. With presences alone, choose the task 'presence-only' "
            "(background points are drawn from the raster).")
    target = Target(name, "presence", np.nan_to_num(vals), valid, ["0", "1"])
    _single_point_classes(table, target, out)
    return target


def _presence_only(table: Table, name: str, out: Targets) -> Target:
    vals, empty = _presence_values(table, name, out)
    _empty_notice(table, name, empty, out)
    absent = np.flatnonzero(vals == 0)
    if absent.size:
        out.notices.append(Notice("absences_ignored", int(absent.size), (
            f"{absent.size} points are absences in {name!r} (feature ids "
            f"{rows_text([out.ids[k] for k in absent])}); presence-only uses presences "
            "alone, so they are left out. To use them, choose the task 'presence'.")))
    valid = vals == 1
    if not valid.any():
        raise BotaclipError(f"The target field {name!r} of {table.label} has no presence: "
                            "mark presences with 1, true or yes.")
    return Target(name, "presence-only", np.where(valid, 1.0, 0.0), valid, ["0", "1"])


def _numbers(table: Table, name: str, out: Targets) -> tuple:
    """(float values with NaN for empty cells, list of empty rows); an error naming the
    features whose value is text."""
    col = table.columns[name]
    vals = np.full(len(col), np.nan)
    empty, bad = [], []
    for k, v in enumerate(col):
        if _is_empty(v):
            empty.append(k)
        elif isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
            vals[k] = float(v)
        else:
            num = to_number(str(v).strip(), False)
            if num is None or not math.isfinite(num):
                bad.append(k)
            else:
                vals[k] = num
    if bad:
        _fail(table, out.ids, name, "holds text where numbers are expected", bad,
              "Correct those values or choose the task 'classes' for categories.")
    inf = [k for k in range(len(col)) if k not in set(empty) and not math.isfinite(vals[k])]
    if inf:
        _fail(table, out.ids, name, "holds infinite values", inf, "Correct those values.")
    return vals, empty


def _abundance(table: Table, name: str, out: Targets) -> Target:
    vals, empty = _numbers(table, name, out)
    neg = [k for k in np.flatnonzero(vals < 0)]
    if neg:
        _fail(table, out.ids, name, "holds negative abundances", neg,
              "Abundances are counts, covers or densities, never negative: correct them.")
    _empty_notice(table, name, empty, out)
    valid = np.isfinite(vals)
    if np.unique(vals[valid]).size < 2:
        raise BotaclipError(f"The target field {name!r} of {table.label} has the same value "
                            f"at all {int(valid.sum())} points with a value: there is "
                            "nothing to map. Check the field.")
    return Target(name, "abundance", np.nan_to_num(vals), valid)


def _class_names(table: Table, name: str, out: Targets) -> tuple:
    """(class name per row or None, empty rows); whole numbers written as such (3.0 -> '3')
    and an error for fractions, which are not categories."""
    names, empty, bad = [], [], []
    for k, v in enumerate(table.columns[name]):
        if _is_empty(v):
            empty.append(k)
            names.append(None)
        elif isinstance(v, (float, np.floating)):
            if float(v).is_integer():
                names.append(str(int(v)))
            else:
                bad.append(k)
                names.append(None)
        else:
            names.append(str(v).strip())
    if bad:
        _fail(table, out.ids, name, "holds fractions, which are not classes", bad,
              "Use text or whole numbers for classes, or choose the task 'abundance'.")
    return names, empty


def _classes(table: Table, name: str, out: Targets) -> Target:
    names, empty = _class_names(table, name, out)
    _empty_notice(table, name, empty, out)
    present = sorted({n for n in names if n is not None},
                     key=lambda s: (0, int(s), s) if s.lstrip("-").isdigit() else (1, 0, s))
    if len(present) < 2:
        raise BotaclipError(
            f"The target field {name!r} of {table.label} has a single class "
            f"({present[0] if present else 'none'!r}): a class map needs at least two. "
            "Check the field, or choose another one.")
    code = {c: k for k, c in enumerate(present)}
    vals = np.array([code.get(n, 0) if n is not None else 0 for n in names], dtype="float64")
    valid = np.array([n is not None for n in names])
    target = Target(name, "classes", vals, valid, present)
    _single_point_classes(table, target, out)
    return target


def _single_point_classes(table: Table, target: Target, out: Targets) -> None:
    ones = [(c, int(np.flatnonzero(target.valid & (target.values == k))[0]))
            for k, c in enumerate(target.classes)
            if np.count_nonzero(target.valid & (target.values == k)) == 1]
    if ones:
        listed = ", ".join(f"{c!r} (feature id {out.ids[k]})" for c, k in ones)
        out.notices.append(Notice("class_single_point", len(ones), (
            f"In the target field {target.name!r}, {len(ones)} class(es) have a single point: "
            f"{listed}. A class with one point cannot be both fitted and tested in spatial "
            "cross-validation, so its figures will be missing or unreliable: add points or "
            "merge it with a related class.")))
