"""The target of a map: a point layer, the field(s) to fit and the task they are read as,
shared by the Predict map and Evaluate dialogs.

The task is suggested from the ticked field, because that is how the backend reads its values
and a wrong task is the commonest first mistake: 0/1 values are presence/absence, text is
classes, other numbers are abundance, and no field at all means every point is a presence
(presence-only, with background points). The suggestion follows the field until the user
chooses a task; only abundance takes several fields (one map band each), the other tasks one
field at a time, as the backend does.
"""

from __future__ import annotations

import math

from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import QMetaType, QObject, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..compat import LAYER_FILTER_POINT
from ..i18n import tr
from ..labels import TASK_LABELS
from ..layers import vector_source
from .common import enum_combo, is_botaclip_output


def target_fields(layer) -> list[str]:
    """The fields of ``layer`` a map can be fitted to: numbers and text, but neither its
    primary key, a field named like an identifier or a coordinate (the names the relevé
    reader leaves out as well), nor a text field that names each point (an identifier:
    as classes, every class would have one point)."""
    from ...backend.releves import NOT_TAXA_FIELDS

    if layer is None:
        return []
    fields = layer.fields()
    keys = {fields.at(i).name() for i in layer.primaryKeyAttributes()
            if 0 <= i < fields.count()}
    names = []
    for i, f in enumerate(fields):
        text = f.type() == QMetaType.Type.QString
        if not (f.isNumeric() or text or f.type() == QMetaType.Type.Bool) \
                or f.name() in keys or f.name().lower() in NOT_TAXA_FIELDS:
            continue
        if text and names_each_feature(layer, i):
            continue
        names.append(f.name())
    return names


def names_each_feature(layer, index: int) -> bool:
    """Whether field ``index`` holds a different value for every feature (of several)."""
    n = layer.featureCount()
    return n > 1 and len(layer.uniqueValues(index, n + 1)) >= n


def suggest_task(layer, fields) -> tuple[str, str]:
    """(task, why) for the target ``fields`` of ``layer``: no field, presence-only; several,
    abundance; a true/false field or numbers that are all 0 or 1, presence; other numbers,
    abundance; text, classes."""
    fields = list(fields)
    if not fields:
        return "presence-only", tr("No field ticked: every point is a presence (presence "
                                    "only).")
    if len(fields) > 1:
        return "abundance", tr("Several fields: an abundance map band for each.")
    name = fields[0]
    index = layer.fields().indexOf(name) if layer is not None else -1
    if index < 0:
        return "presence", ""
    field = layer.fields().at(index)
    if field.type() == QMetaType.Type.Bool:
        return "presence", tr("'{name}' is true or false: presence / absence.").format(name=name)
    if not field.isNumeric():
        return "classes", tr("'{name}' holds text: one class per value.").format(name=name)
    values = {v for v in layer.uniqueValues(index, 3) if _is_number(v)}
    if values and values <= {0, 1}:
        return "presence", tr("'{name}' holds only 0 and 1: presence / absence.").format(
            name=name)
    return "abundance", tr("'{name}' holds other numbers than 0 and 1: abundance.").format(
        name=name)


def _is_number(value) -> bool:
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False



class TargetList(QWidget):
    """The target fields of a point layer as a checkable list. Several may be ticked only
    when :attr:`multiple` is on (abundance); otherwise ticking one unticks the others, and
    none ticked is allowed (presence-only)."""

    changed = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.multiple = False
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.setToolTip(tr("Tick the field to map: 0/1 for presence/absence, numbers "
                                "for abundance, text for classes; none ticked, every point "
                                "is a presence. Several fields only for abundance (a band "
                                "each)."))
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.list)
        self.setToolTip(tr("The field the map is fitted to: 0/1 for presence/absence, "
                           "numbers for abundance, text for classes; none ticked, every "
                           "point is a presence. Several fields only for abundance."))
        self.list.itemChanged.connect(self._toggled)

    def fill(self, layer) -> None:
        ticked = set(self.fields())
        self.list.blockSignals(True)
        self.list.clear()
        for name in target_fields(layer):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in ticked
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._keep_one()
        self.changed.emit()

    def _toggled(self, item) -> None:
        if not self.multiple and item.checkState() == Qt.CheckState.Checked:
            self.list.blockSignals(True)
            for i in range(self.list.count()):
                other = self.list.item(i)
                if other is not item:
                    other.setCheckState(Qt.CheckState.Unchecked)
            self.list.blockSignals(False)
        self.changed.emit()

    def _keep_one(self) -> None:
        """Untick all but the first ticked field (when several are not allowed)."""
        if self.multiple:
            return
        first = True
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                if not first:
                    item.setCheckState(Qt.CheckState.Unchecked)
                first = False
        self.list.blockSignals(False)

    def set_multiple(self, on: bool) -> None:
        self.multiple = bool(on)
        before = self.fields()
        self._keep_one()
        if self.fields() != before:
            self.changed.emit()

    def set_fields(self, names) -> None:
        """Tick ``names`` (and untick the rest)."""
        names = set(names)
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in names
                               else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._keep_one()
        self.changed.emit()

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def fields(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]


class TargetInputs(QObject):
    """Point layer, target field(s), task and the task's hint as rows of a form. The task
    follows the ticked fields (:func:`suggest_task`) until the user chooses one.
    ``optional``: the point layer may be left empty (Evaluate)."""

    changed = pyqtSignal()

    def __init__(self, form, iface, parent=None, optional: bool = False):
        super().__init__(parent)
        self.auto = True                            # the task follows the fields
        self.suggested = ("presence-only", "")      # (task, why)
        self.points = QgsMapLayerComboBox()
        self.points.setFilters(LAYER_FILTER_POINT)
        self.points.setToolTip(tr("Your observations: one point each, with the field to "
                                  "map."))
        form.addRow(tr("Points"), self.points)
        if optional:
            self.points.setAllowEmptyLayer(True, tr("none"))
            self.points.setLayer(None)
        else:
            active = iface.activeLayer() if iface is not None else None
            preselect(self.points, lambda lyr: lyr is active and not is_botaclip_output(lyr))
        self.targets = TargetList()
        form.addRow(tr("Target field"), self.targets)
        self.task = enum_combo(TASK_LABELS, "presence-only")
        self.task.setToolTip(tr("What the field holds, and so what the map shows: the "
                                "probability of presence, an abundance, or the most likely "
                                "class. Suggested from the field; choose another to "
                                "override."))
        form.addRow(tr("Task"), self.task)
        self.hint = QLabel()
        self.hint.setObjectName("botaclip_task_hint")
        self.hint.setWordWrap(True)
        form.addRow("", self.hint)
        self.points.layerChanged.connect(self._layer_changed)
        self.targets.changed.connect(self._fields_changed)
        self.task.currentIndexChanged.connect(self._task_chosen)
        self._layer_changed(self.points.currentLayer())

    def layer(self):
        return self.points.currentLayer()

    def fields(self) -> list[str]:
        return self.targets.fields()

    def task_name(self) -> str:
        return self.task.currentData()

    def _layer_changed(self, layer) -> None:
        """The fields of the new layer; without one, the rows that need it are greyed."""
        self.targets.setEnabled(layer is not None)
        self.task.setEnabled(layer is not None)
        self.targets.fill(layer)

    def _fields_changed(self) -> None:
        self.suggested = suggest_task(self.layer(), self.fields())
        task = self.suggested[0]
        if self.auto and task != self.task_name():
            self.task.blockSignals(True)
            self.task.setCurrentIndex(self.task.findData(task))
            self.task.blockSignals(False)
        self._update()

    def _task_chosen(self, *_args) -> None:
        self.auto = False
        self._update()

    def _update(self) -> None:
        """The field list and the hint that go with the task."""
        task = self.task_name()
        self.targets.set_multiple(task == "abundance")
        suggested, why = self.suggested
        if self.layer() is None:
            why = ""
        elif why and task != suggested:
            why = tr("{why} You chose another task.").format(why=why)
        self.hint.setText(why)
        self.hint.setVisible(bool(why))
        self.changed.emit()

    def validation_error(self) -> str:
        """Why the points cannot be used yet ("" when they can, or none are chosen)."""
        points = self.layer()
        if points is None:
            return ""
        if points.featureCount() == 0:
            return tr("The point layer '{name}' has no points.").format(name=points.name())
        task = self.task_name()
        if task == "presence-only" or self.fields():
            return ""
        if not self.targets.names():
            return tr("'{name}' has no number or text field to map; choose another point "
                      "layer, or the task 'Presence only'.").format(name=points.name())
        return {"presence": tr("Tick the field that holds 1 where the species is present "
                               "and 0 where it is absent."),
                "abundance": tr("Tick the field(s) holding the abundances."),
                "classes": tr("Tick the field holding the classes.")}[task]

    def kwargs(self) -> dict:
        """``points``, ``targets`` and ``task`` for the backend (empty without points)."""
        if self.layer() is None:
            return {}
        return {"points": vector_source(self.layer()), "targets": self.fields(),
                "task": self.task_name()}


def preselect(combo: QgsMapLayerComboBox, wanted) -> None:
    """Choose the first layer of ``combo`` for which ``wanted(layer)`` is true, else the
    first that is not one of BotaCLIP's results (the combo's own default is just the first
    layer by name, which after a run is often our own output)."""
    layers = [combo.layer(i) for i in range(combo.count())]
    layers = [lyr for lyr in layers if lyr is not None]
    choice = next((lyr for lyr in layers if wanted(lyr)), None) or next(
        (lyr for lyr in layers if not is_botaclip_output(lyr)), None)
    if choice is not None:
        combo.setLayer(choice)
