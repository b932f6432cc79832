"""Faults that lose nothing (issue 10, part 4): hard kills, SIGTERM, a checkpoint moved between
a GPU and a CPU, a full disk and two runs writing one output, each run as a person would meet
it: the real ``python -m botaclip.backend.cli`` command in a subprocess.

Making a kill land mid-work without sleeps: the command's stderr (its progress lines) is a
pipe in packet mode (``O_DIRECT``) shrunk to one page, which holds a single packet, and each
progress line is one ``write``. So the command can run at most one line ahead of what the
test has read; the test reads line by line, looks at the state on disk (a feature chunk, a
checkpoint, a finished embedding block) after each, and acts the moment it is there: the
command is then at most a line or two further, and the tests say why that is mid-work.

What "the same result" means here. Embedding: every pixel of the raster, compared as float32
arrays with ``assert_array_equal`` (bit for bit: the state pins the batch size, and blocks
are computed in the same batches, so the forward passes are the same operations). Training:
every tensor of ``model.safetensors`` ``torch.equal`` (the file's JSON header lists tensors
in a random order, so its bytes may differ), plus the epoch kept and the test figure. That
holds because features are saved in whole batches of the plots in a fixed order (a resumed
run computes the rest in the same batches) and the checkpoint holds every random generator.
All runs here use the CPU with 2 threads and the backbone in float32 (``--precision
float32``); the heads use the precision ``auto`` chooses on this machine, the same in every
run (the command has no option for it).
"""

import contextlib
import errno
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import make_small_scene
from helpers import TINY_JSON
from osgeo import gdal
from safetensors.torch import load_file

from botaclip.backend.errors import Cancelled
from botaclip.backend.io.lock import hold_outputs, lock_path, stale_temporaries
from botaclip.backend.progress import CancelFlag
from botaclip.backend.train import features as F
from botaclip.backend.train.checkpoint import restore_generator

F_SETPIPE_SZ = 1031                       # fcntl.F_SETPIPE_SZ (Python 3.10+ names it)
ENV = {**os.environ, "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "PYTHONWARNINGS": "ignore"}
ENV.pop("BOTACLIP_CACHE_DIR", None)
LINUX_PIPES = sys.platform.startswith("linux") and hasattr(os, "O_DIRECT")
CUDA_STATE_BYTES = 16      # a CUDA generator's state: Philox seed (uint64) + offset (int64)


# ----------------------------------------------------------------------------- the harness

class Cli:
    """A `botaclip` subprocess whose stderr the test reads one packet (one line) at a time;
    it cannot write more than one packet ahead (see the module doc)."""

    def __init__(self, *args):
        import fcntl

        r, w = os.pipe2(os.O_DIRECT)
        fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
        self.args = [str(a) for a in args]
        self.proc = subprocess.Popen([sys.executable, "-m", "botaclip.backend.cli", *self.args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=w, env=ENV)
        os.close(w)
        self.fd = r
        self.err = ""

    def _read(self, wait: float) -> bool:
        """Read one packet if one comes within ``wait`` s; False at the end of the output."""
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        chunk = os.read(self.fd, 1 << 16)
        self.err += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def until(self, condition, timeout: float = 240.0) -> None:
        """Let the command run, line by line, until ``condition()`` holds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if not self._read(0.05):
                raise AssertionError(f"the command ended before the point looked for "
                                     f"(exit {self.proc.wait()}):\n{self.err[-3000:]}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"timed out waiting:\n{self.err[-3000:]}")

    def kill(self) -> None:
        """``kill -9``."""
        self.proc.kill()
        self.proc.wait()
        os.close(self.fd)

    def finish(self, timeout: float = 300.0) -> tuple[int, str, str]:
        """Read everything to the end: (exit status, stdout, stderr)."""
        deadline = time.monotonic() + timeout
        while self._read(0.2):
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"did not finish:\n{self.err[-3000:]}")
        os.close(self.fd)
        rc = self.proc.wait()
        return rc, self.proc.stdout.read().decode("utf-8", "replace"), self.err


def run(*args, timeout: float = 300.0) -> tuple[int, str, str]:
    """`botaclip ARGS` to the end: (exit status, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "botaclip.backend.cli", *map(str, args)],
                       capture_output=True, text=True, env=ENV, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def no_traceback(err: str) -> None:
    assert "Traceback" not in err, err


needs_pipes = pytest.mark.skipif(not LINUX_PIPES, reason="packet-mode pipes are Linux only")


def cli_test(test):
    """A test that runs the command in subprocesses: slow (seconds each), Linux pipes."""
    return pytest.mark.slow(needs_pipes(test))


# ----------------------------------------------------------------------------- data

N_PLOTS = 400
EPOCHS = 30


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """400 plots: the first feature chunk (256 plots) is committed with 144 plots, 18
    batches of 8, still to go, so a kill two batches after it lands inside the extraction."""
    return make_small_scene(tmp_path_factory.mktemp("faults_scene"), n_plots=N_PLOTS)


def train_args(scene, cache, out, *extra):
    ortho, releves = scene
    return ["train", "--ortho", ortho, "--releves", releves, "--patch-m", 40,
            "--backbone", "dofa-custom", "--weights", "none", "--backbone-config", TINY_JSON,
            "--epochs", EPOCHS, "--seed", 0, "--device", "cpu", "--precision", "float32",
            "--cache-dir", cache, "--out", out, *extra]


@pytest.fixture(scope="module")
def reference_model(scene, tmp_path_factory):
    """An uninterrupted training: what every interrupted one must give again."""
    tmp = tmp_path_factory.mktemp("faults_reference")
    rc, out, err = run(*train_args(scene, tmp / "cache", tmp / "model", "--json"))
    assert rc == 0, err
    summary = json.loads(out)
    # patience 10: at least 10 epochs (10 without a better validation recall than the
    # untrained model's), so a kill one or two epochs after the first checkpoint is
    # mid-training
    assert summary["epochs_trained"] >= 10
    return tmp / "model", summary


def same_model(a: Path, b: Path) -> None:
    """Every tensor equal, bit for bit (see the module doc), and the same epoch kept."""
    ta, tb = load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors"))
    assert sorted(ta) == sorted(tb)
    for name in ta:
        assert torch.equal(ta[name], tb[name]), name
    ca = json.loads((a / "config.json").read_text())
    cb = json.loads((b / "config.json").read_text())
    assert ca["best_epoch"] == cb["best_epoch"]


def chunks(cache: Path) -> list:
    return [p for p in cache.glob("*/chunk-*.xy.npy") if not p.name.startswith(".")]


def checkpoints(cache: Path) -> list:
    return list(cache.glob("_training/*/train_state.pt"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from botaclip.backend.demo import generate_demo_data

    return generate_demo_data(tmp_path_factory.mktemp("faults_demo"), size_m=400, seed=0,
                              pixel_m=2.0).orthophoto


def embed_args(ortho, state, out, *extra):
    """A 40 x 40 output (1,600 patches) in 4 blocks of 32 px (the default), 8 patches per
    batch: the first block is 128 batches and 72 follow it, so acting two batches after the
    first block is mid-work."""
    return ["embed", "--backbone", "dofa", "--weights", "none", "--backbone-config",
            TINY_JSON, "--patch-m", 20, "--stride-m", 10, "--ortho", ortho, "--out", out,
            "--device", "cpu", "--precision", "float32", "--batch-size", 8, "--dtype",
            "float32", "--workers", 1, "--cache-dir", state, *extra]


def blocks_done(state: Path) -> int:
    return sum(f.read_text().count(" ok\n") for f in state.glob("*/done.txt"))


def pixels(path) -> np.ndarray:
    ds = gdal.Open(str(path))
    try:
        return ds.ReadAsArray().astype(np.float32)
    finally:
        ds = None


@pytest.fixture(scope="module")
def reference_embedding(demo, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults_embed_ref")
    rc, _, err = run(*embed_args(demo, tmp / "state", tmp / "emb.tif"))
    assert rc == 0, err
    return tmp / "emb.tif"


# ----------------------------------------------------------------------------- (a) kill -9

@cli_test
def test_kill_during_embedding_then_the_same_command_gives_the_same_raster(
        demo, reference_embedding, tmp_path):
    args = embed_args(demo, tmp_path / "state", tmp_path / "out" / "emb.tif")
    (tmp_path / "out").mkdir()
    cli = Cli(*args)
    cli.until(lambda: blocks_done(tmp_path / "state") >= 1)
    cli.kill()
    done = blocks_done(tmp_path / "state")
    assert 1 <= done < 4                      # mid-work: not every block was finished
    assert list((tmp_path / "out").iterdir()) == [lock_path(tmp_path / "out" / "emb.tif")]
    rc, _, err = run(*args, "--json")
    assert rc == 0, err
    assert f"{done} of 4 blocks already done" in err
    assert not lock_path(tmp_path / "out" / "emb.tif").exists()    # taken over, removed
    np.testing.assert_array_equal(pixels(tmp_path / "out" / "emb.tif"),
                                  pixels(reference_embedding))


@cli_test
def test_kill_during_feature_extraction_then_the_same_command_gives_the_same_model(
        scene, reference_model, tmp_path):
    args = train_args(scene, tmp_path / "cache", tmp_path / "model")
    cli = Cli(*args)
    cli.until(lambda: chunks(tmp_path / "cache"))
    cli.kill()
    kept = sum(len(np.load(p)) for p in chunks(tmp_path / "cache"))
    assert 0 < kept < N_PLOTS and not checkpoints(tmp_path / "cache")
    rc, _, err = run(*args)
    assert rc == 0, err
    assert f"{kept} of {N_PLOTS} plots already computed" in err
    same_model(tmp_path / "model", reference_model[0])


@pytest.fixture(scope="module")
def killed_in_epochs(scene, tmp_path_factory):
    """A feature cache and a checkpoint left by a training killed one or two epochs after
    its first checkpoint (kept pristine: tests copy it)."""
    tmp = tmp_path_factory.mktemp("faults_killed")
    cli = Cli(*train_args(scene, tmp / "cache", tmp / "model"))
    cli.until(lambda: checkpoints(tmp / "cache"))
    cli.kill()
    assert not (tmp / "model").exists()
    return tmp / "cache"


@cli_test
def test_kill_during_training_epochs_then_the_same_command_gives_the_same_model(
        scene, reference_model, killed_in_epochs, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(killed_in_epochs, cache)
    (ckpt,) = checkpoints(cache)
    epoch = torch.load(ckpt, weights_only=True)["epoch"]
    assert 1 <= epoch < reference_model[1]["epochs_trained"]
    rc, _, err = run(*train_args(scene, cache, tmp_path / "model"))
    assert rc == 0, err
    assert f"Resuming training after epoch {epoch}" in err
    assert f"features: all {N_PLOTS} plots from the cache" in err
    same_model(tmp_path / "model", reference_model[0])
    assert not checkpoints(cache)                                # removed once written


# ----------------------------------------------------------------------------- (b) saves

class _SlowBackbone:
    """The spectral baseline, made to take ``seconds`` per batch (a CPU running DOFA)."""

    def __init__(self, bb, seconds):
        self.bb, self.seconds = bb, seconds

    def __getattr__(self, name):
        return getattr(self.bb, name)

    def features(self, x):
        time.sleep(self.seconds)
        return self.bb.features(x)


def _spectral():
    from botaclip.backend.models.backbones import Normalization, build_backbone

    return build_backbone("spectral", None, wavelengths=[0.665, 0.56, 0.49, 0.842],
                          normalization=Normalization("sampled", [120.0] * 4, [40.0] * 4))


@pytest.mark.parametrize("save_seconds, sleep, n_batches, low, high", [
    # every 0.12 s with batches of at least 0.05 s: a chunk after at most 3 batches (3 x 0.05
    # >= 0.12), at least 1; 20 batches -> between ceil(20 / 3) = 7 and 20 chunks
    (0.12, 0.05, 20, 7, 20),
    # the default (30 s) on fast batches: only the count (256 plots) or the end saves
    (F.SAVE_SECONDS, 0.0, 20, 1, 1),
])
def test_feature_extraction_saves_by_time_as_well_as_by_count(
        scene, tmp_path, monkeypatch, save_seconds, sleep, n_batches, low, high):
    monkeypatch.setattr(F, "SAVE_SECONDS", save_seconds)
    ortho, _ = scene
    rng = np.random.default_rng(0)
    xs = 900000.0 + rng.uniform(60, 740, n_batches * 4)
    ys = 6500000.0 + rng.uniform(60, 740, n_batches * 4)
    bb = _SlowBackbone(_spectral(), sleep)
    feats = F.compute_features(ortho, xs, ys, bb, 40.0, variants=2, cache_dir=tmp_path,
                               batch_size=4, key=("0" * 64, {"test": True}))
    saved = chunks(tmp_path)
    assert low <= len(saved) <= high
    # each chunk is whole batches; together they are every plot once, and read back equal
    sizes = [len(np.load(p)) for p in saved]
    assert all(s % 4 == 0 for s in sizes) and sum(sizes) == len(xs)
    again = F.compute_features(ortho, xs, ys, bb, 40.0, variants=2, cache_dir=tmp_path,
                               batch_size=4, key=("0" * 64, {"test": True}))
    np.testing.assert_array_equal(again, feats)


def test_a_cancel_between_time_saves_keeps_the_batches_done(scene, tmp_path, monkeypatch):
    monkeypatch.setattr(F, "SAVE_SECONDS", 3600.0)
    ortho, _ = scene
    xs = 900000.0 + np.linspace(60, 740, 40)
    ys = 6500000.0 + np.linspace(60, 740, 40)
    flag = CancelFlag(cancel_after_reports=3)
    with pytest.raises(Cancelled):
        F.compute_features(ortho, xs, ys, _spectral(), 40.0, variants=2, cache_dir=tmp_path,
                           batch_size=4, key=("1" * 64, {}), progress=flag)
    assert sum(len(np.load(p)) for p in chunks(tmp_path)) == 12      # 3 batches of 4


# ----------------------------------------------------------------------------- (c) devices

def _as_if_from_a_gpu(ckpt: Path) -> None:
    """Rewrite the checkpoint as a GPU run writes it: the dropout generator's state in the
    CUDA layout (16 bytes, not the CPU's 5,056) and every tensor tagged for device cuda:0,
    so that reading it without mapping to the CPU fails here as it would (written by a
    subprocess, to keep torch's serialisation registry of this process as it is)."""
    script = (
        "import sys, torch\n"
        "p = sys.argv[1]\n"
        "s = torch.load(p, weights_only=True)\n"
        "s['trainer']['rng_dropout'] = torch.tensor([7, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0, "
        "0, 0, 0], dtype=torch.uint8)\n"
        "s['trainer']['device'] = 'cuda'\n"
        "torch.serialization.register_package(0, lambda obj: 'cuda:0', lambda obj, loc: None)\n"
        "torch.save(s, p)\n")
    subprocess.run([sys.executable, "-c", script, str(ckpt)], check=True, env=ENV)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            torch.load(ckpt, weights_only=True)               # it does claim cuda tensors
    assert len(torch.load(ckpt, weights_only=True, map_location="cpu")["trainer"][
        "rng_dropout"]) == CUDA_STATE_BYTES


@cli_test
def test_a_checkpoint_written_on_a_gpu_resumes_on_a_cpu(scene, killed_in_epochs, tmp_path):
    """Not exercised here (no GPU): a CPU checkpoint resumed on a GPU. The same code path
    runs in reverse (the CPU layout does not fit a CUDA generator, which is seeded afresh);
    the test below runs it where CUDA is present."""
    cache = tmp_path / "cache"
    shutil.copytree(killed_in_epochs, cache)
    (ckpt,) = checkpoints(cache)
    epoch = torch.load(ckpt, weights_only=True)["epoch"]
    _as_if_from_a_gpu(ckpt)
    rc, _, err = run(*train_args(scene, cache, tmp_path / "model"))
    assert rc == 0, err
    no_traceback(err)
    assert "written by a run on cuda and this run is on cpu" in err
    assert "dropout random generator" in err and "seeded afresh" in err
    assert f"Resuming training after epoch {epoch}" in err
    assert (tmp_path / "model" / "model.safetensors").exists()


@cli_test
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_checkpoint_written_on_a_cpu_resumes_on_a_gpu(scene, killed_in_epochs, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(killed_in_epochs, cache)
    rc, _, err = run(*train_args(scene, cache, tmp_path / "model", "--device", "cuda"))
    assert rc == 0, err
    assert "written by a run on cpu and this run is on cuda" in err


@cli_test
def test_a_checkpoint_that_cannot_be_resumed_is_set_aside_not_a_dead_end(
        scene, killed_in_epochs, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(killed_in_epochs, cache)
    (ckpt,) = checkpoints(cache)
    ckpt.write_bytes(ckpt.read_bytes()[:1000])              # torn (a foreign copy, a bad disk)
    rc, _, err = run(*train_args(scene, cache, tmp_path / "model"))
    assert rc == 0, err
    no_traceback(err)
    assert "cannot be resumed: the file cannot be read" in err and "set aside as" in err
    assert (tmp_path / "model" / "model.safetensors").exists()


def test_restore_generator_takes_its_own_kind_and_reseeds_the_other():
    g = torch.Generator().manual_seed(5)
    own = g.get_state()
    expected = torch.rand(3, generator=g)
    assert restore_generator(g, own, reseed=1) and torch.equal(torch.rand(3, generator=g),
                                                                expected)
    cuda_layout = torch.zeros(CUDA_STATE_BYTES, dtype=torch.uint8)
    assert not restore_generator(g, cuda_layout, reseed=11)
    assert torch.equal(torch.rand(3, generator=g),
                       torch.rand(3, generator=torch.Generator().manual_seed(11)))
    assert not restore_generator(g, torch.zeros(5056, dtype=torch.uint8), reseed=11)  # invalid


# ----------------------------------------------------------------------------- (d) full disk

@pytest.fixture
def small_disk(tmp_path):
    """A folder on a tmpfs of 2 MiB (as root: mounted here, unmounted after), or None where
    mounting is not permitted (the tests then simulate ENOSPC and say so)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    ok = os.geteuid() == 0 and shutil.which("mount") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)],
        capture_output=True).returncode == 0
    if not ok:
        yield None
        return
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
        if os.path.ismount(disk):
            subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def fill(disk: Path, leave: int = 0) -> None:
    """Fill ``disk`` until ``leave`` bytes are free (a file named filler)."""
    free = shutil.disk_usage(disk).free - leave
    with open(disk / "filler", "ab") as fh:
        with contextlib.suppress(OSError):
            while free > 0:
                n = min(free, 1 << 16)
                fh.write(b"\0" * n)
                fh.flush()
                free -= n


def leftovers(disk: Path) -> list:
    return sorted(p.name for p in disk.iterdir() if p.name not in ("filler", "lost+found"))


@cli_test
def test_a_full_disk_under_the_check_outputs_is_a_clear_message_and_no_file(
        scene, small_disk, tmp_path, monkeypatch, capsys):
    ortho, releves = scene
    if small_disk is None:                    # simulated: every write of the report fails
        from botaclip.backend.cli import main

        def full(self, *a, **k):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

        monkeypatch.setattr(Path, "write_text", full)
        rc = main(["check", "--ortho", str(ortho), "--releves", str(releves), "--json-out",
                   str(tmp_path / "disk" / "report.json"), "--quiet"])
        err = capsys.readouterr().err
        warnings.warn("ENOSPC simulated: mounting a tmpfs is not permitted here", stacklevel=1)
    else:
        fill(small_disk)
        rc, _, err = run("check", "--ortho", ortho, "--releves", releves, "--json-out",
                         small_disk / "report.json", "--contact-sheet",
                         small_disk / "sheet.png", "--quiet")
    assert rc == 2, err
    no_traceback(err)
    assert "report.json" in err or "sheet.png" in err
    assert "space" in err and "Free some disk space" in err
    assert leftovers(tmp_path / "disk") == []


@cli_test
@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a tmpfs (root)")
def test_a_full_disk_under_the_model_folder_is_a_clear_message_and_no_folder(
        scene, small_disk, tmp_path):
    assert small_disk is not None, "root could not mount a tmpfs"
    fill(small_disk, leave=64 << 10)           # the report alone needs more than 64 KiB
    rc, _, err = run(*train_args(scene, tmp_path / "cache", small_disk / "model", "--epochs",
                                 2))
    assert rc == 2, err
    no_traceback(err)
    assert str(small_disk / "model") in err
    assert "No space left on device" in err or "Not enough free disk space" in err
    assert "Free some" in err
    assert leftovers(small_disk) == []


@cli_test
@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a tmpfs (root)")
def test_a_full_disk_under_the_feature_cache_is_refused_before_computing_features(
        scene, small_disk, tmp_path):
    assert small_disk is not None, "root could not mount a tmpfs"
    rc, _, err = run(*train_args(scene, small_disk / "cache", tmp_path / "model"))
    assert rc == 2, err
    no_traceback(err)
    assert "feature cache" in err and "--cache-dir" in err
    assert not list(small_disk.rglob("*.npy")) and not (tmp_path / "model").exists()


@cli_test
@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a tmpfs (root)")
def test_a_disk_that_fills_during_an_embedding_ends_clearly_and_the_rerun_completes(
        demo, reference_embedding, tmp_path):
    disk = tmp_path / "disk40"
    disk.mkdir()
    # 40 MiB: the free-space check before the work (output + 32 MiB margin) passes
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)], check=True)
    try:
        args = embed_args(demo, tmp_path / "state", disk / "emb.tif")
        cli = Cli(*args)
        cli.until(lambda: blocks_done(tmp_path / "state") >= 1)   # past the check
        fill(disk)                            # someone else fills the disk meanwhile
        rc, _, err = cli.finish()
        assert rc == 2, err
        no_traceback(err)
        assert f"Cannot write the embedding raster {disk / 'emb.tif'}" in err
        assert "space" in err and "Free some disk space" in err
        assert leftovers(disk) == []                   # no partial raster, no lock file
        (disk / "filler").unlink()
        rc, _, err = run(*args)
        assert rc == 0, err
        assert "4 of 4 blocks already done" in err                 # nothing computed again
        np.testing.assert_array_equal(pixels(disk / "emb.tif"), pixels(reference_embedding))
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


# ----------------------------------------------------------------------------- (e) two runs

@cli_test
def test_two_trainings_into_one_model_folder_the_second_is_refused(
        scene, reference_model, tmp_path):
    first = Cli(*train_args(scene, tmp_path / "cache1", tmp_path / "model"))
    first.until(lambda: "features:" in first.err)          # holds the lock, mid-work
    rc, _, err = run(*train_args(scene, tmp_path / "cache2", tmp_path / "model"))
    assert rc == 2, err
    assert f"is writing the model folder {tmp_path / 'model'}" in err
    assert f"process {first.proc.pid}" in err and "another output name" in err
    assert not (tmp_path / "cache2").exists()                # refused before any work
    rc, _, err = first.finish()
    assert rc == 0, err
    same_model(tmp_path / "model", reference_model[0])      # the first, unharmed


@cli_test
def test_two_embeddings_into_one_raster_the_second_is_refused(
        demo, reference_embedding, tmp_path):
    out = tmp_path / "emb.tif"
    first = Cli(*embed_args(demo, tmp_path / "state1", out))
    first.until(lambda: blocks_done(tmp_path / "state1") >= 1)
    # the same job (same state: its own lock) and another job with the same output
    rc, _, err = run(*embed_args(demo, tmp_path / "state1", out))
    assert rc == 2 and f"process {first.proc.pid}" in err, err
    rc, _, err = run(*embed_args(demo, tmp_path / "state2", out, "--stride-m", 20))
    assert rc == 2 and f"is writing the embedding raster {out}" in err, err
    rc, _, err = first.finish()
    assert rc == 0, err
    np.testing.assert_array_equal(pixels(out), pixels(reference_embedding))


@cli_test
def test_two_checks_writing_one_report_the_second_is_refused(scene, tmp_path):
    ortho, releves = scene
    args = ["check", "--ortho", ortho, "--releves", releves, "--json-out",
            tmp_path / "report.json"]
    first = Cli(*args)
    first.until(lambda: "Reading the relevés" in first.err)
    rc, _, err = run(*args)
    assert rc == 2 and f"process {first.proc.pid}" in err and "report.json" in err, err
    rc, _, err = first.finish()
    assert rc == 0, err
    assert json.loads((tmp_path / "report.json").read_text())["plots_total"] == N_PLOTS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_an_output_lock_is_taken_over_after_a_kill_and_its_temporaries_removed(tmp_path):
    out = tmp_path / "emb.tif"
    stale = [tmp_path / ".emb.partial-0123abcd.tif", tmp_path / ".emb.partial-0123abcd.tif.aux.xml"]
    for p in stale:
        p.write_bytes(b"half")
    mine = tmp_path / ".emb.partial-notours.tif"
    mine.write_bytes(b"not ours")
    lock_path(out).write_text("999999999")          # left by a killed run: no OS lock held
    assert sorted(stale_temporaries(out)) == sorted(stale)
    flag = CancelFlag()
    with hold_outputs(out, progress=flag):
        assert lock_path(out).read_text() == str(os.getpid())
        assert not any(p.exists() for p in stale) and mine.exists()
    assert not lock_path(out).exists()


# ----------------------------------------------------------------------------- (f) SIGTERM

@cli_test
def test_sigterm_during_an_embedding_is_a_cancel(demo, reference_embedding, tmp_path):
    out = tmp_path / "out" / "emb.tif"
    out.parent.mkdir()
    args = embed_args(demo, tmp_path / "state", out)
    cli = Cli(*args)
    cli.until(lambda: blocks_done(tmp_path / "state") >= 1)
    cli.proc.send_signal(signal.SIGTERM)
    rc, _, err = cli.finish()
    assert rc == 130, err
    no_traceback(err)
    assert "botaclip: cancelled (SIGTERM); no partial output was left" in err
    assert "run the same command again to continue" in err
    assert list(out.parent.iterdir()) == []                  # no output, temporary nor lock
    assert not list((tmp_path / "state").glob("*/lock"))     # the state's lock released
    rc, _, err = run(*args)
    assert rc == 0 and "blocks already done" in err, err
    np.testing.assert_array_equal(pixels(out), pixels(reference_embedding))


@cli_test
def test_sigterm_during_feature_extraction_is_a_cancel_that_keeps_the_features(
        scene, tmp_path):
    cli = Cli(*train_args(scene, tmp_path / "cache", tmp_path / "model"))
    cli.until(lambda: "features: 40/" in cli.err)
    cli.proc.send_signal(signal.SIGTERM)
    rc, _, err = cli.finish()
    assert rc == 130, err
    no_traceback(err)
    assert "cancelled (SIGTERM)" in err and "run the same command again" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]   # no model, no lock
    kept = sum(len(np.load(p)) for p in chunks(tmp_path / "cache"))
    assert kept >= 40                                        # the batches done were saved
