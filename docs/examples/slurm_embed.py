"""Embed a département's orthophoto on a SLURM cluster with dask-jobqueue (a worked example).

Run it on a login node (or in a small job) of a cluster whose nodes share a file system
(Lustre, GPFS, NFS) holding the orthophoto mosaic and the output folder:

    pip install "dask-jobqueue"            # in the same environment as BotaCLIP
    python slurm_embed.py /shared/bdortho/D038/mosaic.vrt /shared/out/D038_emb.tif \
        --model /shared/models/alps_bundle --jobs 8

Each SLURM job runs one Dask worker process (one task at a time: a tile keeps the job's
cores busy through torch's own threads). The run is the one `botaclip embed --scheduler`
makes: the same raster as a single machine, written tile by tile into D038_emb.tiles/, a
tile lost with a pre-empted job computed again elsewhere, and a stopped run (Ctrl-C, the
login session gone) continued by running the same command again. The client only plans,
records and mosaics: it needs no GPU and little memory.

GPU partition: set ``--gpus 1`` (one GPU per job, one worker per GPU) and ``--device cuda``;
the precision is checked once on a worker (bfloat16 where it agrees with float32) and each
worker chooses its batch size from its GPU's free memory.

Equivalent without this script: start the cluster by hand (`dask scheduler
--scheduler-file /shared/sched.json` in one job, `dask worker --scheduler-file
/shared/sched.json --nworkers 1 --nthreads 1` in the others) and run
`botaclip embed ... --scheduler /shared/sched.json`.
"""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ortho", help="orthophoto or VRT mosaic on the shared file system")
    ap.add_argument("out", help="embedding COG to write (its tiles go beside it, OUT.tiles/)")
    ap.add_argument("--model", required=True, help="trained model bundle (shared path)")
    ap.add_argument("--jobs", type=int, default=8, help="SLURM jobs = Dask workers")
    ap.add_argument("--cores", type=int, default=16, help="cores per job")
    ap.add_argument("--memory", default="32GB", help="memory per job")
    ap.add_argument("--gpus", type=int, default=0, help="GPUs per job (0: CPU partition)")
    ap.add_argument("--partition", default=None, help="SLURM partition (queue)")
    ap.add_argument("--walltime", default="12:00:00", help="per job; tiles resume anyway")
    ap.add_argument("--device", default="auto", help="cpu, cuda or auto")
    ap.add_argument("--keep-tiles", action="store_true",
                    help="keep the tiles and write OUT.vrt instead of one COG")
    args = ap.parse_args(argv)

    from dask_jobqueue import SLURMCluster
    from distributed import Client

    from botaclip.backend.distributed import embed_distributed
    from botaclip.backend.errors import BotaclipError
    from botaclip.backend.progress import TerminalProgress

    extra = [f"--gres=gpu:{args.gpus}"] if args.gpus else []
    cluster = SLURMCluster(
        cores=args.cores, processes=1, memory=args.memory, queue=args.partition,
        walltime=args.walltime, job_extra_directives=extra,
        # one task per worker; torch uses the job's cores (BotaCLIP sets its threads)
        worker_extra_args=["--nthreads", "1"])
    cluster.scale(jobs=args.jobs)
    try:
        with Client(cluster) as client:
            res = embed_distributed(args.ortho, args.out, scheduler=client, model=args.model,
                                    device=args.device, keep_tiles=args.keep_tiles,
                                    progress=TerminalProgress())
    except BotaclipError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    finally:
        cluster.close()
    print(f"{res.out}: {res.n_patches} patches in {res.n_tiles} tiles "
          f"({res.tiles_computed} computed, {res.tiles_resumed} resumed), "
          f"{res.patches_per_s:.1f} patches/s over {res.workers} workers.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
