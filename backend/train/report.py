"""The training report: ``report.json`` for machines, ``report.html`` with PNG plots for people.

Plots (PNG files beside the HTML): loss curves, test recall against the untrained model and
chance (with the validation recall that chose the epoch beside it), validation recall per
epoch, and a 2-D PCA of the validation image embeddings coloured by each plot's commonest
taxon. The figure the report leads with is the test score: plots in their own spatial
blocks, beyond a buffer from every training plot, used neither to train nor to choose the
epoch. Matplotlib is used through its object API on the Agg canvas, so the
report never changes the backend of the process it runs in (QGIS).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from ..bundle import to_jsonable
from ..errors import BotaclipError
from ..io.atomic import atomic_output
from .metrics import mean_recall

N_COLOURED = 10
_DIRS = (("img2rel", "image → relevé"), ("rel2img", "relevé → image"))
_STEPS = {"check_s": "checking the plots", "backbone_s": "preparing the backbone",
          "features_s": "backbone features", "train_s": "training", "write_s": "writing"}


def format_duration(seconds) -> str:
    """``0.4 s``, ``12 s``, ``1 min 12 s``, ``2 h 05 min``: a duration for people."""
    try:
        seconds = float(seconds)
    except (TypeError, ValueError):
        return "unknown"
    if not np.isfinite(seconds) or seconds < 0:
        return "unknown"
    if seconds < 9.95:
        return f"{seconds:.1f} s" if seconds < 0.95 else f"{seconds:.0f} s"
    total = int(round(seconds))
    if total < 60:
        return f"{total} s"
    if total < 3600:
        minutes, secs = divmod(total, 60)
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, rest = divmod(total, 3600)
    return f"{hours} h {rest // 60:02d} min"


def total_seconds(timings) -> float:
    """The sum of a timings record: a dict of seconds per step, or a list of seconds per
    epoch (``TrainResult.timings``). Non-numeric entries are ignored."""
    if timings is None:
        return 0.0
    values = timings.values() if isinstance(timings, dict) else timings
    total = 0.0
    for v in values:
        try:
            v = float(v)
        except (TypeError, ValueError):
            continue
        if np.isfinite(v):
            total += v
    return total


def percent(value, decimals: int = 1) -> str:
    """A fraction as a percentage with one decimal, as the plugin's messages show it:
    ``0.407`` -> ``40.7 %`` (a dash for a missing or NaN value)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if not np.isfinite(value) else f"{100.0 * value:.{decimals}f} %"


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    try:                # the layout engine keeps every axis's labels clear of its neighbours
        fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    except TypeError:   # matplotlib < 3.5
        fig = Figure(figsize=(width, height), dpi=110, constrained_layout=True)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> Path:
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight", pad_inches=0.15)
    return path


def _series(history, key):
    pts = [(h["epoch"], h[key]) for h in history if h.get(key) is not None]
    return [p[0] for p in pts], [p[1] for p in pts]


def _integer_epochs(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _percent_axis(ax) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0, symbol=" %"))


def plot_losses(history, best_epoch: int, path: Path) -> Path:
    fig = _figure(11, 3.6)
    axes = fig.subplots(1, 3)
    for ax, (key, title) in zip(axes, (("loss", "total loss"), ("contrastive", "contrastive"),
                                       ("regulariser", "similarity regulariser"))):
        for split, style in (("train", "-"), ("val", "--")):
            xs, ys = _series(history, f"{split}_{key}")
            if xs:
                ax.plot(xs, ys, style, marker="o" if len(xs) < 15 else None, ms=3,
                        label="training" if split == "train" else "validation")
        ax.axvline(best_epoch, color="grey", lw=0.8, ls=":", label=f"kept (epoch {best_epoch})")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        _integer_epochs(ax)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("loss")
    axes[0].legend(fontsize=8)
    return _save(fig, path)


def plot_recall(result, path: Path) -> Path:
    m = result.metrics
    ks = (1, 5, 10)
    fig = _figure(11, 4.2)
    ax_bar, ax_line = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    # the direction under the middle tick of its group: a tick label, so the layout sees it
    labels = [f"@{k}" + (f"\n{name}" if j == len(ks) // 2 else "")
              for _, name in _DIRS for j, k in enumerate(ks)]
    keys = [f"{short}@{k}" for short, _ in _DIRS for k in ks]
    x = np.arange(len(keys))
    width = 0.2
    bars_of = (("test_chance", "#bbbbbb", "chance (test)"),
               ("test_untrained", "#8da0cb", "untrained (test)"),
               ("test", "#1b9e77", f"trained, epoch {result.best_epoch} (test)"),
               ("best", "#b3dfd2", "trained (validation: chose the epoch)"))
    for i, (name, colour, label) in enumerate(bars_of):
        vals = [m.get(name, {}).get(k, np.nan) for k in keys]
        bars = ax_bar.bar(x + (i - 1.5) * width, vals, width, color=colour, label=label)
        if name == "test":
            for b, v in zip(bars, vals):
                if np.isfinite(v):
                    ax_bar.text(b.get_x() + b.get_width() / 2, v + 0.01, percent(v),
                                ha="center", va="bottom", fontsize=7)
    ax_bar.set_xticks(x)
    ax_bar.set_xticklabels(labels, fontsize=8)
    ax_bar.axvline(len(ks) - 0.5, color="#999999", lw=0.8)
    ax_bar.set_ylim(0, 1.32)                  # the strip above 100 % holds the legend
    ax_bar.set_yticks(np.linspace(0, 1, 6))
    _percent_axis(ax_bar)
    ax_bar.set_ylabel("plots found")
    ax_bar.set_title("right partner among the k nearest (recall@k), test plots")
    ax_bar.legend(fontsize=7, ncol=2, loc="upper center")
    for short, name in _DIRS:
        xs, ys = _series(result.history, f"{short}@10")
        ax_line.plot(xs, ys, label=f"{name} @10")
    ax_line.axvline(result.best_epoch, color="grey", lw=0.8, ls="--",
                    label=f"kept (epoch {result.best_epoch})")
    ax_line.axhline(m["chance"]["img2rel@10"], color="grey", ls=":", label="chance @10")
    ax_line.set_xlabel("epoch")
    _integer_epochs(ax_line)
    ax_line.set_ylim(0, 1.32)
    ax_line.set_yticks(np.linspace(0, 1, 6))
    _percent_axis(ax_line)
    ax_line.set_title("validation recall@10 during training")
    ax_line.grid(alpha=0.3)
    ax_line.legend(fontsize=7, ncol=3, loc="upper center", handlelength=1.5,
                   columnspacing=1.0)
    return _save(fig, path)


def pca_2d(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(coordinates [N, 2], explained variance ratios [2]) of a centred PCA."""
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    var = s ** 2
    ratio = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    return x @ vt[:2].T, ratio


def plot_pca(emb: np.ndarray, labels, path: Path) -> tuple[Path, list[str]]:
    coords, ratio = pca_2d(emb)
    fig = _figure(7.5, 5.5)
    ax = fig.subplots()
    top: list[str] = []
    if labels is None:
        ax.scatter(coords[:, 0], coords[:, 1], s=6, color="#1b9e77", alpha=0.7, lw=0)
    else:
        labels = np.asarray([str(v) for v in labels])
        names, counts = np.unique(labels, return_counts=True)
        top = [str(n) for n in names[np.argsort(-counts, kind="stable")][:N_COLOURED]]
        other = ~np.isin(labels, top)
        ax.scatter(coords[other, 0], coords[other, 1], s=5, color="#cccccc", lw=0,
                   label=f"other taxa ({int(other.sum())} plots)")
        from matplotlib import colormaps

        cmap = colormaps["tab10"]
        for i, name in enumerate(top):
            sel = labels == name
            ax.scatter(coords[sel, 0], coords[sel, 1], s=9, color=cmap(i), lw=0,
                       label=f"{name} ({int(sel.sum())})")
        ax.legend(fontsize=7, markerscale=2, loc="center left", bbox_to_anchor=(1.01, 0.5),
                  title="commonest taxon", title_fontsize=8)
    ax.set_xlabel(f"PC 1 ({100 * ratio[0]:.0f} % of variance)")
    ax.set_ylabel(f"PC 2 ({100 * ratio[1]:.0f} % of variance)")
    ax.set_title("validation image embeddings (PCA)")
    ax.grid(alpha=0.3)
    return _save(fig, path), top


def _val_labels(val_labels, result):
    if val_labels is None:
        return None
    val_labels = list(val_labels)
    n_val, n_all = len(result.val_idx), result.extra.get("n_plots")
    if len(val_labels) == n_val:
        return val_labels
    if n_all is not None and len(val_labels) == n_all:
        return [val_labels[i] for i in result.val_idx]
    raise BotaclipError(f"val_labels has {len(val_labels)} labels; give one per validation "
                        f"plot ({n_val}) or one per plot ({n_all}).")


def write_training_report(out_dir, result, meta: dict | None = None,
                          val_labels=None, *, timings: dict | None = None) -> dict:
    """Write report.json, report.html and its PNGs into ``out_dir``; return their paths.

    ``val_labels``: each validation plot's commonest taxon (in ``result.val_idx`` order), or
    one label per plot of the training data; the PCA colours the 10 most frequent labels.
    ``timings``: seconds per step of the whole run so far (``train_model``'s ``check_s``,
    ``backbone_s``, ``features_s``, ``train_s``), so that the HTML states how long the run
    took; without it the HTML states the training epochs' time (``result.timings``).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = _val_labels(val_labels, result)
    paths = {"loss_plot": plot_losses(result.history, result.best_epoch,
                                      out_dir / "training_loss.png"),
             "recall_plot": plot_recall(result, out_dir / "training_recall.png")}
    top: list[str] = []
    if result.val_image_embeddings is not None:
        paths["pca_plot"], top = plot_pca(result.val_image_embeddings, labels,
                                          out_dir / "training_pca.png")
    summary = _summary(result)
    report = {"summary": summary, "metrics": result.metrics, "best_epoch": result.best_epoch,
              "stopped_early": result.stopped_early, "history": result.history,
              "timings_s_per_epoch": result.timings, "device": result.device,
              "config": result.config.__dict__, "split": {
                  **result.split,
                  "train_idx": np.asarray(result.train_idx).tolist(),
                  "val_idx": np.asarray(result.val_idx).tolist(),
                  "test_idx": np.asarray(result.test_idx).tolist(),
                  "buffer_idx": np.asarray(result.buffer_idx).tolist()},
              "pca_coloured_taxa": top, "meta": meta or {},
              "files": {k: p.name for k, p in paths.items()}}
    paths["json"] = out_dir / "report.json"
    with atomic_output(paths["json"]) as tmp:
        tmp.write_text(json.dumps(to_jsonable(report), indent=2, ensure_ascii=False,
                                  allow_nan=False) + "\n", encoding="utf-8")
    paths["html"] = out_dir / "report.html"
    with atomic_output(paths["html"]) as tmp:
        tmp.write_text(_html(result, summary, paths, meta or {}, timings), encoding="utf-8")
    return paths


def _summary(result) -> dict:
    """report.json's ``summary`` (a contract: keys are only added, never changed; recalls
    are fractions; ``seconds`` is the training epochs' time, the sum of ``result.timings``).
    ``val_*``: the validation plots, which chose the epoch (the selection score);
    ``test_*``: the test plots, the figure to quote."""
    m, split = result.metrics, result.split
    return {"plots_train": int(len(result.train_idx)), "plots_val": int(len(result.val_idx)),
            "epochs_trained": len(result.history) - 1, "best_epoch": int(result.best_epoch),
            "val_R@10_trained": mean_recall(m["best"], 10),
            "val_R@10_untrained": mean_recall(m["untrained"], 10),
            "val_R@10_chance": m["chance"]["img2rel@10"],
            "seconds": total_seconds(result.timings), "device": result.device,
            "plots_test": split["n_test"], "plots_buffer": split["n_buffer"],
            "buffer_m": split["buffer_m"], "block_m": split["block_m"],
            "test_R@10_trained": mean_recall(m["test"], 10),
            "test_R@10_untrained": mean_recall(m["test_untrained"], 10),
            "test_R@10_chance": m["test_chance"]["img2rel@10"],
            "training_precision": str(result.config.precision),
            "scoring_precision": result.extra.get("scoring_precision", "float32")}


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;
line-height:1.45}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em}
table{border-collapse:collapse;font-size:.92em}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #eee}p.note{color:#555;font-size:.92em}
p.lead{font-size:1.08em}"""


def _pct(value) -> str:
    """:func:`percent` for HTML: a no-break space before the sign."""
    return percent(value).replace(" %", "&nbsp;%")


def _device_name(device) -> str:
    device = str(device or "")
    return {"cpu": "the CPU", "cuda": "the GPU (CUDA)", "mps": "the GPU (Apple MPS)"}.get(
        device, html.escape(device) or "an unstated device")


def _step_name(key) -> str:
    key = str(key)
    if key in _STEPS:
        return _STEPS[key]
    return (key[:-2] if key.endswith("_s") else key).replace("_", " ")


def _duration_text(result, timings) -> str:
    """The sentence saying how long the run (or, without ``timings``, the training) took."""
    device = _device_name(result.device)
    if timings:
        parts = [f"{_step_name(k)} {format_duration(v)}" for k, v in timings.items()
                 if isinstance(v, (int, float)) and np.isfinite(v)]
        return (f"Up to this report, the run took {format_duration(total_seconds(timings))} "
                f"on {device}"
                + (f" ({', '.join(html.escape(p) for p in parts)})" if parts else "") + ".")
    n = len(result.timings or ())
    return (f"Training took {format_duration(total_seconds(result.timings))} on {device} "
            f"({n} epoch{'s' if n != 1 else ''}; reading the orthophoto and computing the "
            "backbone features come on top).")


def _plain_recall(m: dict, n_test: int, k: int = 10) -> str:
    """recall@k on the test plots once in plain words, with the figures the plugin's
    messages give, and the validation figure named for what it is."""
    i2r, r2i = f"img2rel@{k}", f"rel2img@{k}"
    if i2r not in m["test"]:
        return ""
    return (f"Shown the photograph of a test plot, which it never saw and which played no "
            f"part in choosing the model, the trained model finds that plot's own relevé "
            f"among its {k} nearest relevés for <b>{_pct(m['test'][i2r])}</b> of the "
            f"{n_test} test plots; picking {k} at random would find it for "
            f"{_pct(m['test_chance'][i2r])}, and the model before training found it for "
            f"{_pct(m['test_untrained'][i2r])}. The other way round, from a relevé to its "
            f"photograph, it finds {_pct(m['test'].get(r2i))} (untrained "
            f"{_pct(m['test_untrained'].get(r2i))}). On the validation plots, which chose "
            f"the epoch kept and so tend to flatter it, it finds {_pct(m['best'][i2r])} (the "
            f"selection score).")


def _split_text(s: dict, c, patch_m) -> str:
    """Where the plots went, in a sentence, and what the buffer guarantees."""
    try:
        patch_m = float(patch_m)
    except (TypeError, ValueError):
        patch_m = None
    if not s["buffer_m"]:
        buffered = (". No buffer was kept between training and held-out plots: a training "
                    "patch may overlap a validation or test patch across a block border, which "
                    "may flatter the model")
    elif patch_m is None:
        buffered = (f", and {s['plots_buffer']} training plots closer than {s['buffer_m']:g} "
                    "m to a validation or test plot (along both axes) were left out")
    elif s["buffer_m"] >= patch_m:
        buffered = (f", and {s['plots_buffer']} training plots closer than {s['buffer_m']:g} "
                    "m to a validation or test plot (along both axes) were left out: no "
                    "training patch shares a pixel with a validation or test patch (patches "
                    f"of {patch_m:g} m)")
    else:
        buffered = (f", and {s['plots_buffer']} training plots closer than {s['buffer_m']:g} "
                    "m to a validation or test plot were left out; the buffer is smaller than "
                    f"the {patch_m:g} m patch, so training and held-out patches may overlap "
                    "and the test figure may flatter the model")
    return (f"{s['plots_train']} plots were used for training, {s['plots_val']} validation "
            f"plots chose the epoch to keep, and {s['plots_test']} test plots measured the "
            f"result; the three lie in separate spatial blocks of {c.block_m:g} m"
            f"{buffered}. Training "
            f"steps ran in {html.escape(s['training_precision'])}; every score is computed in "
            f"{html.escape(s['scoring_precision'])}.")


def _recall_rows(m: dict) -> str:
    """The table rows: test chance, untrained, trained, then validation trained."""
    ks = [k for k in (1, 5, 10) if f"img2rel@{k}" in m["test"]]
    return "".join(
        f'<tr><td align="left">{html.escape(name)} recall@{k} ({short}@{k})</td>'
        f"<td>{_pct(m['test_chance'].get(f'{short}@{k}'))}</td>"
        f"<td>{_pct(m['test_untrained'].get(f'{short}@{k}'))}</td>"
        f"<td><b>{_pct(m['test'].get(f'{short}@{k}'))}</b></td>"
        f"<td>{_pct(m['best'].get(f'{short}@{k}'))}</td></tr>"
        for short, name in _DIRS for k in ks)


def _settings_table(c) -> str:
    esc = html.escape
    rows = "".join(f'<tr><td align="left">{esc(str(k))}</td>'
                   f"<td>{esc(json.dumps(to_jsonable(v)))}</td></tr>"
                   for k, v in to_jsonable(c.__dict__).items())
    return f'<table><tr><th align="left">setting</th><th>value</th></tr>{rows}</table>'


def _html(result, s: dict, paths: dict, meta: dict, timings: dict | None = None) -> str:
    m, c = result.metrics, result.config
    esc = html.escape
    backbone = meta.get("backbone")
    if isinstance(backbone, dict):
        backbone = backbone.get("name", "")
    epochs = s["epochs_trained"]
    stop = (f"training stopped early after epoch {epochs} (no better validation result for "
            f"{c.patience} epochs)" if result.stopped_early else
            f"training ran {epochs} epoch{'s' if epochs != 1 else ''}")
    stop = stop[:1].upper() + stop[1:]
    kept = (f"the model kept is the one of epoch {s['best_epoch']}, the best on the "
            f"validation plots (recall@{c.select_k})" if s["best_epoch"] > 0 else
            "no epoch did better on the validation plots than the untrained model, so the "
            "model kept is the untrained one (epoch 0): more or more varied relevés may help")
    img = {k: esc(p.name) for k, p in paths.items()}
    pca = ""
    if "pca_plot" in img:
        pca = f"""<h2>3. Map of the validation plots in embedding space</h2>
<img src="{img['pca_plot']}" alt="PCA of validation embeddings">
<p>Each dot is a validation plot placed by the first two principal components of its image
embedding, coloured by the taxon with the highest cover in its relevé (the ten most frequent
such taxa; the others are grey). Plots dominated by the same taxon gathering in one region
mean the embedding of the photograph alone already tells these communities apart.</p>"""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>BotaCLIP training report</title>
<style>{_CSS}</style></head><body>
<h1>BotaCLIP training report</h1>
<p class="lead">{_plain_recall(m, s['plots_test'])}</p>
<p>The model learned to give an orthophoto patch and the relevé of the plot at its centre
similar embeddings. {_split_text(s, c, meta.get('patch_m'))} {stop}; {kept}. Backbone:
{esc(str(backbone or 'not stated'))}. {_duration_text(result, timings)}</p>
<h2>Details: retrieval on the test plots</h2>
<table><tr><th align="left">direction and measure</th><th>chance (test)</th>
<th>untrained (test)</th><th>trained (test)</th><th>trained (validation: selection)</th></tr>
{_recall_rows(m)}</table>
<p class="note">Recall@k: the share of test plots whose true partner (its relevé for a
photograph, its photograph for a relevé) is among the k most similar of all
{s['plots_test']} test plots. Chance is k / {s['plots_test']}. The last column is the same
measure on the {s['plots_val']} validation plots, which chose the epoch kept: a selection
score, which tends to be higher than what new plots give; quote the test figures.</p>
<h2>1. Learning curves</h2>
<img src="{img['loss_plot']}" alt="loss curves">
<p>The contrastive loss falls as images and relevés of the same plot are pulled together
and those of different plots pushed apart; the regulariser stays small when the adapter keeps
the backbone's notion of which patches look alike. A validation curve that rises while the
training curve keeps falling is overfitting: the kept model is the best validation epoch
(dotted line).</p>
<h2>2. Retrieval against the untrained model and chance</h2>
<img src="{img['recall_plot']}" alt="recall bars">
<p>The bars compare retrieval on the test plots for a random guess, the model before
training and the trained model, in both directions; the pale bars are the trained model on
the validation plots, which chose the epoch. The gap between the green and the grey and blue
bars is what training learned from your relevés, measured on plots that played no part in
training or in choosing the model. On the right, validation recall per epoch: the
epoch kept is where it peaked.</p>
{pca}
<h2>Settings</h2>
{_settings_table(c)}
<p class="note">Machine-readable figures (recalls as fractions): report.json.</p>
</body></html>
"""
