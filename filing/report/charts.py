"""Inline SVG charts drawn on the server: no JavaScript, prints as vectors."""

from __future__ import annotations

from html import escape

from filing.report.types import AgencyRow, Rate, TrendPoint

APPEARANCE = "#2f6db5"
LOSS = "#c0392b"
GRID = "#d0d0d0"
TEXT = "#222"
MUTED = "#888"
NO_VALUE = "无数据"


def _pct(rate: Rate) -> str:
    return rate.display


def _title(text: str, x: float) -> str:
    """The chart's title drawn on it (aria-label alone is invisible), so a printed page says what it shows."""
    return f'<text class="chart-title" x="{x}" y="18" font-size="15" font-weight="bold" fill="{TEXT}">{text}</text>'


def _legend(x: float, y: float) -> str:
    return (
        f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{APPEARANCE}"/>'
        f'<text x="{x + 16}" y="{y}" font-size="12" fill="{TEXT}">出庭应诉率</text>'
        f'<rect x="{x + 100}" y="{y - 9}" width="12" height="10" fill="{LOSS}"/>'
        f'<text x="{x + 116}" y="{y}" font-size="12" fill="{TEXT}">败诉率</text>'
    )


def agency_bars(rows: tuple[AgencyRow, ...], width: int = 760) -> str:
    """Two horizontal bars per agency: head-appearance rate and loss rate; "—" when there is no base."""
    label_w, right_pad, bar_h, gap = 190, 60, 11, 10
    plot_w = width - label_w - right_pad
    group_h = 2 * bar_h + gap
    top = 56
    height = top + max(1, len(rows)) * group_h + 30
    title = "各单位出庭应诉率与败诉率"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{title}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif">',
        f"<title>{title}</title>",
        _title(title, 8),
        _legend(label_w, 40),
    ]
    for pct in (0, 25, 50, 75, 100):
        x = label_w + plot_w * pct / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 24}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" '
                     f'fill="{TEXT}">{pct}%</text>')
    if not rows:
        parts.append(f'<text x="{label_w}" y="{top + 14}" font-size="12" fill="{TEXT}">本期无数据</text>')
    for i, row in enumerate(rows):
        y = top + i * group_h
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h + 4}" font-size="12" text-anchor="end" '
                     f'fill="{TEXT}">{escape(row.label)}</text>')
        for j, (rate, color, name) in enumerate(((row.appearance_rate, APPEARANCE, "出庭应诉率"),
                                                 (row.loss_rate, LOSS, "败诉率"))):
            by = y + j * bar_h
            v = rate.value
            w = 0.0 if v is None else plot_w * v
            tip = f"{escape(row.label)} {name} {_pct(rate)}（{rate.numerator}/{rate.denominator}）"
            parts.append(f'<rect class="bar" x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h - 1}" '
                         f'fill="{color}"><title>{tip}</title></rect>')
            if v is None:  # no base: said in grey words, never drawn like a value
                parts.append(f'<text class="no-value" x="{label_w + 4}" y="{by + bar_h - 2}" font-size="10" '
                             f'font-style="italic" fill="{MUTED}">{name}{NO_VALUE}</text>')
                continue
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{by + bar_h - 2}" font-size="10" '
                         f'fill="{TEXT}">{_pct(rate)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_lines(points: tuple[TrendPoint, ...], width: int = 760, height: int = 260) -> str:
    """Both rates over the last quarters; a quarter without a base is a gap marked "—"."""
    left, right, top, bottom = 50, 20, 56, 66
    height += 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(points))
    step = plot_w / n
    title = "出庭应诉率与败诉率季度趋势"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{title}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif">',
        f"<title>{title}</title>",
        _title(title, 8),
        _legend(left, 40),
    ]
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="{TEXT}">{pct}%</text>')
    series_list = ((0, APPEARANCE, "appearance_rate", "出庭应诉率"), (1, LOSS, "loss_rate", "败诉率"))
    for series, color, attr, name in series_list:
        coords: list[tuple[float, float] | None] = []
        for i, p in enumerate(points):
            rate: Rate = getattr(p, attr)
            x = left + step * (i + 0.5)
            coords.append(None if rate.value is None else (x, top + plot_h * (1 - rate.value)))
            if rate.value is None:
                # Below the axis, in grey words: a quarter without a base is not a point at some height.
                parts.append(f'<text class="no-value" x="{x:.1f}" y="{top + plot_h + 34 + 13 * series:.1f}" '
                             f'font-size="10" font-style="italic" text-anchor="middle" fill="{MUTED}">'
                             f'{name}{NO_VALUE}</text>')
                continue
            label_y = top + plot_h * (1 - rate.value) - 8
            parts.append(f'<text x="{x + (series * 2 - 1) * 4:.1f}" y="{label_y:.1f}" font-size="10" '
                         f'text-anchor="{"end" if series == 0 else "start"}" fill="{color}">{rate.display}</text>')
        run: list[tuple[float, float]] = []
        for c in [*coords, None]:
            if c is None:
                if len(run) > 1:
                    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                    parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
                run = []
            else:
                run.append(c)
        for c in coords:
            if c is not None:
                parts.append(f'<circle cx="{c[0]:.1f}" cy="{c[1]:.1f}" r="3.5" fill="{color}"/>')
    for i, p in enumerate(points):
        x = left + step * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 18:.1f}" font-size="11" text-anchor="middle" '
                     f'fill="{TEXT}">{escape(p.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
