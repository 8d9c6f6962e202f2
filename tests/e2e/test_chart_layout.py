"""The charts of templates/_charts.html in the system Chromium (the shared browser of tests/e2e): a sample page
with every kind at 1280 and 390 px, screenshots in var/screenshots/charts/, and every label at least 12 px
high, inside its chart and clear of the others."""
from modules.test_charts import MEASURE, SHOTS, overlapping, render, sample_page  # noqa: F401 (render is a fixture)


def test_sample_page_in_chromium(render, browser):  # noqa: F811 (the fixture imported above)
    SHOTS.mkdir(parents=True, exist_ok=True)
    sample = SHOTS / "sample.html"
    sample.write_text(sample_page(render), encoding="utf-8")
    problems = []
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(sample.as_uri())
        assert page.evaluate("getComputedStyle(document.body).display") == "flex"  # site.css is linked
        page.screenshot(path=str(SHOTS / f"sample-{width}.png"), full_page=True)
        measured = page.evaluate(MEASURE)
        assert len(measured) == 8 and page.get_by_text("Nothing in this range.").count() == 1
        assert page.evaluate("document.querySelectorAll('script').length") == 0  # the name stayed text
        for chart in measured:
            for label in chart["labels"]:
                where = f"{chart['chart']} at {width} px: {label['text']!r}"
                if label["px"] < 12:
                    problems.append(f"{where} is {label['px']:.1f} px high")
                if not (-0.5 <= label["x"] and label["x"] + label["w"] <= chart["width"] + 0.5
                        and -0.5 <= label["y"] and label["y"] + label["h"] <= chart["height"] + 0.5):
                    problems.append(f"{where} runs out of the chart")
            problems += [f"{chart['chart']} at {width} px: {a['text']!r} overlaps {b['text']!r}"
                         for i, a in enumerate(chart["labels"]) for b in chart["labels"][i + 1:]
                         if overlapping(a, b)]
        page.close()
    assert not problems
