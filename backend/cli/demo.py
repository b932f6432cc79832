"""`botaclip demo-data` (write the synthetic demo landscape) and `botaclip demo` (the whole
job on it, ending in the QGIS project demo.qgz)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..errors import BotaclipError
from .options import add_overwrite_option, terminal_progress


def register_demo_data(sub) -> None:
    """Add the demo-data subcommand to the `botaclip` parser."""
    p = sub.add_parser("demo-data", help="write the synthetic demo landscape")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder to write into (a folder holding other files is refused "
                   "unless --overwrite; demo files written before are replaced)")
    add_overwrite_option(p, "a file or folder")
    p.add_argument("--size-m", type=float, default=2000.0, help="side of the scene in metres")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo_data)


def register_demo(sub) -> None:
    """Add the demo subcommand to the `botaclip` parser."""
    p = sub.add_parser("demo", help="run the whole job on the synthetic demo landscape")
    p.add_argument("--out", default="demo-out", metavar="DIR")
    add_overwrite_option(p, "a file or folder")
    p.add_argument("--quick", action="store_true",
                   help="the same chain on the scene at 2 m pixels, 20 epochs, a 25 m stride "
                   "(a few minutes)")
    p.add_argument("--size-m", type=float, default=2000.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--backbone", help="backbone to train on (default: dofa-base when its "
                   "weights are found, else spectral)")
    p.add_argument("--weights", metavar="PATH|none", help="backbone weights file, or none")
    p.add_argument("--weights-dir", metavar="DIR", help="folder holding the DOFA weights")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 50)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.set_defaults(func=cmd_demo)


def cmd_demo_data(args) -> int:
    from ..demo import generate_demo_data

    res = generate_demo_data(args.out, size_m=args.size_m, seed=args.seed,
                             overwrite=args.overwrite,
                             progress=terminal_progress(args))
    print(f"Synthetic demo landscape written to {res.out_dir}: {res.n_releves} relevés, "
          f"{len(res.taxa)} taxa.", file=sys.stderr)
    return 0


def cmd_demo(args) -> int:
    """The whole job on the built-in demo landscape (:mod:`..demo.chain`), then the QGIS
    project ``demo.qgz`` written by the plugin's project writer in a separate QGIS Python
    (the backend never imports qgis)."""
    from ..demo.chain import DemoSettings, run_chain
    from ..progress import TerminalProgress

    out = Path(args.out)
    settings = DemoSettings(out=out, quick=args.quick, size_m=args.size_m, seed=args.seed,
                            backbone=args.backbone, weights=args.weights,
                            weights_dir=args.weights_dir, epochs=args.epochs,
                            device=args.device, overwrite=args.overwrite)
    t0 = time.perf_counter()
    run = run_chain(settings, TerminalProgress())
    project = write_project(out / "demo-project.json", out / "demo.qgz")
    print("Steps (seconds, headline):")
    for line in run.headlines:
        print(f"  {line}")
    print(f"Whole demo: {time.perf_counter() - t0:.0f} s. Outputs in {out}.")
    if project is not None:
        print(f"Open {project} in QGIS (Project > Open...)")
    return 0


def write_project(spec: Path, out: Path) -> Path | None:
    """Run ``python -m botaclip.plugin.project_writer SPEC OUT`` offscreen; None (and how to
    write it later) when this Python has no QGIS (a backend-only install) or it failed."""
    import importlib.util
    import os
    import subprocess

    later = (f"To write it later, run with QGIS's Python: python -m "
             f"botaclip.plugin.project_writer {spec} {out}")
    if importlib.util.find_spec("qgis") is None:
        print(f"The QGIS project was not written: this Python has no QGIS (PyQGIS). {later}",
              file=sys.stderr)
        return None
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "botaclip.plugin.project_writer", str(spec),
                           str(out)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BotaclipError(f"The QGIS project {out} could not be written: "
                            f"{' '.join(tail)}. {later}")
    return out
