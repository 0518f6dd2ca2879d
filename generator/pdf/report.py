"""Turn what a PDF worker said into problems, placed where their cause is written.

Refused URLs at the line that names them, system fonts at the conference's data
file, WeasyPrint's warnings in the narrative or stylesheet they come from.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import Pos, Problems
from generator.i18n import t
from generator.model import Narrative, Site
from generator.pdf.fetch import TEMPLATE, find_in_text, find_in_theme, report_refusal
from generator.pdf.worker import Job, Outcome
from generator.site.theme import project_path, static_files


def report_outcome(
    job: Job,
    outcome: Outcome,
    narratives: Sequence[Narrative],
    site: Site,
    problems: Problems,
) -> bool:
    """Turn what a worker said into problems; True if the PDF can be cached."""
    if outcome.error:
        problems.add(
            Pos(job.data_file),
            t(
                "could not make the PDF brief {path}: {error}",
                path=job.path,
                error=outcome.error,
            ),
            t("see docs/pdf.md (Limits); with ordinary content, this is a bug"),
        )
        return False
    refusals = [r for r in dict.fromkeys(outcome.refusals) if r.url not in job.reported]
    for refusal in refusals:
        report_refusal(refusal, find_in_theme(refusal.url, site), problems)
    for family in outcome.fallback_fonts:
        problems.warn(
            Pos(job.data_file),
            t(
                "the PDF brief {path} uses the system font '{family}' for characters "
                "its fonts lack",
                path=job.path,
                family=family,
            ),
            t(
                "add a font with those characters under themes/site/static/fonts/ "
                "and name it in brief.css (docs/pdf.md, Fonts)"
            ),
        )
    for message in outcome.messages:
        _report_message(message, narratives, site, problems)
    return not (outcome.refusals or outcome.fallback_fonts or outcome.messages)


def _report_message(
    message: str, narratives: Sequence[Narrative], site: Site, problems: Problems
) -> None:
    """Report a WeasyPrint warning where its cause is written, if it can be found."""
    quoted = re.search(r'"([^"]+)"', message)
    if quoted is None:
        problems.warn(
            _stylesheet_pos(message, site),
            t("PDF renderer: {message}", message=message),
        )
        return
    url = quoted.group(1)
    name = posixpath.basename(urlsplit(url).path)
    written = re.sub(r"^[0-9a-f]{8}-", "", name)  # the Markdown stage's media/<hash>-
    in_narrative = next(
        (
            found
            for needle in dict.fromkeys((url, name, written))
            for n in narratives
            if needle
            and (found := find_in_text(n.body, needle, n.path, n.body_line)) is not None
        ),
        None,
    )
    pos = in_narrative or find_in_theme(url, site)
    if "has no required alt description" in message:
        if in_narrative is not None:
            return  # the Markdown stage has warned at the image, with its line
        problems.warn(
            pos,
            t(
                "image '{src}' has no alt text, which the tagged PDF needs",
                src=written or url,
            ),
            t("describe what it shows: ![description](file)"),
        )
    else:
        problems.warn(pos, t("PDF renderer: {message}", message=message))


def _stylesheet_pos(message: str, site: Site) -> Pos:
    """Place a renderer warning ("... at 12:3 ...") in the brief's stylesheet."""
    css = static_files(site.root, site.config.theme).get("static/css/brief.css")
    path = project_path(css, site.root) if css else Path(TEMPLATE)
    at = re.search(r"\bat (\d+):(\d+)\b", message)
    return Pos(path, int(at.group(1)), int(at.group(2))) if at else Pos(path)
