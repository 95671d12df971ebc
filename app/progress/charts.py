"""Geometry of the dashboard's server-rendered SVG charts (no script needed, CSP-friendly).

Pure functions: figures in, coordinates out; the template draws them with <title>/<desc>.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT, PAD_L, PAD_B, PAD_T, PAD_R = 640, 220, 48, 28, 12, 12
MAX_BARS = 40


@dataclass
class DayChart:
    points: str  #: polyline "x,y x,y …" of cumulative answers
    bars: list[dict]  #: one per day: x, y, w, h, day, n
    deadline_x: float | None
    deadline: date
    y_max: int
    ticks: list[dict]  #: x labels: x, label
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_L
    bottom: int = HEIGHT - PAD_B
    top: int = PAD_T


def day_chart(per_day: list[tuple[date, int]], deadline: date, today: date) -> DayChart | None:
    """Answers per day (bars) and cumulated (line), from the first answer to the deadline."""
    if not per_day:
        return None
    start = per_day[0][0]
    end = max(deadline, today, per_day[-1][0])
    days = (end - start).days + 1
    counts = dict(per_day)
    total = sum(counts.values())
    y_max = max(total, 1)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    step = plot_w / days

    def x(d: date) -> float:
        return PAD_L + (d - start).days * step

    def y(v: float) -> float:
        return PAD_T + plot_h - plot_h * v / y_max

    bars, points, cum = [], [], 0
    for i in range(days):
        d = start + timedelta(days=i)
        n = counts.get(d, 0)
        cum += n
        if d <= min(today, per_day[-1][0]):
            points.append(f"{x(d) + step / 2:.1f},{y(cum):.1f}")
        if n:
            bars.append({"x": round(x(d) + step * 0.1, 1), "y": round(y(n), 1), "w": round(max(step * 0.8, 1), 1),
                         "h": round(plot_h * n / y_max, 1), "day": d, "n": n})
    every = max(1, days // 6)
    ticks = [{"x": round(x(start + timedelta(days=i)) + step / 2, 1), "label": (start + timedelta(days=i)).strftime("%d/%m")}
             for i in range(0, days, every)]
    deadline_x = round(x(deadline) + step, 1) if start <= deadline else None
    return DayChart(" ".join(points), bars, deadline_x, deadline, y_max, ticks, total)


@dataclass
class RateChart:
    bars: list[dict]  #: y, w, label, rate
    height: int
    width: int = WIDTH
    left: int = 150
    shown: int = 0
    total: int = 0


def rate_chart(units) -> RateChart | None:
    """Horizontal bars of the answer rate per unit, lowest first (the units that need a push)."""
    rated = [r for r in units if r.counts.rate is not None]
    if not rated:
        return None
    rated.sort(key=lambda r: (r.counts.rate, r.unit.code))
    shown = rated[:MAX_BARS]
    row_h, left = 18, 150
    plot_w = WIDTH - left - 60
    bars = [{"y": i * row_h + 4, "w": round(plot_w * r.counts.rate / 100, 1), "label": r.unit.code,
             "name": r.unit.name, "rate": r.counts.rate, "text_x": round(left + plot_w * r.counts.rate / 100 + 4, 1)}
            for i, r in enumerate(shown)]
    return RateChart(bars, len(shown) * row_h + 8, shown=len(shown), total=len(rated))
