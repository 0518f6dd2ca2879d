"""Draw a chart with matplotlib: SVG and PNG bytes, the same on every machine.

Drawn output is deterministic: fixed ``svg.hashsalt``, no dates, text kept as
``<text>`` (``svg.fonttype: none``) with ``text.parse_math`` off, so ``$`` and
backslashes print as written. Layout uses DejaVu Sans, which ships with matplotlib
and covers Vietnamese; the SVG names a family list so browsers may use the site's
font. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from generator.figures.colours import (
    AXIS_INK,
    DERIVED_HATCH,
    MUTED_INK,
    TEXT_INK,
    Style,
)
from generator.figures.data import Chart
from generator.figures.fonts import LAYOUT_FONT, SVG_FONTS
from generator.figures.layout import (
    SIZE_SOURCE,
    SIZE_TEXT,
    SIZE_TITLE,
    WIDTH_PT,
    WRAP_TITLE,
    chart_height,
    fix_layout,
    wrap_even,
)
from generator.figures.marks import (
    bar_style,
    draw_bars,
    draw_line,
    line_style,
    suppressed_style,
)
from generator.figures.text import series_label, words_for

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


PNG_DPI = 120  # 1200 px wide: the size social networks ask for


def _rc(ident: str) -> dict[str, Any]:
    return {
        "svg.fonttype": "none",  # text stays text: searchable, selectable, translatable
        "svg.hashsalt": "proceedings",  # stable ids for clip paths and hatches
        "svg.id": f"fig-{ident}",
        "text.parse_math": False,  # "$5" and "x_1" are labels, not TeX
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.sans-serif": [LAYOUT_FONT],
        "font.size": 10,
        "text.color": TEXT_INK,
        "axes.labelcolor": MUTED_INK,
        "axes.edgecolor": AXIS_INK,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": True,
        "xtick.color": AXIS_INK,
        "ytick.color": AXIS_INK,
        "xtick.labelcolor": TEXT_INK,
        "ytick.labelcolor": TEXT_INK,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "hatch.linewidth": 1.0,
        "figure.constrained_layout.w_pad": 10 / 72,
        "figure.constrained_layout.h_pad": 8 / 72,
    }


def render_chart(
    chart: Chart,
    style: Style,
    alt: str,
    lang: str,
    *,
    png: bool,
    data_sha256: str = "",
) -> tuple[bytes, bytes]:
    """Draw a chart; return its SVG (with title and description) and maybe a PNG.

    The SVG's ``<metadata>`` (Dublin Core) names the sources and, given data_sha256,
    the SHA-256 of the figure's data table, the CSV published beside it
    (docs/provenance.md).
    """
    import matplotlib
    from matplotlib.figure import Figure

    settings: Any = _rc(chart.spec.id)  # mypy's rcParams keys are a Literal
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # not the user's matplotlibrc: same bytes everywhere
        matplotlib.rcParams.update(settings)
        fig = Figure(
            figsize=(WIDTH_PT / 72, chart_height(chart) / 72), layout="constrained"
        )
        ax = fig.add_subplot()
        _header(fig, chart, lang)
        _legend(ax, chart, style, lang)
        if chart.kind == "line":
            draw_line(fig, ax, chart, style, lang)
        else:
            draw_bars(fig, ax, chart, style, lang)
        fix_layout(fig)
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata=svg_metadata(chart, lang, data_sha256))
        svg = _finish_svg(out.getvalue(), chart.spec.id, chart.spec.title, alt)
        image = b""
        if png:
            out = io.BytesIO()
            fig.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": None})
            image = out.getvalue()
    return svg, image


def svg_metadata(chart: Chart, lang: str, data_sha256: str) -> dict[str, Any]:
    """Return the SVG's Dublin Core metadata: sources, data hash, data file."""
    meta: dict[str, Any] = {"Date": None, "Creator": None, "Language": lang}
    if chart.source_note:
        meta["Source"] = chart.source_note
    if data_sha256:
        meta["Identifier"] = f"sha256:{data_sha256}"
        meta["Relation"] = f"{chart.spec.id}.csv"
    return meta


def _header(fig: Figure, chart: Chart, lang: str) -> None:
    """Title at the top left, source at the bottom."""
    fig.suptitle(
        "\n".join(wrap_even(chart.spec.title, WRAP_TITLE)),
        x=12 / WIDTH_PT,
        ha="left",
        fontsize=SIZE_TITLE,
        fontweight="bold",
        color=TEXT_INK,
    )
    if chart.source_note:
        note = f"{words_for(lang)['source']}: {chart.source_note}"
        fig.supxlabel(
            "\n".join(wrap_even(note, 120)),
            x=12 / WIDTH_PT,
            ha="left",
            fontsize=SIZE_SOURCE,
            color=MUTED_INK,
        )


def _legend(ax: Axes, chart: Chart, style: Style, lang: str) -> None:
    """Put the legend in a row above the plot, where it never covers a bar."""
    handles = _legend_handles(chart, style, lang)
    if handles:
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.02),
            ncols=min(len(handles), 3),
            frameon=False,
            fontsize=SIZE_TEXT,
            handlelength=1.6,
            borderaxespad=0,
            borderpad=0,
        )


def _legend_handles(chart: Chart, style: Style, lang: str) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    line = chart.kind == "line"
    handles: list[Any] = []
    partly_derived = False
    for i, series in enumerate(chart.series):
        derived = series.all_derived
        partly_derived |= not derived and any(p and p.derived for p in series.points)
        if len(chart.series) == 1 and not derived:
            continue
        label = (
            series_label(series, lang)
            if series.label or derived
            else words_for(lang)["derived_legend"]
        )
        if line:
            handles.append(Line2D([], [], label=label, **line_style(style, i, derived)))
        else:
            handles.append(Patch(label=label, **bar_style(style, i, derived)))
    if partly_derived:
        label = words_for(lang)["derived_legend"]
        if line:
            handles.append(_hollow_marker(label, "o", "--"))
        else:
            handles.append(
                Patch(
                    label=label,
                    facecolor="white",
                    edgecolor=MUTED_INK,
                    hatch=DERIVED_HATCH,
                    hatchcolor=MUTED_INK,
                )
            )
    if any(p.suppressed for p in chart.points):  # docs/suppression.md
        label = words_for(lang)["suppressed_legend"]
        if line:
            handles.append(_hollow_marker(label, "v", ":"))
        else:
            handles.append(Patch(label=label, **suppressed_style(MUTED_INK)))
    return handles


def _hollow_marker(label: str, marker: str, linestyle: str) -> Any:
    """A legend entry for a line chart's special points: derived or masked values."""
    from matplotlib.lines import Line2D

    look: dict[str, Any] = {"linestyle": linestyle}  # ":" or "--"
    return Line2D(
        [],
        [],
        label=label,
        color=MUTED_INK,
        marker=marker,
        markerfacecolor="white",
        markersize=7,
        **look,
    )


def _finish_svg(raw: bytes, ident: str, title: str, desc: str) -> bytes:
    """Name the fonts browsers may use, and give the SVG a title and description."""
    text = raw.decode("utf-8")
    text = text.replace(
        f"font-family: '{LAYOUT_FONT}', sans-serif", f"font-family: {SVG_FONTS}"
    )
    start = text.index("<svg ")
    end = text.index(">", start)
    title_id, desc_id = f"fig-{ident}-title", f"fig-{ident}-desc"
    head = (
        f'{text[start:end]} role="img"'
        f" aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>"
        f'\n <title id="{title_id}">{escape(title)}</title>'
        f'\n <desc id="{desc_id}">{escape(desc)}</desc>'
    )
    return (text[:start] + head + text[end + 1 :]).encode("utf-8")
