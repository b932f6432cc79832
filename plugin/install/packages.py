"""What the installer installs: the packages :mod:`..deps` finds missing, as pip requirements.

Each requirement is ``distribution>=minimum`` (the oldest version known to work): pip then
takes the newest release that fits QGIS's Python and the packages QGIS ships
(:mod:`.constraints`), which a fixed pin from requirements.txt cannot promise on every QGIS.
torch (with torchvision, when the optional timm backbone is wanted) is the *torch family*:
it comes from the index of the build the user chose (:mod:`.torch_choice`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import deps
from .constraints import QGIS_SHIPPED
from .names import normalise

TORCH_FAMILY = frozenset({"torch", "torchvision"})


@dataclass(frozen=True)
class Wanted:
    module: str             # import name (checked after the install)
    distribution: str
    spec: str               # pip requirement, e.g. "torch>=2.1"
    needed_for: str

    @property
    def key(self) -> str:
        return normalise(self.distribution)


def _wanted(req: deps.Requirement) -> Wanted:
    return Wanted(req.module, req.distribution, f"{req.distribution}>={req.minimum}",
                  req.needed_for)


def to_install(report: deps.DependencyReport, *, optional=()) -> list[Wanted]:
    """The pip-installable packages of ``report`` that are missing or too old, and the
    optional ones whose import names are in ``optional``. GDAL's bindings are never among
    them (they come with QGIS)."""
    out = [_wanted(p.requirement) for p in report.problems if p.requirement.pip]
    out += [_wanted(p.requirement) for p in report.optional
            if p.requirement.pip and p.requirement.module in set(optional)]
    return out


def runtime(optional=()) -> list[Wanted]:
    """Everything a fresh QGIS needs beside what it ships (the wheelhouse's content):
    torch, safetensors, scikit-learn, psutil... and the optional packages named."""
    reqs = [r for r in deps.REQUIREMENTS if r.pip and normalise(r.distribution)
            not in QGIS_SHIPPED and (not r.optional or r.module in set(optional))]
    return [_wanted(r) for r in reqs]


def torch_family(wanted) -> list[Wanted]:
    """Those of ``wanted`` that come from the torch build's index; torchvision joins torch
    when timm (which imports it) is wanted."""
    family = [w for w in wanted if w.key in TORCH_FAMILY]
    if any(w.key == "timm" for w in wanted) and not any(w.key == "torchvision"
                                                        for w in family):
        family.append(Wanted("torchvision", "torchvision", "torchvision", "timm"))
    return family
