"""proceedings: turn conference data and narratives into a static site and PDF briefs."""

__version__ = "0.1.0"
