"""The evaluation report: ``evaluation.json`` for scripts, ``report.html`` for people.

The JSON holds everything: inputs and settings, the sources (and why one was skipped), the
model's training plots left out, every task with its point counts and targets, one table row
per task and metric with each source's fold scores and their summary (median, quartiles,
number of folds), every paired comparison with its test, and the sentences. The HTML is one
self-contained file: the sentences first (who wins where, by how much, over how many folds
and points), a table laid out like the paper's (rows: task and metric, columns: sources,
the best in bold), inline SVG box plots (:mod:`.boxplot`), then the data, the protocol and
the messages.

Both files are written together into the report folder (:func:`write_report`): the folder
is complete or not updated at all, its other files are kept.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
from pathlib import Path

import numpy as np

from .. import __version__
from ..bundle import to_jsonable
from ..io.atomic import atomic_output
from .boxplot import svg_boxplot
from .stats import ALPHA, MIN_PAIRS, compare, sentence

KIND = "botaclip-evaluation"
FORMAT_VERSION = 1
JSON_NAME = "evaluation.json"
HTML_NAME = "report.html"
P_NOTE = ("Folds are not independent (repeats reuse the points, training sets overlap), so "
          "p-values are optimistic (Nadeau & Bengio 2003) and are not corrected for the "
          "number of comparisons: read them with the effect size r and the number of folds.")


def is_report_folder(path) -> bool:
    """Whether ``path`` holds an evaluation.json that :func:`write_report` wrote."""
    try:
        return json.loads((Path(path) / JSON_NAME).read_text("utf-8")).get("kind") == KIND
    except (OSError, ValueError, AttributeError):
        return False


def _summary(v: np.ndarray) -> dict:
    f = v[np.isfinite(v)]
    if not f.size:
        return {"median": None, "q1": None, "q3": None, "mean": None, "n_folds": 0}
    q1, med, q3 = np.percentile(f, [25, 50, 75])
    return {"median": float(med), "q1": float(q1), "q3": float(q3), "mean": float(f.mean()),
            "n_folds": int(f.size)}


def _row(run, metric: str, name: str, higher: bool, sources: list) -> dict:
    """One table row: each source's per-fold scores and their summary."""
    per = run.per_fold(metric)
    cells = {}
    for s in sources:
        if s.key not in per:
            cells[s.key] = {"skipped": s.skipped or "not evaluated", "n_folds": 0}
            continue
        m = run.scores[s.key][metric]
        with np.errstate(all="ignore"):
            per_target = {t: (float(np.nanmedian(m[:, j])) if np.isfinite(m[:, j]).any()
                              else None) for j, t in enumerate(run.targets)}
        cells[s.key] = {**_summary(per[s.key]), "fold_scores": per[s.key].tolist(),
                        "per_target": per_target}
    meds = {k: c["median"] for k, c in cells.items() if c.get("median") is not None}
    best = []
    if meds:
        top = max(meds.values()) if higher else min(meds.values())
        best = [k for k, v in meds.items() if v == top]
    n_folds = max((c.get("n_folds", 0) for c in cells.values()), default=0)
    return {"task": run.task.key, "label": run.task.label, "kind": run.task.task,
            "metric": metric, "metric_name": name, "higher_better": higher,
            "n_folds": n_folds, "n_targets": run.n_targets_scored(metric),
            "unit": run.task.unit, "n_points": run.n_points,
            "n_background": run.n_background,
            "points_word": run.task.points_word, "sources": cells, "best": best}


def behind_text(row: dict) -> str:
    """"25 folds x 31 taxa on 180 plots" (a single field: "25 folds on 120 points")."""
    t = row["n_targets"]
    unit = row["unit"] if t != 1 else {"taxa": "taxon", "fields": "field"}.get(row["unit"],
                                                                              row["unit"])
    targets = f" x {t} {unit}" if row["unit"] == "taxa" or t > 1 else ""
    bg = row.get("n_background") or 0
    points = (f"{row['n_points'] - bg} {row['points_word']} and {bg} background points"
              if bg else f"{row['n_points']} {row['points_word']}")
    return f"{row['n_folds']} folds{targets} on {points}"


def _comparisons(run, row: dict, sources: list) -> list:
    """Every pair of evaluated sources, the later (more elaborate) one against the earlier."""
    per = run.per_fold(row["metric"])
    avail = [s for s in sources if s.key in per]
    out = []
    for j in range(len(avail)):
        for i in range(j):
            a, b = avail[j], avail[i]
            c = compare(per[a.key], per[b.key], higher_better=row["higher_better"])
            text = sentence(c, a.in_text, b.in_text, row["label"], row["metric_name"],
                            behind_text({**row, "n_folds": c.n_pairs}))
            out.append({"task": row["task"], "metric": row["metric"], "a": a.key, "b": b.key,
                        **c.to_dict(),
                        "winner_key": {"a": a.key, "b": b.key}.get(c.winner, ""),
                        "sentence": text})
    return out


def _task_record(run) -> dict:
    t = run.task
    return {"key": t.key, "label": t.label, "task": t.task, "path": t.path, "unit": t.unit,
            "points": t.points_word,
            "counts": t.counts, "n_points": run.n_points, "n_background": t.n_background,
            "targets": run.targets, "skipped_targets": run.skipped, "folds": run.folds,
            "excluded_ids": t.excluded_ids,
            "messages": t.messages + run.messages}


def build_report(*, ortho, releves, layers, model, sources, runs, settings, patch_m,
                 min_valid, min_presences, max_taxa, honesty: dict, how: str) -> dict:
    """The content of evaluation.json (module docstring)."""
    rows, comparisons = [], []
    for run in runs:
        for metric, name, higher in run.task.metrics:
            row = _row(run, metric, name, higher, sources)
            rows.append(row)
            comparisons += _comparisons(run, row, sources)
    messages = ([honesty["warning"]] if honesty.get("warning") else []) + ([how] if how else [])
    messages += [s.not_evaluated for s in sources if not s.available]
    for run in runs:
        messages += run.task.messages + run.messages
    if honesty.get("found"):
        excluded = next((r.task.counts.get("seen_by_model") for r in runs
                         if r.task.key == "plant_presence"), 0)
        messages.append(f"Plant presence is scored on plots the model did not train on: "
                        f"{excluded} plots at or next to its {honesty['roles']['training']} "
                        f"training and {honesty['roles']['validation']} validation plots "
                        "were left out, for every source.")
    report = {
        "kind": KIND, "format_version": FORMAT_VERSION, "botaclip": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": {"ortho": str(ortho), "releves": None if releves is None else str(releves),
                   "points": [vars(p) for p in layers], "model": None if model is None
                   else str(model)},
        "settings": {"folds": settings.folds, "repeats": settings.repeats,
                     "block_m": settings.block_m, "buffer_m": settings.buffer_m,
                     "estimator": settings.estimator, "seed": settings.seed,
                     "trees": settings.trees if settings.estimator == "rf" else None,
                     "patch_m": patch_m, "min_valid": min_valid,
                     "min_presences": min_presences, "max_taxa": max_taxa,
                     "alpha": ALPHA, "min_pairs": MIN_PAIRS},
        "sources": [s.to_dict() for s in sources], "honesty": honesty,
        "tasks": [_task_record(r) for r in runs], "table": rows, "comparisons": comparisons,
        "sentences": [c["sentence"] for c in comparisons], "messages": messages,
        "note": P_NOTE}
    return to_jsonable(report)


def write_report(out_dir, report: dict, *, overwrite: bool = False) -> tuple[Path, Path]:
    """Write evaluation.json and report.html into ``out_dir`` together (module docstring)."""
    out_dir = Path(out_dir)
    text = json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    page = render_html(report)
    with atomic_output(out_dir, directory=True, owned=is_report_folder, overwrite=overwrite,
                       what="evaluation report folder", last=JSON_NAME) as tmp:
        (tmp / HTML_NAME).write_text(page, encoding="utf-8")
        (tmp / JSON_NAME).write_text(text, encoding="utf-8")
    return out_dir / JSON_NAME, out_dir / HTML_NAME


# ------------------------------------------------------------------------------ HTML

_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;
line-height:1.45}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em}
table{border-collapse:collapse;font-size:.92em}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
td.l,th.l{text-align:left}p.note{color:#555;font-size:.92em}
div.warn{border:2px solid #c00;background:#fee;padding:.6em 1em;font-weight:bold}
li.win{margin:.3em 0}svg{margin:.5em 1em .5em 0}"""


def _e(v) -> str:
    return html.escape(str(v))


def _cell(c: dict, best: bool) -> str:
    if c.get("median") is None:
        why = c.get("skipped") or "no fold scored"
        return f'<td title="{_e(why)}">–</td>'
    text = f"{c['median']:.3f} <small>[{c['q1']:.2f}–{c['q3']:.2f}]</small>"
    return f"<td>{'<b>' + text + '</b>' if best else text}</td>"


def table_html(report: dict) -> str:
    """The paper-like table: rows task and metric, columns sources, best in bold."""
    srcs = report["sources"]
    head = "".join(f"<th>{_e(s['label'])}</th>" for s in srcs)
    lines = [f'<table><tr><th class="l">task</th><th class="l">metric</th>{head}'
             "<th>folds × targets</th><th>points</th></tr>"]
    for r in report["table"]:
        arrow = "↑" if r["higher_better"] else "↓"
        cells = "".join(_cell(r["sources"][s["key"]], s["key"] in r["best"]) for s in srcs)
        lines.append(f'<tr><td class="l">{_e(r["label"])}</td><td class="l">'
                     f'{_e(r["metric_name"])} {arrow}</td>{cells}<td>{r["n_folds"]} × '
                     f'{r["n_targets"]}</td><td>{r["n_points"]}</td></tr>')
    lines.append("</table>")
    return "\n".join(lines)


def _plots_html(report: dict) -> str:
    labels = {s["key"]: s["label"] for s in report["sources"]}
    out = []
    for r in report["table"]:
        series = [(labels[k], [v for v in c.get("fold_scores", []) if v is not None])
                  for k, c in r["sources"].items() if "fold_scores" in c]
        out.append(svg_boxplot(series, f"{r['label']}: {r['metric_name']}",
                               f"{r['metric_name']} per fold"))
    return "\n".join(out)


def _counts_text(counts: dict) -> str:
    """A task's point counts in words: "300 plots, 300 usable, 230 seen by the model"."""
    parts = []
    for k, v in counts.items():
        if isinstance(v, dict):
            if v:
                parts.append(f"{k.replace('_', ' ')}: " + ", ".join(
                    f"{n} {r.replace('_', ' ')}" for r, n in v.items()))
        else:
            parts.append(f"{v} {k.replace('_', ' ')}")
    return "; ".join(parts)


def _tasks_html(report: dict) -> str:
    parts = []
    for t in report["tasks"]:
        skipped = "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in t["skipped_targets"].items())
        parts.append(
            f"<h3>{_e(t['label'])}</h3><p>{_e(t['path'])}: {t['n_points']} {_e(t['points'])} "
            f"used ({_e(_counts_text(t['counts']))}). Targets scored ({len(t['targets'])}): "
            f"{_e(', '.join(t['targets']) or 'none')}.</p>"
            + (f"<p>Not scored:</p><ul>{skipped}</ul>" if skipped else ""))
    return "\n".join(parts)


def render_html(report: dict) -> str:
    """report.html (module docstring)."""
    h = report["honesty"]
    warn = f'<div class="warn">{_e(h["warning"])}</div>' if h.get("warning") else ""
    wins = "".join(f'<li class="win">{_e(s)}</li>' for s in report["sentences"]) \
        or "<li>Only one source was evaluated: nothing to compare.</li>"
    srcs = "".join(f"<li><b>{_e(s['label'])}</b>: "
                   f"{_e(s['description'] if s['available'] else 'not evaluated: ' + s['skipped'])}"
                   "</li>" for s in report["sources"])
    st = report["settings"]
    protocol = (f"{st['folds']} folds × {st['repeats']} repeats of spatial blocks of "
                f"{st['block_m']:g} m with a {st['buffer_m']:g} m buffer; estimator "
                f"{st['estimator']}, seed {st['seed']}; patches of {st['patch_m']:g} m with at "
                f"least {100 * st['min_valid']:.0f} % valid pixels; taxa with at least "
                f"{st['min_presences']} presences and absences.")
    msgs = "".join(f"<li>{_e(m)}</li>" for m in report["messages"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="generator" content="BotaCLIP {_e(report['botaclip'])} evaluate">
<title>BotaCLIP evaluation</title><style>{_CSS}</style></head><body>
<h1>BotaCLIP evaluation: which embedding predicts best</h1>
<p class="note">{_e(report['inputs']['ortho'])} · {_e(report['created'])}</p>
{warn}
<h2>In words</h2><ul>{wins}</ul>
<p class="note">{_e(report['note'])}</p>
<h2>Scores</h2>
<p class="note">Median over folds of each fold's score (with several targets, the median over
the targets scored in that fold); in brackets the quartiles over folds; best in bold.</p>
{table_html(report)}
<h2>Fold scores</h2>
{_plots_html(report)}
<h2>Sources</h2><ul>{srcs}</ul>
<h2>Data</h2>
{_tasks_html(report)}
<h2>Protocol</h2><p>{_e(protocol)}</p>
<h2>Messages</h2><ul>{msgs}</ul>
</body></html>
"""
