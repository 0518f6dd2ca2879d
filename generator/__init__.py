"""proceedings: conference data and narratives to a static site and PDF briefs."""

__version__ = "0.1.0"
