"""The analytics charts (charts.py and templates/_charts.html): ticks and number formats, each macro rendered
through a small Flask app and read back with xml.etree (role, title and desc, marks, data table, escaping, the
empty state), the palette's contrast, and the sample page with every chart that tests/e2e/test_chart_layout.py
opens in Chromium."""
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask, render_template_string

import charts

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots" / "charts"
IMPORT = '{% from "_charts.html" import bar_chart, time_chart, heat_map, histogram %}'
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def render():
    app = Flask(__name__, template_folder=str(ROOT / "templates"))
    charts.init_app(app)

    def render(call, **data):
        with app.app_context():
            return render_template_string(IMPORT + call, **data)
    return render


def svg_of(html):
    return ET.fromstring(html[html.index("<svg"):html.index("</svg>") + len("</svg>")])


def table_of(html):
    return ET.fromstring(html[html.index("<table"):html.index("</table>") + len("</table>")])


def texts(svg):
    return [t.text for t in svg.iter("text")]


def body_cells(table):
    return [[cell.text for cell in row] for row in table.find("tbody")]


def assert_named_image(svg):
    """role="img", named by its own <title> and <desc> through aria-labelledby."""
    assert svg.get("role") == "img"
    assert svg.get("viewBox").startswith("0 0 320 ") and svg.get("width") == "100%"
    title, desc = svg.find("title"), svg.find("desc")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text and desc.text


# ticks and formats

@pytest.mark.parametrize("low, high, floor, ticks", [
    (0, 1234, 1, [0, 500, 1000, 1500]),
    (0, 37, 1, [0, 10, 20, 30, 40]),
    (0, 3, 1, [0, 1, 2, 3]),
    (0, 2, 1, [0, 1, 2]),            # counts never step by halves
    (0, 0, 1, [0, 1]),               # all zero still gets an axis
    (0, 250, 100, [0, 100, 200, 300]),  # money: whole dollars
    (0, 0.37, 0.01, [0, 0.1, 0.2, 0.3, 0.4]),  # percent: whole percentages
    (0, 0.004, 0.01, [0, 0.01]),
    (-120, 800, 1, [-500, 0, 500, 1000]),
    (0, 1000, 1, [0, 500, 1000]),
])
def test_nice_ticks(low, high, floor, ticks):
    assert charts.nice_ticks(low, high, floor=floor) == ticks


@pytest.mark.parametrize("value, kind, shown", [
    (123456, "money", "$1,234.56 CAD"),
    (Decimal("5000"), "money", "$50.00 CAD"),
    (-1250, "money", "−$12.50 CAD"),
    (0.125, "percent", "12.5%"),
    (Decimal("0.3333"), "percent", "33.3%"),
    (1, "percent", "100.0%"),
    (1234567, "count", "1,234,567"),
    (12.0, "count", "12"),
    (2.26, "count", "2.3"),
    (1500, "minutes", "1,500 min"),
    (None, "count", "no data"),
])
def test_format_value(value, kind, shown):
    assert charts.format_value(value, kind) == shown


def test_ticks_are_short_and_say_their_unit_once():
    assert [charts.format_tick(t, "money") for t in (0, 50000, 150000, -20000)] == ["$0", "$500", "$1,500", "−$200"]
    assert [charts.format_tick(t, "percent") for t in (0, 0.1, 0.25)] == ["0%", "10%", "25%"]
    assert charts.format_tick(12000, "count") == "12,000"


def test_buckets_and_hours():
    week = date(2026, 11, 2)
    assert charts.format_bucket(week) == "2 Nov"
    assert charts.format_bucket(week, long=True) == "Week of 2 Nov 2026"
    assert charts.format_bucket(week, "day", long=True) == "Mon 2 Nov 2026"
    assert charts.format_bucket(week, "month") == "Nov 2026"
    assert charts.format_bucket("Q4") == "Q4"
    assert [charts.format_hour(h) for h in (0, 9, 12, 15, 24)] == ["12 AM", "9 AM", "12 PM", "3 PM", "12 AM"]


def test_unknown_formats_and_cells_are_refused():
    with pytest.raises(ValueError):
        charts.bar_model([("a", 1)], kind="euros")
    with pytest.raises(ValueError):
        charts.heat_model([(0, 9, 1)])  # ISO weekdays run 1 (Monday) to 7
    with pytest.raises(ValueError):
        charts.time_model([(date(2026, 1, 1), 1)], [("a", "A")], style="pie")


def contrast(one, other):
    def luminance(colour):
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("background", ["#ffffff", "#f6f7fa"])  # a card, the page
def test_marks_and_text_stand_out_from_the_background(background):
    marks = [charts.BAR] + [colour for colour, *_ in charts.SERIES] + list(charts.HEAT[1:])
    assert min(contrast(mark, background) for mark in marks) >= 3
    assert min(contrast(text, background) for text in (charts.INK, charts.MUTED)) >= 4.5
    shades = charts.HEAT[1:]
    assert all(contrast(a, b) >= 1.5 for a, b in zip(shades, shades[1:]))  # neighbouring levels apart too


# bar_chart

def test_bar_chart(render):
    rows = [{"name": "Alice Martin", "rate": Decimal("0.125")}, {"name": SCRIPT, "rate": Decimal("0.05")},
            {"name": "Bob", "rate": 0}]
    html = render('{{ bar_chart(rows, "No-show rate by mechanic", kind="percent", label="name", value="rate",'
                  ' category="Mechanic") }}', rows=rows)
    svg = svg_of(html)
    assert_named_image(svg)
    assert svg.find("title").text == "No-show rate by mechanic"
    assert "Highest: Alice Martin, 12.5%. Lowest: Bob, 0.0%." in svg.find("desc").text
    bars = [rect for rect in svg.iter("rect") if rect.get("class") == "chart-bar"]
    assert len(bars) == 3
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] == pytest.approx(2.5 * widths[1], abs=0.2) and widths[2] == 0
    assert {"Alice Martin", "12.5%", SCRIPT, "5.0%", "Bob", "0.0%"} <= set(texts(svg))
    assert texts(svg)[-5:] == ["0%", "5%", "10%", "15%", "Percent"]  # ticks, then the axis title
    assert [t.text for t in svg.iter("title")][1:] == ["Alice Martin: 12.5%", f"{SCRIPT}: 5.0%", "Bob: 0.0%"]
    table = table_of(html)
    assert table.find("caption").text == "No-show rate by mechanic"
    assert [(th.text, th.get("scope")) for th in table.iter("th")][:2] == [("Mechanic", "col"), ("Percent", "col")]
    assert body_cells(table) == [["Alice Martin", "12.5%"], [SCRIPT, "5.0%"], ["Bob", "0.0%"]]
    assert all(row[0].get("scope") == "row" for row in table.find("tbody"))


def test_a_long_bar_chart_draws_the_highest_and_tables_every_row(render):
    rows = [(f"Mechanic {i:03}", i % 40) for i in range(300)] + [("Not yet", None)]
    html = render('{{ bar_chart(rows, "Bookings by mechanic") }}', rows=rows)
    svg = svg_of(html)
    drawn = [t.text.split(":")[0] for t in svg.iter("title")][1:]
    assert len(drawn) == charts.MOST_BARS == 25
    assert [int(name[-3:]) % 40 for name in drawn] == [39] * 7 + [38] * 7 + [37] * 7 + [36] * 4  # highest first
    assert "The 25 highest of 301 are drawn; the data table lists every one." in svg.find("desc").text
    assert len(body_cells(table_of(html))) == 301 and body_cells(table_of(html))[0] == ["Mechanic 000", "0"]


def test_names_are_escaped_everywhere(render):
    html = render('{{ bar_chart(rows, title) }}{{ histogram(rows, title) }}{{ time_chart(weeks, title, [(1, name)]) }}',
                  rows=[(SCRIPT, 3)], title=f"Title {SCRIPT}", name=SCRIPT, weeks=[(SCRIPT, 3)])
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 12  # the text, tooltips, desc, tables, legend


def test_money_bars_and_ticks(render):
    html = render('{{ bar_chart(rows, "Revenue by workshop", kind="money", axis="Revenue (CAD)") }}',
                  rows=[("Downtown", 123400), ("East", 98765)])
    svg = svg_of(html)
    assert texts(svg)[-5:] == ["$0", "$500", "$1,000", "$1,500", "Revenue (CAD)"]
    assert body_cells(table_of(html)) == [["Downtown", "$1,234.00 CAD"], ["East", "$987.65 CAD"]]


def test_a_negative_value_runs_left_of_zero(render):
    rows = [("Ann", 30000), ("Ben", -12000)]
    svg = svg_of(render('{{ bar_chart(rows, "Net by mechanic", kind="money") }}', rows=rows))
    ann, ben = [rect for rect in svg.iter("rect") if rect.get("class") == "chart-bar"]
    zero = float(ann.get("x"))
    assert float(ben.get("x")) + float(ben.get("width")) == pytest.approx(zero, abs=0.2) and float(ben.get("x")) < zero
    assert float(ann.get("width")) == pytest.approx(2.5 * float(ben.get("width")), abs=0.2)
    assert "−$120.00 CAD" in texts(svg) and texts(svg)[-5:-1] == ["−$200", "$0", "$200", "$400"]


def test_a_long_name_is_cut_in_the_chart_but_whole_in_the_tooltip_and_table(render):
    name = "Maximilian Alexander Montgomery-Fitzgerald of the Northern Service Centre"
    html = render('{{ bar_chart(rows, "Minutes booked", kind="minutes") }}', rows=[(name, 12345)])
    svg = svg_of(html)
    shown = texts(svg)[0]
    assert shown.endswith("…") and name.startswith(shown[:-1]) and len(shown) < len(name)
    assert "12,345 min" in texts(svg)
    assert svg.find("g/g/title").text == f"{name}: 12,345 min"
    assert body_cells(table_of(html)) == [[name, "12,345 min"]]


# time_chart

WEEKS = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)]


def test_time_chart_lines(render):
    rows = [{"week": w, "revenue": 100000 + 9000 * i, "payouts": None if i == 5 else 60000 + 4000 * i}
            for i, w in enumerate(WEEKS)]
    html = render('{{ time_chart(rows, "Revenue and payouts per week",'
                  ' [("revenue", "Revenue"), ("payouts", "Payouts")], kind="money", x="week") }}', rows=rows)
    svg = svg_of(html)
    assert_named_image(svg)
    series = svg.findall("g[@class='chart-series']")
    revenue_points = [p for p in series[0] if p.get("class") == "chart-point"]
    payout_points = [p for p in series[1] if p.get("class") == "chart-point"]
    assert len(revenue_points) == 12 and len(payout_points) == 11  # no marker for the missing week
    assert len(series[0].findall("polyline")) == 1 and len(series[1].findall("polyline")) == 2  # a gap
    # told apart without colour: a solid line with circles, a dashed one with squares, in the legend too
    assert series[0].find("polyline").get("stroke-dasharray") == "none"
    assert series[1].find("polyline").get("stroke-dasharray") == "7 4"
    assert {p.tag for p in revenue_points} == {"circle"} and {p.tag for p in payout_points} == {"polygon"}
    legend = svg.find("g[@class='chart-legend']")
    assert [g.find("text").text for g in legend] == ["Revenue", "Payouts"]
    assert [g.find("line").get("stroke-dasharray") for g in legend] == ["none", "7 4"]
    assert revenue_points[0].find("title").text == "Revenue, Week of 7 Sep 2026: $1,000.00 CAD"
    labels = texts(svg)
    assert labels[labels.index("Amount (CAD)") + 1:][:4] == ["$0", "$500", "$1,000", "$1,500"]
    assert "7 Sep" in labels and labels[-1] == "Week starting"
    points = [tuple(map(float, p.split(","))) for p in series[0].find("polyline").get("points").split()]
    assert [x for x, _ in points] == sorted(x for x, _ in points) and points[-1][1] < points[0][1]  # rising
    cells = body_cells(table_of(html))
    assert len(cells) == 12
    assert cells[0] == ["Week of 7 Sep 2026", "$1,000.00 CAD", "$600.00 CAD"]
    assert cells[5] == ["Week of 12 Oct 2026", "$1,450.00 CAD", "no data"]


def test_time_chart_columns(render):
    rows = [(date(2026, 11, d), d * 3, d) for d in range(2, 9)]
    html = render('{{ time_chart(rows, "Bookings per day", [("booked", "Booked"), ("cancelled", "Cancelled")],'
                  ' period="day", style="columns", axis="Bookings", id="per-day") }}', rows=rows)
    svg = svg_of(html)
    assert_named_image(svg)
    columns = [rect for rect in svg.iter("rect") if rect.get("class") == "chart-column"]
    assert len(columns) == 14
    patterns = {p.get("id") for p in svg.iter("pattern")}
    assert patterns == {"per-day-hatch-1"}  # the second series is hatched, not only another colour
    assert {c.get("fill") for c in columns} == {"#0b5cad", "url(#per-day-hatch-1)"}
    assert columns[6].find("title").text == "Booked, Sun 8 Nov 2026: 24"
    assert columns[-1].find("title").text == "Cancelled, Sun 8 Nov 2026: 8"
    assert float(columns[6].get("height")) == pytest.approx(4 * float(columns[0].get("height")), abs=0.2)  # 24 vs 6
    first, second = columns[0], columns[7]  # 2 Nov's pair: side by side, centred over the date's label
    assert float(second.get("x")) == pytest.approx(float(first.get("x")) + float(first.get("width")))
    label = next(t for t in svg.iter("text") if t.text == "2 Nov")
    middle = (float(first.get("x")) + float(second.get("x")) + float(second.get("width"))) / 2
    assert middle == pytest.approx(float(label.get("x")), abs=0.2)
    assert texts(svg)[-1] == "Day" and "Bookings" in texts(svg)


def test_a_dense_time_chart_keeps_its_lines_apart_without_markers(render):
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(45)]
    rows = [(d, 90_000 + 1_000 * i, 60_000 + 700 * i, 30_000 + 300 * i, 2_000 * (i % 3)) for i, d in enumerate(days)]
    html = render('{{ time_chart(rows, "Revenue and payouts by day", series, kind="money", period="day") }}', rows=rows,
                  series=[("c", "Charged"), ("p", "Mechanics and workshops"), ("f", "Platform"), ("r", "Refunded")])
    svg = svg_of(html)
    assert not [p for g in svg.findall("g[@class='chart-series']") for p in g if p.get("class") == "chart-point"]
    lines = svg.findall("g[@class='chart-series']/polyline")
    assert len(lines) == 4 and len({line.get("stroke-dasharray") for line in lines}) == 4
    assert all(len(line.get("points").split()) == 45 for line in lines)
    legend = svg.find("g[@class='chart-legend']")
    assert [g.find("text").text for g in legend] == ["Charged", "Mechanics and workshops", "Platform", "Refunded"]
    corners = [[p.split(",")[0] for p in g[1].get("points", "").split()] for g in legend]
    shapes = [(g[1].tag, len(xs), len(set(xs))) for g, xs in zip(legend, corners)]
    assert shapes == [("circle", 0, 0), ("polygon", 4, 2), ("polygon", 3, 3), ("polygon", 4, 3)]  # ○ □ △ ◇
    labels = [t.text for t in svg.iter("text")]
    assert "1 Oct" in labels and len([t for t in labels if t.endswith(("Oct", "Nov"))]) <= 6  # thinned dates
    assert len(body_cells(table_of(html))) == 45


# heat_map

def test_heat_map(render):
    rows = [{"weekday": 2, "hour": 14, "count": 12}, {"weekday": 1, "hour": 9, "count": 3},
            {"weekday": 7, "hour": 23, "count": 1234}, {"weekday": 7, "hour": 23, "count": 1}]
    html = render('{{ heat_map(rows, "Peak booking hours", zone="America/Toronto") }}', rows=rows)
    svg = svg_of(html)
    assert_named_image(svg)
    cells = [rect for rect in svg.iter("rect") if rect.get("class") == "chart-cell"]
    assert len(cells) == 7 * 24 and all(cell.find("title") is not None for cell in cells)
    by_title = {cell.find("title").text: cell.get("fill") for cell in cells}
    assert by_title["Sun 11 PM–12 AM: 1,235 bookings"] == charts.HEAT[-1]
    assert by_title["Tue 2 PM–3 PM: 12 bookings"] == charts.HEAT[2]  # three levels here: the darker three shades
    assert by_title["Mon 12 AM–1 AM: 0 bookings"] == charts.HEAT[0]
    assert cells[9].find("title").text == "Mon 9 AM–10 AM: 3 bookings"
    labels = texts(svg)
    assert labels[:7] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert ["12 AM", "6 AM", "12 PM", "6 PM", "Hour of the day (America/Toronto)"] == labels[7:12]
    assert labels[12:] == ["Bookings:", "0", "1–500", "501–1,000", "1,001–1,500"]  # the legend, with its shades
    legend = svg.find("g[@class='chart-legend']")
    assert [rect.get("fill") for rect in legend.iter("rect")] == [charts.HEAT[0], *charts.HEAT[2:]]
    assert "Busiest: Sun 11 PM–12 AM: 1,235 bookings. 1,250 bookings in all." in svg.find("desc").text
    table = table_of(html)
    assert [th.text for th in table.find("thead/tr")] == ["Hour", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    cells = body_cells(table)
    assert len(cells) == 24 and cells[14] == ["2 PM", "0", "12", "0", "0", "0", "0", "0"]
    assert cells[23][7] == "1,235"
    assert [c.text for c in table.find("tfoot/tr")] == ["Total", "3", "12", "0", "0", "0", "0", "1,235"]


def test_heat_map_reads_database_rows(render):
    rows = [{"weekday": d, "hour": h, "bookings": 2 if (d, h) == (5, 17) else 0}
            for d in range(1, 8) for h in range(24)]
    html = render('{{ heat_map(rows, "Peak hours", count="bookings") }}', rows=rows)
    titles = [cell.find("title").text for cell in svg_of(html).iter("rect") if cell.get("class") == "chart-cell"]
    assert [t for t in titles if not t.endswith(": 0 bookings")] == ["Fri 5 PM–6 PM: 2 bookings"]


def test_heat_map_takes_tuples_and_says_one_booking(render):
    html = render('{{ heat_map([(3, 0, 1)], "Peak hours", unit=("visit", "visits")) }}')
    titles = [cell.find("title").text for cell in svg_of(html).iter("rect") if cell.get("class") == "chart-cell"]
    assert titles[48] == "Wed 12 AM–1 AM: 1 visit" and titles[49] == "Wed 1 AM–2 AM: 0 visits"


# histogram

def test_histogram(render):
    rows = [{"bucket": "Under 1 h", "n": 3}, {"bucket": "1–24 h", "n": 12}, {"bucket": "1–7 days", "n": 20},
            {"bucket": "Over a week", "n": 5}]
    html = render('{{ histogram(rows, "Booking lead time", label="bucket", count="n", category="Lead time") }}',
                  rows=rows)
    svg = svg_of(html)
    assert_named_image(svg)
    bars = [rect for rect in svg.iter("rect") if rect.get("class") == "chart-bar"]
    assert len(bars) == 4
    widths = [float(bar.get("width")) for bar in bars]
    assert widths == pytest.approx([widths[2] * n / 20 for n in (3, 12, 20, 5)], abs=0.2)
    assert ["3 · 7.5%", "12 · 30.0%", "20 · 50.0%", "5 · 12.5%"] == [t for t in texts(svg) if "·" in t]
    assert texts(svg)[-6:] == ["0", "5", "10", "15", "20", "Bookings"]
    assert "Most common: 1–7 days, 20 bookings (50.0%) of 40 bookings." in svg.find("desc").text
    table = table_of(html)
    assert [th.text for th in table.find("thead/tr")] == ["Lead time", "Bookings", "Share"]
    assert body_cells(table)[1] == ["1–24 h", "12", "30.0%"]
    assert [c.text for c in table.find("tfoot/tr")] == ["Total", "40", "100.0%"]


# the empty state, ids

@pytest.mark.parametrize("call", [
    '{{ bar_chart([], "Revenue") }}',
    '{{ time_chart([], "Revenue", [("r", "Revenue")]) }}',
    '{{ time_chart([(d, None)], "Revenue", [("r", "Revenue")]) }}',
    '{{ heat_map([], "Peak hours") }}',
    '{{ heat_map([(1, 9, 0)], "Peak hours") }}',
    '{{ histogram([], "Lead time") }}',
    '{{ histogram([("Under 1 h", 0)], "Lead time") }}',
])
def test_nothing_to_draw_says_so(render, call):
    html = render(call, d=date(2026, 11, 2))
    assert "Nothing in this range." in html
    assert "<svg" not in html and "<table" not in html


def test_charts_on_one_page_have_their_own_ids(render):
    html = render('{{ bar_chart(rows, "One") }}{{ bar_chart(rows, "Two") }}{{ bar_chart(rows, "Three", id="three") }}',
                  rows=[("a", 1)])
    ids = [el.get("id") for el in ET.fromstring(f"<root>{html.replace(' open>', '>')}</root>").iter() if el.get("id")]
    assert len(ids) == len(set(ids)) == 9 and "three-title" in ids


# the sample page in a real browser

def sample_page(render):
    """Every chart with made-up but plausible numbers, as an analytics page would show them."""
    mechanics = [("Alice Martin", Decimal("0.125"), 184_250, 2_410), ("Bob Okafor", Decimal("0.04"), 96_000, 1_380),
                 (SCRIPT, Decimal("0.0833"), 55_500, 905),
                 ("Maximilian Alexander Montgomery-Fitzgerald", Decimal("0.21"), 12_345, 240),
                 ("Chen Wei", Decimal("0"), 143_900, 1_975)]
    weeks = [{"week": w, "revenue": 180_000 + 23_000 * (i % 5) + 6_000 * i,
              "payouts": 120_000 + 14_000 * (i % 4) + 4_000 * i} for i, w in enumerate(WEEKS)]
    days = [(date(2026, 11, 2) + timedelta(days=i), 14 + 5 * (i % 3), 2 + i % 2) for i in range(7)]
    peaks = [(day, hour, max(0, (12 - abs(hour - 13)) * (3 if day < 6 else 1) + (day * hour) % 5 - 4))
             for day in range(1, 8) for hour in range(24)]
    lead = [("Under 1 h", 14), ("1–24 h", 52), ("1–3 days", 71), ("3–7 days", 38), ("Over a week", 9)]
    daily = [(date(2026, 10, 1) + timedelta(days=i), 40_000 + 9_000 * (i % 7), 28_000 + 6_000 * (i % 7),
              12_000 + 3_000 * (i % 7), 4_000 * (i % 5 == 0)) for i in range(45)]
    return render("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Charts sample · Auto Doctor</title><link rel="stylesheet" href="../../../static/site.css"></head>
<body><main id="main"><h1>Analytics</h1>
<div class="grid two">
<section class="card"><h2>No-show rate by mechanic</h2>
  {{ bar_chart(noshow, "No-show rate by mechanic", kind="percent", axis="No-show rate", category="Mechanic",
               table_open=True) }}</section>
<section class="card"><h2>Revenue by mechanic</h2>
  {{ bar_chart(revenue, "Revenue by mechanic", kind="money", axis="Revenue (CAD)", category="Mechanic") }}</section>
<section class="card"><h2>Revenue and payouts per week</h2>
  {{ time_chart(weeks, "Revenue and payouts per week", [("revenue", "Revenue"), ("payouts", "Payouts")],
                kind="money", x="week") }}</section>
<section class="card"><h2>Revenue by day</h2>
  {{ time_chart(daily, "Revenue and payouts by day", [("c", "Charged"), ("p", "Mechanics and workshops"),
                ("f", "Platform"), ("r", "Refunded")], kind="money", period="day") }}</section>
<section class="card"><h2>Bookings per day</h2>
  {{ time_chart(days, "Bookings per day", [("booked", "Booked"), ("cancelled", "Cancelled")], period="day",
                style="columns", axis="Bookings") }}</section>
<section class="card"><h2>Booking lead time</h2>
  {{ histogram(lead, "Booking lead time", category="Lead time", table_open=True) }}</section>
<section class="card"><h2>Minutes booked</h2>
  {{ bar_chart(minutes, "Minutes booked by mechanic", kind="minutes", axis="Minutes booked",
               category="Mechanic") }}</section>
<section class="card"><h2>Waitlist conversion</h2>{{ bar_chart([], "Waitlist conversion", kind="percent") }}</section>
</div>
<section class="card"><h2>Peak booking hours</h2>
  {{ heat_map(peaks, "Peak booking hours", zone="America/Toronto") }}</section>
</main></body></html>""", noshow=[(m[0], m[1]) for m in mechanics], revenue=[(m[0], m[2]) for m in mechanics],
                  minutes=[(m[0], m[3]) for m in mechanics], weeks=weeks, days=days, peaks=peaks, lead=lead,
                  daily=daily)


MEASURE = """() => [...document.querySelectorAll("svg.chart-svg")].map(svg => {
  const box = svg.viewBox.baseVal, scale = svg.getBoundingClientRect().width / box.width;
  const labels = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim()).map(t => {
    const b = t.getBBox();
    return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height,
            px: parseFloat(getComputedStyle(t).fontSize) * scale};
  });
  return {chart: svg.querySelector("title").textContent, width: box.width, height: box.height, labels};
})"""


def overlapping(one, other, slack=1.0):
    return (one["x"] + slack < other["x"] + other["w"] and other["x"] + slack < one["x"] + one["w"]
            and one["y"] + slack < other["y"] + other["h"] and other["y"] + slack < one["y"] + one["h"])
