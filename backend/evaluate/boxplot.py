"""Box plots as inline SVG: one box per source for one task and metric, the fold scores drawn
as dots over it.

Inline SVG keeps ``report.html`` a single self-contained file (no image beside it, no script,
no network): it opens the same in a browser, in QGIS's help viewer and attached to an e-mail.
The box is Tukey's: the quartiles, the median as a thick line, whiskers to the most extreme
scores within 1.5 interquartile ranges; every fold score is also a dot (spread sideways by a
fixed pattern, so the same scores give the same picture), because with 25 folds the dots say
more than the box.
"""

from __future__ import annotations

import html
import math

import numpy as np

WIDTH_PER_BOX = 170
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 62
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    raw = (hi - lo) / max(1, n - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def box_stats(values) -> dict | None:
    """Quartiles, median and Tukey whiskers of the finite ``values`` (None when none)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if not v.size:
        return None
    q1, med, q3 = (float(x) for x in np.percentile(v, [25, 50, 75]))
    iqr = q3 - q1
    inside = v[(v >= q1 - 1.5 * iqr) & (v <= q3 + 1.5 * iqr)]
    return {"q1": q1, "median": med, "q3": q3, "low": float(inside.min()),
            "high": float(inside.max()), "values": v}


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def svg_boxplot(series: list, title: str, y_label: str) -> str:
    """An SVG element: one box per (label, values) of ``series``, titled ``title``."""
    stats = [(label, box_stats(values)) for label, values in series]
    finite = [s["values"] for _, s in stats if s is not None]
    allv = np.concatenate(finite) if finite else np.array([0.0, 1.0])
    ticks = nice_ticks(float(allv.min()), float(allv.max()))
    lo, hi = ticks[0], ticks[-1]
    width = LEFT + RIGHT + WIDTH_PER_BOX * max(1, len(series))
    plot_h = HEIGHT - TOP - BOTTOM

    def y(v):
        return TOP + plot_h * (1.0 - (v - lo) / (hi - lo))

    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
             f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{e(title)}">',
             f'<title>{e(title)}</title>',
             f'<text x="{width / 2:.1f}" y="16" text-anchor="middle" font-size="13" '
             f'font-weight="bold">{e(title)}</text>']
    for t in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                     'stroke="#ddd" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
                     f'font-size="11">{_fmt(t)}</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.1f}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">{e(y_label)}</text>')
    for i, (label, s) in enumerate(stats):
        parts += _box(i, label, s, y, e)
    parts.append("</svg>")
    return "\n".join(parts)


def _label_lines(label: str) -> list[str]:
    """A source's name on one line, or two when long ("frozen backbone" / "(dofa-base)")."""
    if len(label) <= 20 or " (" not in label:
        return [label]
    head, tail = label.split(" (", 1)
    return [head, "(" + tail]


def _box(i: int, label: str, s, y, e) -> list[str]:
    """The SVG elements of box ``i``: whiskers, box, median, dots and its label."""
    cx = LEFT + WIDTH_PER_BOX * (i + 0.5)
    colour = COLOURS[i % len(COLOURS)]
    out = [f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16 + 14 * k}" text-anchor="middle" '
           f'font-size="12">{e(line)}</text>' for k, line in enumerate(_label_lines(label))]
    if s is None:
        out.append(f'<text x="{cx:.1f}" y="{TOP + 40}" text-anchor="middle" font-size="11" '
                   'fill="#888">no score</text>')
        return out
    half = WIDTH_PER_BOX * 0.25
    out += [f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(s["low"]):.1f}" y2="{y(s["q1"]):.1f}" '
            'stroke="#333"/>',
            f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(s["q3"]):.1f}" y2="{y(s["high"]):.1f}" '
            'stroke="#333"/>',
            f'<rect x="{cx - half:.1f}" y="{y(s["q3"]):.1f}" width="{2 * half:.1f}" '
            f'height="{max(1.0, y(s["q1"]) - y(s["q3"])):.1f}" fill="{colour}" '
            'fill-opacity="0.35" stroke="#333"/>',
            f'<line x1="{cx - half:.1f}" x2="{cx + half:.1f}" y1="{y(s["median"]):.1f}" '
            f'y2="{y(s["median"]):.1f}" stroke="#111" stroke-width="3"/>']
    for k, v in enumerate(s["values"]):
        dx = ((k * 7) % 11 - 5) * half / 6.0          # a fixed sideways pattern
        out.append(f'<circle cx="{cx + dx:.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}" '
                   f'stroke="#222" stroke-width="0.5"/>')
    out.append(f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 46}" text-anchor="middle" '
               f'font-size="10" fill="#555">median {_fmt(s["median"])}, '
               f'{len(s["values"])} folds</text>')
    return out
