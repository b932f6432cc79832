"""The training report: ``report.json`` for machines, ``report.html`` with PNG plots for people.

Plots (PNG files beside the HTML): loss curves, validation recall against the untrained model
and chance, and a 2-D PCA of the validation image embeddings coloured by each plot's
commonest taxon. Matplotlib is used through its object API on the Agg canvas, so the
report never changes the backend of the process it runs in (QGIS).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from .bundle import to_jsonable
from .io.atomic import atomic_output

N_COLOURED = 10
_DIRS = (("img2rel", "image → relevé"), ("rel2img", "relevé → image"))


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> Path:
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight")
    return path


def _series(history, key):
    pts = [(h["epoch"], h[key]) for h in history if h.get(key) is not None]
    return [p[0] for p in pts], [p[1] for p in pts]


def plot_losses(history, best_epoch: int, path: Path) -> Path:
    fig = _figure(11, 3.4)
    axes = fig.subplots(1, 3)
    for ax, (key, title) in zip(axes, (("loss", "total loss"), ("contrastive", "contrastive"),
                                       ("regulariser", "similarity regulariser"))):
        for split, style in (("train", "-"), ("val", "--")):
            xs, ys = _series(history, f"{split}_{key}")
            if xs:
                ax.plot(xs, ys, style, marker="o" if len(xs) < 15 else None, ms=3,
                        label="training" if split == "train" else "validation")
        ax.axvline(best_epoch, color="grey", lw=0.8, ls=":", label=f"best (epoch {best_epoch})")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    return _save(fig, path)


def plot_recall(result, path: Path) -> Path:
    m = result.metrics
    ks = (1, 5, 10)
    fig = _figure(11, 3.6)
    ax_bar, ax_line = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    labels = [f"@{k}" for _ in _DIRS for k in ks]
    keys = [f"{short}@{k}" for short, _ in _DIRS for k in ks]
    x = np.arange(len(keys))
    width = 0.27
    for i, (name, colour) in enumerate((("chance", "#bbbbbb"), ("untrained", "#8da0cb"),
                                        ("best", "#1b9e77"))):
        vals = [m[name].get(k, np.nan) for k in keys]
        bars = ax_bar.bar(x + (i - 1) * width, vals, width, color=colour,
                          label={"best": f"trained (epoch {result.best_epoch})"}.get(name, name))
        if name == "best":
            for b, v in zip(bars, vals):
                ax_bar.text(b.get_x() + b.get_width() / 2, v + 0.01, f"{v:.2f}", ha="center",
                            va="bottom", fontsize=7)
    ax_bar.set_xticks(x, labels, fontsize=8)
    for i, (_, name) in enumerate(_DIRS):      # one caption under each direction's group
        ax_bar.text(i * len(ks) + (len(ks) - 1) / 2, -0.11, name, ha="center", va="top",
                    fontsize=9, transform=ax_bar.get_xaxis_transform())
    ax_bar.axvline(len(ks) - 0.5, color="#999999", lw=0.8)
    ax_bar.set_ylim(0, 1.1)
    ax_bar.set_ylabel("recall on validation plots")
    ax_bar.set_title("retrieval recall@k, validation")
    ax_bar.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    for short, name in _DIRS:
        xs, ys = _series(result.history, f"{short}@10")
        ax_line.plot(xs, ys, label=f"{name} @10")
    ax_line.axhline(m["chance"]["img2rel@10"], color="grey", ls=":", label="chance @10")
    ax_line.set_xlabel("epoch")
    ax_line.set_ylim(0, 1.02)
    ax_line.set_title("recall@10 during training")
    ax_line.grid(alpha=0.3)
    ax_line.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
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
    from .errors import BotaclipError
    raise BotaclipError(f"val_labels has {len(val_labels)} labels; give one per validation "
                        f"plot ({n_val}) or one per plot ({n_all}).")


def write_training_report(out_dir, result, meta: dict | None = None,
                          val_labels=None) -> dict:
    """Write report.json, report.html and its PNGs into ``out_dir``; return their paths.

    ``val_labels``: each validation plot's commonest taxon (in ``result.val_idx`` order), or
    one label per plot of the training data; the PCA colours the 10 most frequent labels.
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
                  "train_idx": np.asarray(result.train_idx).tolist(),
                  "val_idx": np.asarray(result.val_idx).tolist()},
              "pca_coloured_taxa": top, "meta": meta or {},
              "files": {k: p.name for k, p in paths.items()}}
    paths["json"] = out_dir / "report.json"
    with atomic_output(paths["json"]) as tmp:
        tmp.write_text(json.dumps(to_jsonable(report), indent=2, ensure_ascii=False,
                                  allow_nan=False) + "\n", encoding="utf-8")
    paths["html"] = out_dir / "report.html"
    with atomic_output(paths["html"]) as tmp:
        tmp.write_text(_html(result, summary, paths, meta or {}), encoding="utf-8")
    return paths


def _summary(result) -> dict:
    m = result.metrics
    return {"plots_train": int(len(result.train_idx)), "plots_val": int(len(result.val_idx)),
            "epochs_trained": len(result.history) - 1, "best_epoch": int(result.best_epoch),
            "val_R@10_trained": 0.5 * (m["best"]["img2rel@10"] + m["best"]["rel2img@10"]),
            "val_R@10_untrained": 0.5 * (m["untrained"]["img2rel@10"]
                                         + m["untrained"]["rel2img@10"]),
            "val_R@10_chance": m["chance"]["img2rel@10"],
            "seconds": float(sum(result.timings)), "device": result.device}


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;
line-height:1.45}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em}
table{border-collapse:collapse;font-size:.92em}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #eee}p.note{color:#555;font-size:.92em}"""


def _html(result, s: dict, paths: dict, meta: dict) -> str:
    m, c = result.metrics, result.config
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(name)} @{k}</td><td>{m['chance'][f'{short}@{k}']:.3f}</td>"
        f"<td>{m['untrained'][f'{short}@{k}']:.3f}</td><td><b>{m['best'][f'{short}@{k}']:.3f}"
        f"</b></td></tr>" for short, name in _DIRS for k in (1, 5, 10))
    backbone = meta.get("backbone")
    if isinstance(backbone, dict):
        backbone = backbone.get("name", "")
    stop = (f"stopped early after epoch {s['epochs_trained']} (no better validation recall for "
            f"{c.patience} epochs)" if result.stopped_early else
            f"{s['epochs_trained']} epochs")
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
<p>The image adapter and the relevé encoder were trained so that an orthophoto patch and the
relevé of the plot at its centre get similar embeddings. {s['plots_train']} plots were used
for training and {s['plots_val']} plots in separate spatial blocks of {c.block_m:g} m were
held out for validation; {stop}; the model kept is the one of epoch {s['best_epoch']}
(best validation recall@{c.select_k}). Backbone: {esc(str(backbone or 'not stated'))}.
Training took {s['seconds']:.0f} s on the {esc(result.device)}.</p>
<table><tr><th>validation retrieval</th><th>chance</th><th>untrained</th><th>trained</th></tr>
{rows}</table>
<p class="note">Recall@k: the share of validation plots whose true partner (its relevé for
an image, its image for a relevé) is among the k most similar of all {s['plots_val']}
validation plots. Chance is k / {s['plots_val']}.</p>
<h2>1. Learning curves</h2>
<img src="{img['loss_plot']}" alt="loss curves">
<p>The contrastive loss falls as images and relevés of the same plot are pulled together
and those of different plots pushed apart; the regulariser stays small when the adapter keeps
the backbone's notion of which patches look alike. A validation curve that rises while the
training curve keeps falling is overfitting: the kept model is the best validation epoch
(dotted line).</p>
<h2>2. Retrieval against the untrained model and chance</h2>
<img src="{img['recall_plot']}" alt="recall bars">
<p>The bars compare retrieval on the held-out plots for a random guess, the model before
training and the trained model, in both directions. The gap between the green and the other
bars is what training learned from your relevés, measured on plots it never saw.</p>
{pca}
<p class="note">Machine-readable figures: report.json. Settings: {esc(json.dumps(
        to_jsonable(c.__dict__)))}</p>
</body></html>
"""
