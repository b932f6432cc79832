"""Which DOFA weight files exist, and where BotaCLIP looks for them.

Kept apart from :mod:`.weights` (which loads them) because it needs no torch: the QGIS
dialogs ask whether a run would find its weights before they let it start, and must not
import torch on QGIS's main thread to know.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple, Union

from ..errors import BotaclipError

PathLike = Union[str, "os.PathLike[str]"]
DOFA_SIZE_NAMES = ("dofa-small", "dofa-base", "dofa-large")


def normalize_size_name(name: str) -> str:
    """``"base"``, ``"DOFA_base"``, ``"dofa-base"`` -> ``"dofa-base"``; BotaclipError if unknown."""
    key = str(name).strip().lower().replace("_", "-")
    if not key.startswith("dofa-"):
        key = "dofa-" + key
    if key not in DOFA_SIZE_NAMES:
        raise BotaclipError(
            f"Unknown DOFA size {name!r}: choose one of {', '.join(DOFA_SIZE_NAMES)}."
        )
    return key


class WeightFile(NamedTuple):
    name: str
    source: str  # "torchgeo" or "authors"
    sha256: str
    size_bytes: int | None
    url: str


_TORCHGEO_REPO = "https://huggingface.co/torchgeo/dofa"
_AUTHORS_REPO = "https://huggingface.co/earthflow/DOFA"

# Hashes from the Git LFS pointers on Hugging Face (torchgeo/dofa commit b8db318, earthflow/DOFA
# commits ef59b05 and d481510); URLs from torchgeo's DOFABase16/Large16_Weights.
KNOWN_WEIGHTS: dict[str, tuple[WeightFile, ...]] = {
    "dofa-base": (
        WeightFile(
            "dofa_base_patch16_224-a0275954.pth", "torchgeo",
            "a027595480a4b0641d0be330d876034439bcb6ead8b9ce10f4949227426856c6", 445295690,
            f"{_TORCHGEO_REPO}/resolve/b8db318b64a90b9e085ec04ba8851233c5893666/"
            "dofa_base_patch16_224-a0275954.pth"),
        WeightFile(
            "DOFA_ViT_base_e100.pth", "authors",
            "4720985e42b918ac0307009eb06121a3435d9bbce6fd95446f84824a538165b1", 447669164,
            f"{_AUTHORS_REPO}/resolve/main/DOFA_ViT_base_e100.pth"),
    ),
    "dofa-large": (
        WeightFile(
            "dofa_large_patch16_224-0ff904d3.pth", "torchgeo",
            "0ff904d35418b0ae26e15812f2669f906a047f94517823bfbc3824eac9328291", 1348512262,
            f"{_TORCHGEO_REPO}/resolve/b8db318b64a90b9e085ec04ba8851233c5893666/"
            "dofa_large_patch16_224-0ff904d3.pth"),
        WeightFile(
            "DOFA_ViT_large_e100.pth", "authors",
            "ea9910bc026268ca36c30b76fd1169aeaca9ea51af5eaff840a20f150ea03d49", None,
            f"{_AUTHORS_REPO}/resolve/main/DOFA_ViT_large_e100.pth"),
    ),
    "dofa-small": (),
}

# Pre-August-2024 files (old, buggy kernel layout): sha256 -> (file name, size it replaces).
OLD_LAYOUT_FILES: dict[str, tuple[str, str]] = {
    "7cc0f41371c349b958688c99d024d2db1c1a947cc0989329e6a5c104b2f23d40":
        ("dofa_base_patch16_224-7cc0f413.pth", "dofa-base"),
    "fbd47fa9aa5b7f06494c6715467979c3628c7181712d844a1c745ce265caeae8":
        ("dofa_large_patch16_224-fbd47fa9.pth", "dofa-large"),
    "e3673f5d6dc8e3d7d9a7012856e97dbf85f9b0165389aa3a47b36a493a209b70":
        ("ofa_base_checkpoint_e99.pth", "dofa-base"),
}
OLD_LAYOUT_NAMES = {name.lower(): size for name, size in OLD_LAYOUT_FILES.values()}


def default_weights_dir() -> Path:
    """``$BOTACLIP_WEIGHTS_DIR``, else ``~/.botaclip/weights``."""
    env = os.environ.get("BOTACLIP_WEIGHTS_DIR")
    return Path(env).expanduser() if env else Path.home() / ".botaclip" / "weights"


def download_help(size: str, folder: Path) -> str:
    files = KNOWN_WEIGHTS[size]
    lines = [f"Put one of these files in {folder}:"]
    for f in files:
        mb = f" ({f.size_bytes / 1e6:.0f} MB)" if f.size_bytes else ""
        who = "torchgeo's conversion" if f.source == "torchgeo" else "the DOFA authors' file"
        lines.append(f"  - {f.name}{mb}, {who}: {f.url}")
    lines.append(f"(the file pages: {_TORCHGEO_REPO} and {_AUTHORS_REPO}; keep the file names "
                 f"unchanged.)")
    return "\n".join(lines)


def find_dofa_weights(size: str, weights_dir: PathLike | None = None) -> Path:
    """Path of a known weight file for ``size`` in ``weights_dir`` (default
    :func:`default_weights_dir`); BotaclipError saying what to download where if none."""
    size = normalize_size_name(size)
    folder = Path(weights_dir).expanduser() if weights_dir else default_weights_dir()
    if not KNOWN_WEIGHTS[size]:
        raise BotaclipError(
            f"{size} has no published weights. Use a weights file of your own, or "
            f"'none' (CLI: --weights none) for random weights, which only suit tests: "
            f"their embeddings are meaningless."
        )
    present = {}
    if folder.is_dir():
        try:
            present = {e.name.lower(): e for e in folder.iterdir() if e.is_file()}
        except OSError as exc:
            raise BotaclipError(f"Cannot list the weights folder {folder}: "
                                f"{exc.strerror or exc}.") from None
    for known in KNOWN_WEIGHTS[size]:
        hit = present.get(known.name.lower())
        if hit is not None:
            return hit
    old = [entry.name for name, entry in present.items() if OLD_LAYOUT_NAMES.get(name) == size]
    msg = [f"No {size} weights found in {folder}"
           + ("" if folder.is_dir() else " (the folder does not exist: create it)") + "."]
    if old:
        msg.append(f"{', '.join(old)} is an old file (before the August 2024 fix of DOFA's "
                   f"patch embedding) and must not be used: delete it.")
    msg.append(download_help(size, folder))
    msg.append("Or give the path of a weights file explicitly (CLI: --weights PATH).")
    raise BotaclipError("\n".join(msg))


KnownWeights = dict[str, tuple[WeightFile, ...]]


def known_weight_files(known: KnownWeights | None = None) -> list[tuple[str, WeightFile]]:
    """``(size name, file)`` for every published checkpoint, in :data:`KNOWN_WEIGHTS` order
    (``known`` replaces that list: the weights manager's tests give their own)."""
    table = KNOWN_WEIGHTS if known is None else known
    return [(size, f) for size, files in table.items() for f in files]


def identify_sha256(sha256: str, known: KnownWeights | None = None
                    ) -> tuple[str, WeightFile] | None:
    """The published checkpoint whose content has this sha256, as ``(size name, file)``;
    None for any other file (the old-layout files are in :data:`OLD_LAYOUT_FILES`)."""
    sha256 = sha256.lower()
    for size, f in known_weight_files(known):
        if f.sha256 == sha256:
            return size, f
    return None
