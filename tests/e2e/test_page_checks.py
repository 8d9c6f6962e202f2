"""The checks every browser test gets (page_checks.py) do find problems: a page with an image without a text
alternative, a form inside a paragraph and an unlabelled field is reported by axe and by the Nu HTML Checker,
one readable line each; a sound page is not."""
from .page_checks import Document

BAD = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bad · Auto Doctor</title></head><body>'
       '<main><h1>Bad</h1><p><form method="post"><input name="q"></form></p><img src="/static/none.png"></main>'
       '</body></html>')
GOOD = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Good · Auto Doctor</title></head><body>'
        '<main><h1>Good</h1><form method="post"><label for="q">Search</label><input id="q" name="q"></form></main>'
        '</body></html>')


def test_a_bad_page_is_reported_by_both_checkers_and_a_good_one_is_not(browser, live_server, page_checks):
    for number, html in ((1, BAD), (2, GOOD)):
        page_checks.documents.append(Document(f"{live_server}/page-checks-sample-{'x' * number}", 200,
                                              "text/html; charset=utf-8", html, {}))
    problems = page_checks.finish(browser)
    bad = f"{live_server}/page-checks-sample-x"
    assert any(line.startswith(f"axe image-alt (critical) on {bad}:") for line in problems), problems
    assert any(line.startswith(f"axe label (critical) on {bad}:") for line in problems), problems
    assert any(line.startswith(f"HTML 200 {bad} line 1: No “p” element in scope") for line in problems), problems
    assert not [line for line in problems if "sample-xx" in line], problems
