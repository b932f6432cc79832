"""Distribution names as pip compares them, and the name in a requirement string."""

from __future__ import annotations

import re


def normalise(name: str) -> str:
    """PEP 503: ``Scikit_Learn`` -> ``scikit-learn``."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def requirement_name(spec: str) -> str:
    """``"torch>=2.1"`` -> ``"torch"``, normalised."""
    return normalise(re.split(r"[<>=!~ ;\[@]", spec.strip(), maxsplit=1)[0])


def translatable(text: str) -> str:
    """Marks a literal for the translation files without translating it (the dialog shows it
    with ``tr(variable)``): :func:`plugin.i18n.translatable` for the modules here, which
    import no qgis. i18n/update_ts.py collects both by name."""
    return text
