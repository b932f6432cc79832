"""A fitted predictor saved to a file and read back, to map other embedding rasters.

What ``botaclip predict --save-model FILE`` keeps (:class:`SavedPredictor`): the task, the
estimator, the target names (and class names), the final model, the cross-validation fold
models (the uncertainty band), the area of applicability, the cross-validated metrics
(pooled, without the per-fold lists), where the embeddings came from (the embedding
raster's provenance tags, its dimension and band count) and the software versions.

The file is a zip (see :mod:`.safe_store`): ``predictor.json`` and ``arrays/<i>.npy``. It
cannot run code when read (no pickle): only scikit-learn's own estimator classes are rebuilt.
Our own two pieces are stored by their fields: a :class:`ColumnStack` (several targets) as its
list of models, an :class:`.applicability.Aoa` as its arrays (its k-d tree is rebuilt from
the scaled training points, which gives the same tree and the same distances).

Reading checks, in order: a zip, ours (``kind``), a format this version reads, every array
present; a scikit-learn version other than the one that saved it is a warning, not a refusal
(the models usually still work; the user decides). :func:`check_compatible` then compares
the predictor with an embedding raster: a different band count, or -- when both carry
provenance -- another model (bundle sha256, backbone or backbone weights), is refused with
both values named, since the estimator's features would mean something else; a raster
without provenance tags is mapped all the same, with a warning.
"""

from __future__ import annotations

import datetime as _dt
import platform
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from .. import __version__
from ..embed.cog import read_embedding_tags
from ..errors import BotaclipError
from ..io.atomic import atomic_output
from ..io.lock import hold_outputs
from ..io.outputs import check_output, recorded_name
from ..io.raster import raster_info
from .applicability import Aoa
from .predict_raster import PRED_TASKS, PROVENANCE_TAGS
from .safe_store import decode, encode, read_arrays, read_document, write_store

KIND = "botaclip-predictor"
FORMAT_VERSION = 1
DOCUMENT = "predictor.json"
WHAT = "saved predictor"
# the tags that say which model made an embedding raster: another value, another meaning
IDENTITY_TAGS = ("BOTACLIP_MODEL_SHA256", "BOTACLIP_BACKBONE", "BOTACLIP_WEIGHTS_SHA256")
_LABELS = {"BOTACLIP_MODEL_SHA256": "model sha256", "BOTACLIP_BACKBONE": "backbone",
           "BOTACLIP_WEIGHTS_SHA256": "backbone weights sha256"}


class ColumnStack:
    """Several fitted regressors seen as one whose ``predict`` gives one column per target:
    how :func:`.predict_raster.predict_raster` takes a multi-target abundance map while each
    target keeps its own points and estimator (histogram boosting has no multi-output)."""

    def __init__(self, models: list):
        self.models = list(models)
        self.n_features_in_ = getattr(self.models[0], "n_features_in_", None)

    def predict(self, x) -> np.ndarray:
        return np.column_stack([np.asarray(m.predict(x), dtype=np.float64)
                                for m in self.models])


def software_versions() -> dict:
    """The versions a saved predictor records (scikit-learn's is checked when read)."""
    import sklearn

    return {"botaclip": __version__, "scikit-learn": sklearn.__version__,
            "numpy": np.__version__, "python": platform.python_version()}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class SavedPredictor:
    """What a saved predictor holds (see the module docstring). ``path`` and ``warnings``
    are not saved: where it was read from, and what reading it found."""

    task: str
    estimator: str
    target_names: list
    final_model: object
    fold_models: list
    aoa: Aoa | None = None
    class_names: list | None = None
    embedding: dict = field(default_factory=dict)  # source, bands, dim, provenance
    metrics: dict = field(default_factory=dict)    # per target: pooled metrics, no folds
    points: str = ""
    software: dict = field(default_factory=software_versions)
    created: str = field(default_factory=_now)
    path: Path | None = None
    warnings: list = field(default_factory=list)

    @property
    def classes(self) -> list | None:
        """The class codes 0..k-1 as the map's bands use them (None unless classes)."""
        return list(range(len(self.class_names))) if self.task == "classes" else None


def embedding_record(embeddings, tags: dict, bands: int) -> dict:
    """What a predictor keeps of the embedding raster it was fitted on: its name, band
    count, dimension tag and provenance tags (those a prediction map records too)."""
    return {"source": recorded_name(embeddings), "bands": int(bands),
            "dim": tags.get("BOTACLIP_DIM"),
            "provenance": {k: tags[k] for k in PROVENANCE_TAGS if k in tags}}


def map_tags(predictor: SavedPredictor) -> dict:
    """The extra tags of a map made with ``predictor`` (points, metrics, class names): the
    same whether ``predict`` or ``apply`` writes it."""
    tags = {"points": predictor.points, "metrics": predictor.metrics}
    if predictor.task == "classes":
        tags["class_names"] = {str(i): c for i, c in enumerate(predictor.class_names)}
    return tags


# ------------------------------------------------------------------------------ save

def _model_part(model) -> dict:
    return {"columns": model.models} if isinstance(model, ColumnStack) else {"model": model}


def _aoa_part(aoa: Aoa | None) -> dict | None:
    if aoa is None:
        return None
    return {"mean": aoa.mean, "scale": aoa.scale, "mean_distance": float(aoa.mean_distance),
            "threshold": float(aoa.threshold), "train_di": aoa.train_di,
            "n_train": int(aoa.n_train), "points": np.asarray(aoa.tree.data)}


def _document(p: SavedPredictor) -> tuple[dict, list]:
    meta = {"created": p.created, "software": p.software, "task": p.task,
            "estimator": p.estimator, "target_names": [str(t) for t in p.target_names],
            "class_names": None if p.class_names is None else [str(c) for c in p.class_names],
            "points": p.points, "embedding": p.embedding, "metrics": p.metrics}
    models = {"final": _model_part(p.final_model),
              "folds": [_model_part(m) for m in p.fold_models], "aoa": _aoa_part(p.aoa)}
    tree, arrays = encode({"meta": meta, "models": models}, where="the predictor")
    doc = {"kind": KIND, "format_version": FORMAT_VERSION, "n_arrays": len(arrays),
           **tree["meta"], "models": tree["models"]}
    return doc, arrays


def is_predictor_file(path) -> bool:
    """Whether ``path`` is a predictor BotaCLIP saved (so it may be replaced)."""
    try:
        return read_document(path, DOCUMENT, WHAT).get("kind") == KIND
    except BotaclipError:
        return False


def save_predictor(path, predictor: SavedPredictor, *, overwrite: bool = False) -> Path:
    """Write ``predictor`` to the zip file ``path``, whole or not at all. A file there that
    is not a saved predictor is refused unless ``overwrite``."""
    path = Path(path)
    doc, arrays = _document(predictor)          # a model we cannot store fails before writing
    check_output(path, what=WHAT, owned=is_predictor_file, overwrite=overwrite)
    with hold_outputs(path, what=WHAT), \
            atomic_output(path, owned=is_predictor_file, overwrite=overwrite, what=WHAT) as tmp:
        write_store(tmp, DOCUMENT, doc, arrays)
    return path


# ------------------------------------------------------------------------------ load

def _damaged(path, what: str) -> BotaclipError:
    return BotaclipError(f"The {WHAT} {path} is damaged: {what}. Save the predictor again "
                         "with 'botaclip predict --save-model'.")


def _open_document(path: Path) -> dict:
    """The document of ``path`` once it is known to be ours and of a format read here."""
    if not path.is_file():
        raise BotaclipError(f"The {WHAT} {path} does not exist or is not a file; give the "
                            "file written by 'botaclip predict --save-model'.")
    doc = read_document(path, DOCUMENT, WHAT)
    if doc.get("kind") != KIND:
        raise BotaclipError(f"{path} is not a {WHAT}: its {DOCUMENT} is of kind "
                            f"{doc.get('kind')!r}, not {KIND!r}. Give the file written by "
                            "'botaclip predict --save-model'.")
    version = doc.get("format_version")
    if type(version) is not int or version < 1:
        raise _damaged(path, f"its format version is {version!r}")
    if version > FORMAT_VERSION:
        raise BotaclipError(f"The {WHAT} {path} was written by a newer BotaCLIP (format "
                            f"{version}; this BotaCLIP {__version__} reads up to "
                            f"{FORMAT_VERSION}). Update the BotaCLIP plugin to use it.")
    if type(doc.get("n_arrays")) is not int or doc["n_arrays"] < 0:
        raise _damaged(path, f"its array count is {doc.get('n_arrays')!r}")
    return doc


def _model(part):
    return ColumnStack(part["columns"]) if "columns" in part else part["model"]


def _aoa(part) -> Aoa | None:
    if part is None:
        return None
    points = np.asarray(part["points"], dtype=np.float64)
    return Aoa(mean=part["mean"], scale=part["scale"], mean_distance=part["mean_distance"],
               threshold=part["threshold"], train_di=part["train_di"],
               n_train=part["n_train"], tree=cKDTree(points))


def _from_data(d: dict, path: Path) -> SavedPredictor:
    """The :class:`SavedPredictor` of a decoded document (its fields checked)."""
    try:
        p = SavedPredictor(
            task=d["task"], estimator=d["estimator"], target_names=list(d["target_names"]),
            final_model=_model(d["models"]["final"]),
            fold_models=[_model(m) for m in d["models"]["folds"]],
            aoa=_aoa(d["models"]["aoa"]), class_names=d["class_names"],
            embedding=dict(d["embedding"]), metrics=dict(d["metrics"]), points=d["points"],
            software=dict(d["software"]), created=d["created"], path=path)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise _damaged(path, f"{type(exc).__name__} {exc} while reading its fields") from exc
    if p.task not in PRED_TASKS or not p.target_names \
            or (p.task == "classes" and not p.class_names):
        raise _damaged(path, f"task {p.task!r}, targets {p.target_names!r}")
    return p


def _version_warning(p: SavedPredictor) -> str | None:
    import sklearn

    saved = p.software.get("scikit-learn")
    if saved == sklearn.__version__:
        return None
    return (f"The {WHAT} {p.path} was saved with scikit-learn {saved}; this is scikit-learn "
            f"{sklearn.__version__}. It was read all the same, but its predictions may differ "
            "slightly or fail; fit it again with 'botaclip predict' if in doubt.")


def load_predictor(path) -> SavedPredictor:
    """The predictor saved at ``path`` (see the module docstring for the checks);
    ``.warnings`` says what the caller should pass on (another scikit-learn version)."""
    from sklearn.exceptions import InconsistentVersionWarning

    path = Path(path)
    doc = _open_document(path)
    arrays = read_arrays(path, doc["n_arrays"], WHAT)
    with warnings.catch_warnings():
        # scikit-learn's own version warning speaks of unpickling; ours says it plainly
        warnings.simplefilter("ignore", InconsistentVersionWarning)
        data = decode(doc, arrays, where=f"The {WHAT} {path}")
    p = _from_data(data, path)
    for model in [p.final_model, *p.fold_models]:
        use_this_machine(model)
    p.warnings = [w for w in (_version_warning(p),) if w]
    return p


def use_this_machine(model) -> None:
    """Set every ``n_jobs`` inside ``model`` (a forest, a pipeline's steps, a
    :class:`ColumnStack`'s models) to this machine's cores: a saved forest keeps the core
    count of the machine that fitted it, which is not this one's."""
    from .estimators import cores

    for part in [model, *getattr(model, "models", []),
                 *(step for _, step in getattr(model, "steps", []))]:
        if part is not model and (hasattr(part, "models") or hasattr(part, "steps")):
            use_this_machine(part)
        elif hasattr(part, "n_jobs"):
            part.n_jobs = cores(None)


# ------------------------------------------------------------------------------ compatible

def _describe(prov: dict) -> str:
    return ", ".join(f"{_LABELS[k]} {prov.get(k) or 'none'}" for k in IDENTITY_TAGS
                     if k in prov) or "no model recorded"


def check_compatible(predictor: SavedPredictor, embeddings_path) -> list[str]:
    """Whether ``predictor`` may map the embedding raster ``embeddings_path``: refused
    (:class:`BotaclipError`, both values named) for another band count or, when both sides
    carry provenance, another model; the warnings to show when it cannot be checked."""
    name = f"The predictor {predictor.path}" if predictor.path else "The predictor"
    fitted = predictor.embedding.get("source") or "its embedding raster"
    bands, want = raster_info(embeddings_path).count, predictor.embedding.get("bands")
    if want is not None and bands != want:
        raise BotaclipError(
            f"{name} was fitted on an embedding raster of {want} bands "
            f"({fitted}), but {embeddings_path} has {bands} bands. Apply it to an embedding "
            "raster made with the same model, or fit a new predictor on this one with "
            "'botaclip predict'.")
    saved = predictor.embedding.get("provenance") or {}
    here = {k: v for k, v in read_embedding_tags(embeddings_path).items()
            if k in PROVENANCE_TAGS}
    if saved and here:
        # compared as text: a tag that reads as a number (an all-digit hash) is still a name
        differ = [k for k in IDENTITY_TAGS if (k in saved or k in here)
                  and str(saved.get(k)) != str(here.get(k))]
        if differ:
            raise BotaclipError(
                f"{name} was fitted on embeddings made with {_describe(saved)}, "
                f"but {embeddings_path} was made with {_describe(here)} (they differ in "
                f"{', '.join(_LABELS[k] for k in differ)}). Its features mean something "
                "else there: make the embedding raster with the same model, or fit a new "
                "predictor on this raster with 'botaclip predict'.")
        return []
    if not here:
        return [f"{embeddings_path} has no BotaCLIP provenance tags, so it cannot be checked "
                f"that it was made with the same model as the predictor's embeddings "
                f"({_describe(saved) if saved else fitted}); the map is made all the same. "
                "Make sure both rasters come from the same model."]
    return [f"{name} was fitted on an embedding raster without provenance tags "
            f"({fitted}), so it cannot be checked that {embeddings_path} was made with the "
            "same model; the map is made all the same. Make sure both come from the same "
            "model."]
