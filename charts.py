"""Charts for the analytics pages (SPEC §15), drawn on the server as inline SVG: the functions here turn rows
into chart models (positions in the SVG's own units, round ticks, formatted labels, the data table) and the
macros of templates/_charts.html write them out. No script, nothing fetched: a chart is markup.

Sized for a phone first: a WIDTH-unit viewBox with FONT-unit text keeps every label at least 12 px high on a
390 px screen inside a card; on a wide screen the stylesheet caps a chart's width and eases its text down.
No browser measures text here, so labels are fitted with a generous average character width (CHAR) and cut
with "…" when too long."""
import itertools
import math
from collections.abc import Mapping
from datetime import date
from types import SimpleNamespace

from formats import format_money

WIDTH = 320
FONT = 13
CHAR = 0.6 * FONT
PAD = 2
BAR_HEIGHT = 14
PLOT_HEIGHT = 150
MOST_BARS = 25  # a bar chart draws at most this many bars (the highest); its data table lists every row
MARKER_ROOM = 10  # buckets narrower than this get no markers on their lines: they would pile up (dashes still tell)
INK, MUTED, GRID, HALO = "#1d2330", "#5b6474", "#d9dee7", "#fff"  # text 15.7:1 and 5.9:1 on white
BAR = "#0b5cad"
SERIES = (  # colour (≥ 4.6:1 on the page and on a card), dash, marker, hatch angle: apart without colour too
    ("#0b5cad", "", "circle", None),
    ("#b45309", "7 4", "square", 45),
    ("#7e22ce", "2 3", "triangle", -45),
    ("#0f766e", "10 3 2 3", "diamond", 90),
)
HEAT = ("#eef1f5", "#4f8bc9", "#2563a6", "#173f78", "#0a1f3d")  # none, then four levels ≥ 3.3:1, each ≥ 1.5:1 apart
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STEP_FLOOR = {"count": 1, "minutes": 1, "money": 100, "percent": 0.01}  # ticks in whole units, dollars, percent
AXIS = {"count": "Count", "percent": "Percent", "money": "Amount (CAD)", "minutes": "Minutes"}
PERIOD_AXIS = {"day": "Day", "week": "Week starting", "month": "Month"}
_ids = itertools.count(1)


def init_app(app):
    """Make the models reachable from templates/_charts.html as `chart_models`."""
    app.jinja_env.globals["chart_models"] = SimpleNamespace(
        bar=bar_model, time=time_model, heat=heat_model, histogram=histogram_model)


def nice_ticks(low, high, count=4, floor=1):
    """Round ticks from 0 (or below `low`) up to `high`: at most `count` steps of 1, 2 or 5 × 10ⁿ, ≥ `floor`."""
    low, high = min(low, 0), max(high, 0)
    raw = max((high - low) / count, floor)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [_clean(i * step) for i in range(first, max(last, first + 1) + 1)]


def format_value(value, kind):
    """A value as pages show it: 1,234 · 1,234 min · a ratio as 12.5% · cents as $1,234.00 CAD."""
    if value is None:
        return "no data"
    if kind == "percent":
        return f"{value * 100:,.1f}%"
    if kind == "money":
        return "−" + format_money(-value) if value < 0 else format_money(value)
    number = f"{int(value):,}" if value == int(value) else f"{value:,.1f}"
    return f"{number} min" if kind == "minutes" else number


def format_tick(value, kind):
    """An axis tick, shorter than a value: whole dollars and whole percentages, the unit left to the axis title."""
    if kind == "percent":
        return f"{round(value * 100):,}%"
    if kind == "money":
        return f"{'−' if value < 0 else ''}${round(abs(value) / 100):,}"
    return f"{round(value):,}".replace("-", "−")


def format_bucket(bucket, period="week", long=False):
    """A date bucket as an axis label ("2 Nov") or as the data table's row ("Week of 2 Nov 2026"); text as it is."""
    if not isinstance(bucket, date):
        return str(bucket)
    if period == "month":
        return bucket.strftime("%B %Y" if long else "%b %Y")
    if not long:
        return bucket.strftime("%-d %b")
    return bucket.strftime("Week of %-d %b %Y" if period == "week" else "%a %-d %b %Y")


def format_hour(hour):
    """An hour of the day on a 12-hour clock, as the rest of the site shows times ("12 AM", "3 PM")."""
    return f"{(hour - 1) % 12 + 1} {'AM' if hour % 24 < 12 else 'PM'}"


def bar_model(rows, kind="count", label="label", value="value", axis=None, category="Category", chart_id=None):
    """Horizontal bars in the rows' order (past MOST_BARS rows, the MOST_BARS highest values, highest first): each
    name above its bar, its value at the right, a value axis below; the data table has every row."""
    _check_kind(kind)
    items = [(str(_pick(row, label, 0)), _number(_pick(row, value, 1))) for row in rows]
    texts = [format_value(v, kind) for _, v in items]
    known = [(v, name, text) for (name, v), text in zip(items, texts) if v is not None]
    summary = ""
    if known:
        top, bottom = max(known), min(known)
        summary = f"Highest: {top[1]}, {top[2]}. Lowest: {bottom[1]}, {bottom[2]}."
    table = {"head": [category, axis or AXIS[kind]], "body": [(name, [text]) for (name, _), text in zip(items, texts)]}
    if len(items) > MOST_BARS:  # a chart of 300 bars reads as none: the highest are drawn, the table has them all
        drawn = sorted(zip(items, texts), key=lambda it: (it[0][1] is None, -(it[0][1] or 0)))[:MOST_BARS]
        summary += f" The {MOST_BARS} highest of {len(items)} are drawn; the data table lists every one."
        items, texts = [item for item, _ in drawn], [text for _, text in drawn]
    return _bars(items, texts, kind, axis or AXIS[kind], summary, table, chart_id)


def histogram_model(rows, label="label", count="count", unit=("booking", "bookings"), category="Range", chart_id=None):
    """Labelled buckets in their order as horizontal bars, each with its count and its share of the total."""
    items = [(str(_pick(row, label, 0)), int(_pick(row, count, 1))) for row in rows]
    total = sum(c for _, c in items)
    if not total:
        return _empty(chart_id)
    shares = [format_value(c / total, "percent") for _, c in items]
    texts = [f"{c:,} · {share}" for (_, c), share in zip(items, shares)]
    most = max(items, key=lambda item: item[1])
    summary = (f"Most common: {most[0]}, {_counted(most[1], unit)} ({format_value(most[1] / total, 'percent')}) "
               f"of {_counted(total, unit)}.")
    table = {"head": [category, unit[1].capitalize(), "Share"],
             "body": [(name, [f"{c:,}", share]) for (name, c), share in zip(items, shares)],
             "foot": ("Total", [f"{total:,}", "100.0%"])}
    return _bars(items, texts, "count", unit[1].capitalize(), summary, table, chart_id)


def time_model(rows, series, kind="count", x="bucket", period="week", style="lines", x_axis=None, axis=None,
               chart_id=None):
    """Series over date buckets as lines with markers or as grouped columns, under a legend of their patterns."""
    _check_kind(kind)
    if style not in ("lines", "columns") or not 1 <= len(series) <= len(SERIES):
        raise ValueError(f"style must be lines or columns and series 1 to {len(SERIES)}, not {style!r}, {len(series)}")
    buckets = [_pick(row, x, 0) for row in rows]
    grid = [[_number(_pick(row, key, i + 1)) for row in rows] for i, (key, _) in enumerate(series)]
    known = [v for values in grid for v in values if v is not None]
    if not known:
        return _empty(chart_id)
    chart = _id(chart_id)
    legend, legend_bottom = _legend([str(name) for _, name in series], 26 if style == "lines" else 12, 0)
    for item, (_, name), (_, _, marker, _) in zip(legend, series, SERIES):
        x_mid, item["line_end"] = _r(item["x"] + 13), _r(item["x"] + 26)
        item["marker"] = {"x": x_mid, "y": item["mid"], "points": _marker(marker, x_mid, item["mid"]),
                          "title": str(name)}
    ticks = nice_ticks(min(known), max(known), floor=STEP_FLOOR[kind])
    top = legend_bottom + 2 * FONT + 16  # the value axis title between the legend and the plot
    y = _scale(ticks[0], ticks[-1], top + PLOT_HEIGHT, top)
    left = PAD + max(_text_width(format_tick(t, kind)) for t in ticks) + 6
    right = WIDTH - PAD
    band = (right - left) / len(buckets)
    centers = [_r(left + band * (i + 0.5)) for i in range(len(buckets))]
    shorts = [format_bucket(b, period) for b in buckets]
    longs = [format_bucket(b, period, long=True) for b in buckets]
    every = max(1, math.ceil((max(map(_text_width, shorts)) + 10) / band))
    bottom = top + PLOT_HEIGHT
    lines = [_series(chart, index, len(series), str(name), values, centers, longs, band, y, kind)
             for index, ((_, name), values) in enumerate(zip(series, grid))]
    summary = " ".join(_trend(name, values, longs, kind) for (_, name), values in zip(series, grid))
    dates = x_axis or PERIOD_AXIS.get(period, "")
    return {
        "id": chart, "empty": False, "width": WIDTH, "height": bottom + 2 * FONT + 22, "font": FONT,
        "ink": INK, "muted": MUTED, "grid": GRID, "style": style, "legend": legend, "series": lines,
        "plot": {"left": _r(left), "right": right, "top": top, "bottom": bottom, "zero": y(0)},
        "axis": {"text": axis or AXIS[kind], "y": legend_bottom + FONT + 6},
        "ticks": [{"y": y(t), "text_y": _r(y(t) + FONT * 0.35), "text": format_tick(t, kind), "x": _r(left - 6)}
                  for t in ticks],
        "labels": [{"x": _r(min(max(c, PAD + _text_width(s) / 2), right - _text_width(s) / 2)), "text": s}
                   for i, (c, s) in enumerate(zip(centers, shorts)) if i % every == 0],
        "label_y": bottom + FONT + 6,
        "x_axis": {"text": dates, "x": _r((left + right) / 2), "y": bottom + 2 * FONT + 16},
        "summary": summary,
        "table": {"head": [dates] + [str(name) for _, name in series],
                  "body": [(when, [format_value(values[i], kind) for values in grid]) for i, when in enumerate(longs)]},
    }


def _series(chart, index, count, name, values, centers, whens, band, y, kind):
    """Series `index` of `count` in a time chart: its look, its line (broken at gaps), markers and columns."""
    colour, dash, marker, hatch = SERIES[index]
    points = [(c, y(v), f"{name}, {when}: {format_value(v, kind)}") if v is not None else None
              for c, v, when in zip(centers, values, whens)]
    pattern = f"{chart}-hatch-{index}" if hatch is not None else None
    column = 0.8 * band / count  # a fifth of each bucket's band left between the groups
    return {
        "name": name, "colour": colour, "dash": dash, "hatch": hatch, "pattern": pattern,
        "fill": f"url(#{pattern})" if pattern else colour,
        "segments": [" ".join(f"{px},{py}" for px, py, _ in run) for run in _runs(points) if len(run) > 1],
        "markers": [{"x": px, "y": py, "title": title, "points": _marker(marker, px, py)}
                    for px, py, title in filter(None, points)] if band >= MARKER_ROOM else [],
        "columns": [{"x": _r(px - 0.4 * band + index * column), "w": _r(column), "title": title,
                     "y": min(py, y(0)), "h": _r(abs(py - y(0)))} for px, py, title in filter(None, points)],
    }


def heat_model(rows, count="count", unit=("booking", "bookings"), zone=None, chart_id=None):
    """Counts by weekday (ISO: 1 = Monday) and hour (0–23) as a 7 × 24 grid in five shades, with a legend."""
    counts = [[0] * 24 for _ in WEEKDAYS]
    for row in rows:
        day, hour, n = (int(_pick(row, key, i)) for i, key in enumerate(("weekday", "hour", count)))
        if not (1 <= day <= 7 and 0 <= hour <= 23):
            raise ValueError(f"weekday must be 1 (Monday) to 7 and hour 0 to 23, not {day}, {hour}")
        counts[day - 1][hour] += n
    total = sum(map(sum, counts))
    if not total:
        return _empty(chart_id)
    ticks = nice_ticks(0, max(map(max, counts)))
    bins = list(zip(ticks, ticks[1:]))
    shades = HEAT[len(HEAT) - len(bins):]
    left, cell_h = PAD + 4 * CHAR + 4, 22  # room for "Wed" in a wide font
    cell_w = (WIDTH - PAD - left) / 24
    bottom = 7 * cell_h
    cells = [{"x": _r(left + hour * cell_w), "y": d * cell_h, "w": _r(cell_w - 1), "h": cell_h - 1,
              "fill": _shade(c, bins, shades),
              "title": f"{WEEKDAYS[d]} {format_hour(hour)}–{format_hour(hour + 1)}: {_counted(c, unit)}"}
             for d, day_counts in enumerate(counts) for hour, c in enumerate(day_counts)]
    keys = ["0"] + [f"{low + 1:,}" if high == low + 1 else f"{low + 1:,}–{high:,}" for low, high in bins]
    title_y = bottom + 2 * FONT + 18
    legend, legend_bottom = _legend([f"{unit[1].capitalize()}:"] + keys, 12, title_y + 8, swatch_first=False)
    for item, fill in zip(legend[1:], (HEAT[0],) + shades):
        item["fill"] = fill
    busiest = max(range(7 * 24), key=lambda i: counts[i // 24][i % 24])
    return {
        "id": _id(chart_id), "empty": False, "width": WIDTH, "height": legend_bottom + 4, "font": FONT,
        "ink": INK, "muted": MUTED, "grid": GRID, "cells": cells, "legend": legend,
        "days": [{"text": name, "x": _r(left - 6), "y": _r(d * cell_h + cell_h / 2 + FONT * 0.35)}
                 for d, name in enumerate(WEEKDAYS)],
        "hours": [{"x": _r(left + hour * cell_w), "text": format_hour(hour) if hour % 6 == 0 and hour < 24 else "",
                   "tick_end": bottom + (6 if hour % 6 == 0 else 3)} for hour in range(0, 25, 3)],
        "plot": {"bottom": bottom, "label_y": bottom + FONT + 8},
        "x_axis": {"text": f"Hour of the day ({zone})" if zone else "Hour of the day", "x": _r((left + WIDTH) / 2),
                   "y": title_y},
        "summary": f"Busiest: {cells[busiest]['title']}. {_counted(total, unit)} in all.",
        "table": {"head": ["Hour"] + list(WEEKDAYS),
                  "body": [(format_hour(hour), [f"{counts[d][hour]:,}" for d in range(7)]) for hour in range(24)],
                  "foot": ("Total", [f"{sum(day):,}" for day in counts])},
    }


def _bars(items, texts, kind, axis, summary, table, chart_id):
    """The layout bar_model and histogram_model share: a line of name and value over each bar, one value axis."""
    if not items:
        return _empty(chart_id)
    numbers = [v for _, v in items if v is not None] or [0]
    ticks = nice_ticks(min(numbers), max(numbers), floor=STEP_FLOOR[kind])
    x = _scale(ticks[0], ticks[-1], PAD, WIDTH - PAD)
    room = WIDTH - 2 * PAD - max(map(_text_width, texts)) - CHAR
    row = FONT + 4 + BAR_HEIGHT + 12
    bars = []
    for i, ((name, v), text) in enumerate(zip(items, texts)):
        start, end = sorted((x(0), x(v or 0)))
        bars.append({"name": name, "short": _fit(name, room), "text": text, "text_y": i * row + FONT,
                     "x": start, "y": i * row + FONT + 4, "w": _r(max(end - start, 1 if v else 0)),
                     "h": BAR_HEIGHT})
    bottom = len(items) * row - 6
    last = len(ticks) - 1
    return {
        "id": _id(chart_id), "empty": False, "width": WIDTH, "height": bottom + 2 * FONT + 24, "font": FONT,
        "ink": INK, "muted": MUTED, "grid": GRID, "halo": HALO, "colour": BAR, "bars": bars,
        "plot": {"left": PAD, "right": WIDTH - PAD, "bottom": bottom, "zero": x(0)},
        "ticks": [{"x": x(t), "text": format_tick(t, kind),
                   "anchor": "start" if i == 0 else "end" if i == last else "middle"} for i, t in enumerate(ticks)],
        "label_y": bottom + FONT + 6,
        "x_axis": {"text": axis, "x": WIDTH / 2, "y": bottom + 2 * FONT + 18},
        "summary": summary, "table": table,
    }


def _shade(count, bins, shades):
    """A heat-map cell's shade: the lightest for none, else the shade of the bin the count falls in."""
    return HEAT[0] if not count else next(shade for (_, high), shade in zip(bins, shades) if count <= high)


def _legend(names, swatch, top, swatch_first=True):
    """Legend items (a swatch, then the name) flowed into rows; returns them and the bottom of the last row."""
    items, x, baseline = [], PAD, top + FONT
    for i, name in enumerate(names):
        has_swatch = swatch_first or i > 0
        width = (swatch + 5 if has_swatch else 0) + _text_width(name)
        if x > PAD and x + width > WIDTH - PAD:
            x, baseline = PAD, baseline + FONT + 8
        items.append({"text": name, "x": _r(x), "y": _r(baseline), "swatch": has_swatch,
                      "text_x": _r(x + (swatch + 5 if has_swatch else 0)), "mid": _r(baseline - FONT * 0.35),
                      "box_y": _r(baseline - FONT * 0.35 - 6)})
        x += width + 12
    return items, baseline + 4


def _marker(shape, x, y):
    """A series' marker at (x, y) as polygon points; an empty string is a circle."""
    shapes = {"circle": [], "square": [(-3.5, -3.5), (3.5, -3.5), (3.5, 3.5), (-3.5, 3.5)],
              "triangle": [(0, -4.5), (4.5, 3.5), (-4.5, 3.5)], "diamond": [(0, -5), (5, 0), (0, 5), (-5, 0)]}
    return " ".join(f"{_r(x + dx)},{_r(y + dy)}" for dx, dy in shapes[shape])


def _trend(name, values, whens, kind):
    """One series told in a sentence: first, last and highest value."""
    known = [(v, when) for v, when in zip(values, whens) if v is not None]
    if not known:
        return f"{name}: no data."
    (first, since), (last, until), (top, when) = known[0], known[-1], max(known, key=lambda k: k[0])
    return (f"{name}: {format_value(first, kind)} ({since}) to {format_value(last, kind)} ({until}), "
            f"highest {format_value(top, kind)} ({when}).")


def _runs(points):
    """Consecutive points split where a value is missing, so a line breaks at the gap."""
    run = []
    for point in points:
        if point is None:
            yield run
            run = []
        else:
            run.append(point)
    yield run


def _scale(low, high, start, end):
    """A linear map from [low, high] to [start, end], rounded to a tenth of a unit."""
    return lambda v: _r(start + (v - low) * (end - start) / (high - low))


def _empty(chart_id):
    """A chart with nothing to draw: the macros show the empty state."""
    return {"id": _id(chart_id), "empty": True}


def _id(chart_id):
    """The id given, or a fresh one: titles, descriptions and patterns are referenced by id within the page."""
    return chart_id or f"chart-{next(_ids)}"


def _check_kind(kind):
    """Refuse a value format the charts do not know."""
    if kind not in STEP_FLOOR:
        raise ValueError(f"kind must be one of {', '.join(STEP_FLOOR)}, not {kind!r}")


def _pick(row, key, index):
    """A row's field: by key from a dict (a database row), by position from a tuple."""
    return row[key] if isinstance(row, Mapping) else row[index]


def _number(value):
    """A value as a float for the arithmetic (the database gives Decimal and int), None kept as missing."""
    return None if value is None else float(value)


def _counted(count, unit):
    """A count with its noun, singular or plural ("1 booking", "12 bookings")."""
    return f"{count:,} {unit[0] if count == 1 else unit[1]}"


def _text_width(text):
    """The width text will take at FONT, estimated generously."""
    return len(text) * CHAR


def _fit(text, width):
    """The text, cut with an ellipsis when it would run past `width` units."""
    most = max(int(width // CHAR), 2)
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def _clean(number):
    """A tick value without floating-point dust, an int when whole."""
    number = round(number, 10)
    return int(number) if number == int(number) else number


def _r(number):
    """A coordinate rounded to a tenth of a unit, to keep the markup short."""
    return round(number, 1)
