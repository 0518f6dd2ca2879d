"""Moving and shrinking a figure in a brief's HTML, to fill a hole on a page."""

from __future__ import annotations

from generator.pdf.holes import defer_figure, shrink_figure

FIG = '<figure class="figure" id="f"><img src="a.svg" style="width: 380.8pt"></figure>'


def test_a_figure_waits_for_the_paragraph_after_it() -> None:
    html = f"<section><h2>T</h2><p>a</p>{FIG}<p>b</p><p>c</p></section>"
    assert defer_figure(html, "f") == (
        f"<section><h2>T</h2><p>a</p><p>b</p>\n{FIG}<p>c</p></section>"
    )


def test_a_figure_may_pass_a_subheading_but_never_leaves_its_section() -> None:
    html = f"<section><p>a</p>{FIG}<h3>S</h3><ul><li>b</li></ul></section><p>x</p>"
    assert defer_figure(html, "f") == (
        f"<section><p>a</p><h3>S</h3><ul><li>b</li></ul>\n{FIG}</section><p>x</p>"
    )
    last = f"<section><p>a</p>{FIG}</section><section><p>b</p></section>"
    assert defer_figure(last, "f") is None
    assert defer_figure(last, "other") is None


def test_a_figure_can_be_printed_smaller() -> None:
    html = f"<p>a</p>{FIG}"
    assert shrink_figure(html, "f", 0.9) == html.replace("380.8pt", "342.7pt")
