"""A fitted scikit-learn model as data that cannot run code when it is read back.

Why not pickle (or joblib, which is pickle): unpickling a file calls whatever functions the
file names, so opening a predictor someone sent you could run any program. Why not skops,
which was made for this: its last release for numpy 1.24 (QGIS's numpy, which we cannot
upgrade) brings huggingface-hub along and fails on the random generator that histogram
gradient boosting keeps. So this module does the little that is needed itself.

:func:`encode` turns an object graph into a JSON-ready tree and a list of numpy arrays;
:func:`decode` turns them back. What the tree may hold:

- ``None``, ``bool``, ``int``, ``str``, ``float`` (NaN and infinities written out as
  ``{"$": "float", "value": "nan"}``, since JSON has none), lists, tuples, dicts (keys
  ``str`` or ``int``);
- numpy arrays of any non-object dtype, structured ones included (a tree's nodes), each
  stored once however many times it is referred to; numpy scalars of booleans, integers and
  floats of at most 8 bytes; numpy dtypes;
- random generators (``RandomState``, ``Generator``), which a fitted model keeps only to fit
  more: a marker, read back as a fresh generator seeded with 0;
- objects of the classes in :data:`ALLOWED` only, and only in the two shapes pickle gives
  them: a plain object (``cls.__new__(cls)`` then its state set) or a compiled type that
  rebuilds as ``cls(*args)`` plus its state (a decision tree, a loss).

Reading never imports or calls anything a file names unless the name is in :data:`ALLOWED`
(checked before the import; the class found must carry that very name). Anything else, when
saving or reading, is a :class:`..errors.BotaclipError` that names it. The allowlist is what
:func:`.estimators.make_estimator` gives for the four estimators and both kinds of target
after fitting, found by walking the fitted graphs.

:func:`write_store` and :func:`read_document`/:func:`read_arrays` keep a document and its
arrays in a zip file: the document as JSON, each array as ``arrays/<i>.npy`` written and
read with ``allow_pickle=False`` (an array of Python objects, which only pickle can hold, is
refused). The arrays are compressed (deflate): a forest's node tables are mostly small
integers and repeated leaf values, so 500 trees fitted on 300 points of 16 features take
1.2 MB instead of 3.8 MB (a regression forest, 4.2 MB instead of 14 MB), for about 0.1 s
more when saving and nothing measurable when reading.

What this does not promise: a file crafted by hand can still hold a tree whose nodes make
no sense, which gives a wrong map (or an error), not a program run.
"""

from __future__ import annotations

import copyreg
import importlib
import io
import json
import math
import re
import zipfile

import numpy as np

from ..errors import BotaclipError

TAG = "$"
ARRAYS = "arrays/{}.npy"

# module:qualname of every class a fitted estimator of estimators.make_estimator holds
ALLOWED = frozenset({
    "sklearn.pipeline:Pipeline",
    "sklearn.preprocessing._data:StandardScaler",
    "sklearn.preprocessing._label:LabelBinarizer",
    "sklearn.preprocessing._label:LabelEncoder",
    "sklearn.ensemble._forest:RandomForestClassifier",
    "sklearn.ensemble._forest:RandomForestRegressor",
    "sklearn.tree._classes:DecisionTreeClassifier",
    "sklearn.tree._classes:DecisionTreeRegressor",
    "sklearn.tree._tree:Tree",
    "sklearn.linear_model._logistic:LogisticRegression",
    "sklearn.linear_model._ridge:Ridge",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:"
    "HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:"
    "HistGradientBoostingRegressor",
    "sklearn.ensemble._hist_gradient_boosting.binning:_BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor:TreePredictor",
    "sklearn._loss.loss:HalfBinomialLoss",
    "sklearn._loss.loss:HalfMultinomialLoss",
    "sklearn._loss.loss:HalfSquaredError",
    "sklearn._loss._loss:CyHalfBinomialLoss",
    "sklearn._loss._loss:CyHalfMultinomialLoss",
    "sklearn._loss._loss:CyHalfSquaredError",
    "sklearn._loss.link:IdentityLink",
    "sklearn._loss.link:LogitLink",
    "sklearn._loss.link:MultinomialLogit",
    "sklearn._loss.link:Interval",
    "sklearn.neural_network._multilayer_perceptron:MLPClassifier",
    "sklearn.neural_network._multilayer_perceptron:MLPRegressor",
    "sklearn.neural_network._stochastic_optimizers:AdamOptimizer",
})

# numpy scalars kept: booleans, integers and floats of 1 to 8 bytes ('<f8', '|b1', '<u8'...)
_SCALAR = re.compile(r"[<>|=]?[biuf][1248]")
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_RANDOM = {"RandomState": lambda: np.random.RandomState(0),
           "Generator": lambda: np.random.default_rng(0)}


def class_name(cls: type) -> str:
    """``module:qualname``, how :data:`ALLOWED` and a stored tree name a class."""
    return f"{cls.__module__}:{cls.__qualname__}"


# ------------------------------------------------------------------------------ encode

class _Encoder:
    """One :func:`encode` call: the arrays gathered so far (each stored once) and the
    objects being encoded (a graph that refers to itself cannot be written as a tree)."""

    def __init__(self):
        self.arrays: list[np.ndarray] = []
        self._index: dict[int, int] = {}
        self._open: set[int] = set()

    def enc(self, o, where: str):
        t = type(o)
        if o is None or t in (bool, int, str):
            return o
        if t is float:
            return o if math.isfinite(o) else {TAG: "float", "value": repr(o)}
        if t in (list, tuple):
            items = [self.enc(v, f"{where}[{i}]") for i, v in enumerate(o)]
            return items if t is list else {TAG: "tuple", "items": items}
        if t is dict:
            return self._dict(o, where)
        if t is np.ndarray:
            return {TAG: "array", "index": self._array(o, where)}
        if isinstance(o, np.generic):
            return self._scalar(o, where)
        if isinstance(o, np.dtype):
            return {TAG: "dtype", "index": self._array(np.empty(0, dtype=o), where)}
        if t in (np.random.RandomState, np.random.Generator):
            return {TAG: "random", "kind": t.__name__}
        return self._object(o, where)

    def _dict(self, o: dict, where: str):
        if all(type(k) is str for k in o) and TAG not in o:
            return {k: self.enc(v, f"{where}.{k}") for k, v in o.items()}
        bad = [k for k in o if type(k) not in (str, int)]
        if bad:
            raise _cannot(where, f"a dictionary key of type {type(bad[0]).__name__}")
        return {TAG: "dict", "items": [[k, self.enc(v, f"{where}.{k}")] for k, v in o.items()]}

    def _array(self, a: np.ndarray, where: str) -> int:
        if a.dtype.hasobject:
            raise _cannot(where, "an array of Python objects (only pickle could store it)")
        if id(a) not in self._index:
            self._index[id(a)] = len(self.arrays)
            self.arrays.append(a)
        return self._index[id(a)]

    def _scalar(self, o: np.generic, where: str):
        if not _SCALAR.fullmatch(o.dtype.str):
            raise _cannot(where, f"a numpy scalar of type {o.dtype}")
        return {TAG: "scalar", "dtype": o.dtype.str, "value": self.enc(o.item(), where)}

    def _object(self, o, where: str):
        cls = type(o)
        name = class_name(cls)
        if name not in ALLOWED:
            raise _cannot(where, f"an object of class {name}")
        if id(o) in self._open:
            raise _cannot(where, f"a {cls.__qualname__} that refers to itself")
        self._open.add(id(o))
        try:
            return self._reduced(o, cls, name, where)
        finally:
            self._open.discard(id(o))

    def _reduced(self, o, cls: type, name: str, where: str):
        """The object as pickle would take it apart, in one of the shapes decode rebuilds."""
        r = o.__reduce_ex__(2)
        if not isinstance(r, tuple) or len(r) < 2 or any(x is not None for x in r[3:]):
            raise _cannot(where, f"a {cls.__qualname__} that pickles in an unusual way")
        fn, args, state = r[0], r[1], (r[2] if len(r) > 2 else None)
        if fn is copyreg.__newobj__ and args == (cls,):
            return {TAG: "object", "class": name, "state": self.enc(state, where)}
        if fn is cls:
            return {TAG: "reduce", "class": name, "args": self.enc(list(args), where),
                    "state": self.enc(state, where)}
        if getattr(fn, "__name__", "") == f"__pyx_unpickle_{cls.__name__}" \
                and len(args) == 3 and args[0] is cls:
            # a compiled (Cython) class's own pickling: (its class, a checksum, its fields)
            return {TAG: "cython", "class": name,
                    "state": self.enc(args[2] if args[2] is not None else state, where)}
        raise _cannot(where, f"a {cls.__qualname__} that pickles through {fn!r}")


def _cannot(where: str, what: str) -> BotaclipError:
    return BotaclipError(f"Cannot save the predictor: {where} is {what}, which BotaCLIP does "
                         "not store (only scikit-learn's estimators as 'botaclip predict' "
                         "makes them). Please report this with the estimator and task used.")


def encode(obj, where: str = "the model") -> tuple[object, list[np.ndarray]]:
    """(a JSON-ready tree, the arrays it refers to by index) for ``obj`` (see the module
    docstring for what it may hold); ``where`` names ``obj`` in error messages."""
    enc = _Encoder()
    tree = enc.enc(obj, where)
    return tree, enc.arrays


# ------------------------------------------------------------------------------ decode

class _Decoder:
    """One :func:`decode` call: the arrays, the classes resolved so far, the file's name."""

    def __init__(self, arrays: list, where: str):
        self.arrays, self.where = arrays, where
        self._classes: dict[str, type] = {}

    def dec(self, node):
        t = type(node)
        if node is None or t in (bool, int, float, str):
            return node
        if t is list:
            return [self.dec(v) for v in node]
        if t is not dict:
            raise self.damaged(f"a value of type {t.__name__}")
        tag = node.get(TAG)
        if tag is None:
            return {k: self.dec(v) for k, v in node.items()}
        handler = getattr(self, f"_{tag}", None) if tag in _TAGS else None
        if handler is None:
            raise self.damaged(f"an entry of unknown kind {tag!r}")
        return handler(node)

    def damaged(self, what: str) -> BotaclipError:
        return BotaclipError(f"{self.where} is damaged or was not written by BotaCLIP: it "
                             f"holds {what}. Save the predictor again with 'botaclip predict "
                             "--save-model'.")

    def _float(self, node):
        if node.get("value") not in _FLOATS:
            raise self.damaged(f"the number {node.get('value')!r}")
        return _FLOATS[node["value"]]

    def _tuple(self, node):
        return tuple(self.dec(node["items"]))

    def _dict(self, node):
        pairs = [(k, self.dec(v)) for k, v in node["items"]]
        if any(type(k) not in (str, int) for k, _ in pairs):
            raise self.damaged("a dictionary key that is neither text nor a whole number")
        return dict(pairs)

    def _array(self, node):
        i = node["index"]
        if type(i) is not int or not 0 <= i < len(self.arrays):
            raise self.damaged(f"a reference to array {i!r} of {len(self.arrays)}")
        return self.arrays[i]

    def _dtype(self, node):
        return self._array(node).dtype

    def _scalar(self, node):
        if type(node["dtype"]) is not str or not _SCALAR.fullmatch(node["dtype"]):
            raise self.damaged(f"a number of type {node['dtype']!r}")
        return np.dtype(node["dtype"]).type(self.dec(node["value"]))

    def _random(self, node):
        if node.get("kind") not in _RANDOM:
            raise self.damaged(f"a random generator of kind {node.get('kind')!r}")
        return _RANDOM[node["kind"]]()

    def _object(self, node):
        cls = self.resolve(node["class"])
        obj = cls.__new__(cls)
        self._set_state(obj, self.dec(node["state"]))
        return obj

    def _reduce(self, node):
        cls = self.resolve(node["class"])
        args = self.dec(node["args"])
        if type(args) is not list:
            raise self.damaged(f"arguments of {node['class']} that are not a list")
        obj = cls(*args)
        self._set_state(obj, self.dec(node["state"]))
        return obj

    def _cython(self, node):
        cls = self.resolve(node["class"])
        obj = cls.__new__(cls)
        state = self.dec(node["state"])
        if state:
            obj.__setstate_cython__(tuple(state))
        return obj

    def _set_state(self, obj, state) -> None:
        if state is None:
            return
        if hasattr(type(obj), "__setstate__"):
            obj.__setstate__(state)
        elif type(state) is dict:
            obj.__dict__.update(state)
        else:
            raise self.damaged(f"the state of a {type(obj).__qualname__} that is not a "
                               "dictionary")

    def resolve(self, name) -> type:
        """The class ``name`` (``module:qualname``), imported only when it is in
        :data:`ALLOWED`."""
        if name in self._classes:
            return self._classes[name]
        if type(name) is not str or name not in ALLOWED:
            raise BotaclipError(
                f"{self.where} names {name!r}, which is not one of the scikit-learn classes "
                "a saved predictor holds, so it was refused without loading or running "
                "anything. The file was altered or made by another program; use a predictor "
                "saved by 'botaclip predict --save-model'.")
        module, _, qualname = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), qualname)
        except (ImportError, AttributeError) as exc:
            raise BotaclipError(
                f"{self.where} holds a {qualname} that this scikit-learn does not have where "
                f"it was ({module}): the predictor was saved with another scikit-learn version. "
                "Install that version, or fit the predictor again with 'botaclip predict'."
            ) from exc
        if not isinstance(cls, type) or class_name(cls) != name:
            raise self.damaged(f"the name {name!r}, which is not a class here")
        self._classes[name] = cls
        return cls


_TAGS = frozenset({"float", "tuple", "dict", "array", "dtype", "scalar", "random", "object",
                   "reduce", "cython"})


def decode(tree, arrays: list, where: str = "The saved predictor"):
    """The object :func:`encode` gave ``tree`` and ``arrays`` for. ``where`` starts the error
    messages (e.g. "The saved predictor FILE"); any malformed entry is a
    :class:`BotaclipError` that says the file is damaged."""
    d = _Decoder(list(arrays), where)
    try:
        return d.dec(tree)
    except BotaclipError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError,
            RecursionError) as exc:
        raise d.damaged(f"an entry that cannot be read back ({type(exc).__name__}: {exc})"
                        ) from exc


# ------------------------------------------------------------------------------ the zip

def write_store(path, name: str, document: dict, arrays: list) -> None:
    """A zip file at ``path``: ``document`` as the JSON file ``name`` and each of ``arrays``
    as ``arrays/<i>.npy`` (no pickle), compressed."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, json.dumps(document, allow_nan=False, ensure_ascii=False,
                                     separators=(",", ":")))
        for i, a in enumerate(arrays):
            with zf.open(ARRAYS.format(i), "w") as fh:
                np.lib.format.write_array(fh, a, allow_pickle=False)


def read_document(path, name: str, what: str) -> dict:
    """The JSON document ``name`` of the zip file ``path``; a :class:`BotaclipError` that
    names the file (called ``what``) when it is not a zip, lacks it, or it is not JSON."""
    try:
        with zipfile.ZipFile(path) as zf:
            text = zf.read(name)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BotaclipError(f"{path} is not a {what}: it is not a zip file. Give the file "
                            "written by 'botaclip predict --save-model'.") from exc
    except KeyError as exc:
        raise BotaclipError(f"{path} is not a {what}: the zip file has no {name}. Give the "
                            "file written by 'botaclip predict --save-model'.") from exc
    except OSError as exc:
        raise BotaclipError(f"Cannot read the {what} {path}: {exc.strerror or exc}.") from exc
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BotaclipError(f"{path} is not a {what}: its {name} is not valid JSON "
                            f"({exc}).") from exc
    if not isinstance(doc, dict):
        raise BotaclipError(f"{path} is not a {what}: its {name} is not a JSON object.")
    return doc


def read_arrays(path, n: int, what: str) -> list[np.ndarray]:
    """The ``n`` arrays ``arrays/0.npy``... of the zip file ``path``, read without pickle."""
    out = []
    try:
        with zipfile.ZipFile(path) as zf:
            for i in range(n):
                out.append(_read_array(zf, ARRAYS.format(i), path, what))
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise BotaclipError(f"Cannot read the {what} {path}: {exc}. The file is damaged; "
                            "save the predictor again.") from exc
    return out


def _read_array(zf: zipfile.ZipFile, member: str, path, what: str) -> np.ndarray:
    try:
        data = zf.read(member)
    except KeyError as exc:
        raise BotaclipError(f"The {what} {path} is incomplete: {member} is missing. Save the "
                            "predictor again with 'botaclip predict --save-model'.") from exc
    try:
        return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise BotaclipError(
                f"The {what} {path} holds {member}, an array of Python objects that only "
                "pickle can read, and reading it could run a program; it was refused. The "
                "file was altered or made by another program.") from exc
        raise BotaclipError(f"The {what} {path} holds {member}, which is not a valid numpy "
                            f"array ({exc}); save the predictor again.") from exc
