"""Narrative Markdown to HTML, with indicator citations, figure placements and headings.

Modules: ``pieces`` (what the stage makes), ``parser`` (markdown-it-py with our
syntax), ``checks`` (references, links, images), ``sanitise`` (raw HTML under
``allow_html``) and ``render`` (the stage). The names callers use are re-exported.
"""

from generator.markdown.checks import (
    IMAGE_TYPES,
    LINK_SCHEMES,
    MAX_IMAGE_BYTES,
    Unloaded,
)
from generator.markdown.parser import (
    MAX_COLUMNS,
    MAX_LINES,
    MAX_MARKUP,
    MAX_NESTING,
    MAX_RUN,
    SAFETY_SECONDS,
    check_limits,
    cite_text,
    time_limit,
)
from generator.markdown.pieces import FigureRef, Heading, RenderedNarrative, section_id
from generator.markdown.render import (
    check_unloaded,
    render_narrative,
    render_narratives,
)
from generator.markdown.sanitise import HTML_ATTRIBUTES, HTML_TAGS, sanitise_html

__all__ = [
    "HTML_ATTRIBUTES",
    "HTML_TAGS",
    "IMAGE_TYPES",
    "LINK_SCHEMES",
    "MAX_COLUMNS",
    "MAX_IMAGE_BYTES",
    "MAX_LINES",
    "MAX_MARKUP",
    "MAX_NESTING",
    "MAX_RUN",
    "SAFETY_SECONDS",
    "FigureRef",
    "Heading",
    "RenderedNarrative",
    "Unloaded",
    "check_limits",
    "check_unloaded",
    "cite_text",
    "render_narrative",
    "render_narratives",
    "sanitise_html",
    "section_id",
    "time_limit",
]
