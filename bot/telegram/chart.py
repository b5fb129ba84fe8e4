"""/stats as a picture: questions per day (answered or not), by language, and the top subjects,
drawn with matplotlib's Agg backend (no display needed) into PNG bytes.

Labels are English on purpose: the fonts matplotlib ships (DejaVu) have no Chinese characters, and
the caption beside the image carries every figure in the admin's language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store import Stats

LANG_LABELS = {"zh-Hant": "Traditional / Cantonese", "zh-Hans": "Simplified", "en": "English"}
ANSWERED, UNANSWERED = "#2e7d32", "#c62828"
WIDTH_IN, HEIGHT_IN, DPI = 10.0, 7.5, 100  # 1000 x 750 pixels


def render_stats(figures: Stats, subjects: Sequence[tuple[str, int]]) -> bytes:
    """A PNG: per-day bars (answered / not), per-language bars, top subjects (English names)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 2, height_ratios=(3, 2))
    days = fig.add_subplot(grid[0, :])
    langs = fig.add_subplot(grid[1, 0])
    top = fig.add_subplot(grid[1, 1])

    labels = [day[5:] for day, _, _ in figures.per_day]  # MM-DD
    answered = [a for _, _, a in figures.per_day]
    missed = [n - a for _, n, a in figures.per_day]
    xs = list(range(len(labels)))
    days.bar(xs, answered, color=ANSWERED, label="answered")
    days.bar(xs, missed, bottom=answered, color=UNANSWERED, label="not answered")
    step = max(1, len(labels) // 15)
    days.set_xticks(xs[::step], labels[::step])
    days.set_title(
        f"Questions per day, {figures.first_day.isoformat()} to {figures.last_day.isoformat()}"
    )
    days.legend(loc="upper left")
    days.yaxis.set_major_locator(MaxNLocator(integer=True))

    names = [LANG_LABELS.get(code, code) for code, _, _ in figures.per_lang]
    ys = list(range(len(names)))
    langs.barh(ys, [a for _, _, a in figures.per_lang], color=ANSWERED)
    langs.barh(
        ys,
        [n - a for _, n, a in figures.per_lang],
        left=[a for _, _, a in figures.per_lang],
        color=UNANSWERED,
    )
    langs.set_yticks(ys, names)
    langs.invert_yaxis()
    langs.set_title("By language")
    langs.xaxis.set_major_locator(MaxNLocator(integer=True))

    shown = list(subjects)[:6]
    ts = list(range(len(shown)))
    top.barh(ts, [n for _, n in shown], color="#1565c0")
    top.set_yticks(ts, [_short(name) for name, _ in shown])
    top.invert_yaxis()
    top.set_title("Top subjects (answered questions)")
    top.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not shown:
        top.text(
            0.5, 0.5, "no answered questions", ha="center", va="center", transform=top.transAxes
        )

    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
