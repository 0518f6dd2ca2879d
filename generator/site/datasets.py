"""Each conference's numbers as downloadable data: ``<slug>/<slug>.json`` and ``.csv``.

The files sit next to the conference page, which links to them. Numbers are written
the way programs read them (``17800``, ``9.4``), not the way the page prints them
(``17.800``, ``9,4``). The CSV is UTF-8 with a byte-order mark and CRLF line ends, so
Excel opens Vietnamese text correctly; the JSON also carries the conference's facts
and sources. A small count masked by suppress_below is "< N" in the CSV and null in
the JSON, with its change and quote left out (docs/suppression.md). Output depends
only on the data: same input, same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.model import (
    Conference,
    Entry,
    Indicator,
    explain_previous,
    masked_threshold,
)

CSV_COLUMNS = (
    "id",
    "label",
    "value",
    "unit",
    "kind",
    "approx",
    "period",
    "group",
    "change",
    "previous",
    "previous_derived",
    "previous_derivation",
    "compared_to",
    "derived",
    "derivation",
    "source",
    "source_title",
    "quote",
    "note",
)
FORMAT_VERSION = 1


def dataset_paths(slug: str) -> tuple[str, str]:
    """Return the output paths of a conference's JSON and CSV files."""
    return f"{slug}/{slug}.json", f"{slug}/{slug}.csv"


def dataset_json(entry: Entry, base_url: str = "") -> bytes:
    """Return the conference's facts, indicators and sources as UTF-8 JSON."""
    conf = entry.data
    record = {
        "format_version": FORMAT_VERSION,
        "conference": _conference_record(entry, base_url),
        "indicators": [_indicator_record(conf, ind) for ind in conf.indicators],
        # Every other entry the page states, and where it comes from (provenance.md)
        "claims": [
            {
                "field": loc[0],
                "what": what,
                "label": claim.label,
                "source": claim.source,
                "quote": claim.quote,
                "editorial": claim.editorial,
            }
            for loc, what, claim in conf.claims()
        ],
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "author": s.author,
                "publisher": s.publisher,
                "published": s.published.isoformat() if s.published else None,
                "url": s.url,
            }
            for s in conf.sources
        ],
    }
    text = json.dumps(record, ensure_ascii=False, indent=2, default=_json_default)
    return (text + "\n").encode("utf-8")


def dataset_csv(entry: Entry) -> bytes:
    """Return one CSV row per indicator, UTF-8 with a BOM so Excel reads the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ind in entry.data.indicators:
        row = _indicator_record(entry.data, ind)
        writer.writerow(_csv_cell(row[column]) for column in CSV_COLUMNS)
    return buffer.getvalue().encode("utf-8-sig")


def _conference_record(entry: Entry, base_url: str) -> dict[str, Any]:
    conf = entry.data
    page = f"{base_url.rstrip('/')}/{entry.slug}/" if base_url else None
    return {
        "slug": entry.slug,
        "title": conf.title,
        "short_title": conf.short_title,
        "series": conf.series,
        "period": {
            "label": conf.period.label,
            "start": conf.period.start.isoformat(),
            "end": conf.period.end.isoformat(),
        },
        "dates": [day.isoformat() for day in conf.dates],
        "published": conf.published.isoformat() if conf.published else None,
        "venue": conf.venue,
        "organisers": [o.name for o in conf.organisers],
        "summary": conf.summary.text if conf.summary else None,
        "url": page,
    }


def _indicator_record(conf: Conference, ind: Indicator) -> dict[str, Any]:
    sources = {s.id: s for s in conf.sources}
    source = sources.get(ind.source)
    return {
        "id": ind.id,
        "label": ind.label,
        "value": ind.value,
        "unit": ind.unit,
        "kind": ind.kind,
        "approx": ind.approx,
        "period": ind.period or conf.period.label,
        "group": ind.group,
        "change": ind.change,
        "previous": ind.previous_value,
        "previous_derived": ind.previous_derived,
        # how a derived compared value was computed: "tính từ mức giảm 31 vụ"
        "previous_derivation": (
            None
            if ind.change_masked
            else explain_previous(ind).replace("\u00a0", " ") or None
        ),
        "compared_to": ind.compared_to,
        "derived": ind.derived,
        "derivation": ind.derivation,
        "source": ind.source,
        "source_title": source.title if source else None,
        "quote": ind.quote,
        "note": ind.note,
    } | (_masked_fields(ind) if ind.change_masked else {})


@dataclass(frozen=True, slots=True)
class _Masked:
    """A number suppress_below hides: null in JSON, "< N" in CSV."""

    text: str


def _masked_fields(ind: Indicator) -> dict[str, Any]:
    """Hide a small count and what would give it away (docs/suppression.md)."""
    shown = _Masked(f"< {masked_threshold(ind):f}")
    fields: dict[str, Any] = {"change": None, "quote": None}
    if ind.masked:
        fields["value"] = shown
    if ind.previous_masked:
        fields["previous"] = shown
    fields["suppressed_below"] = ind.suppress_below
    return fields


def _json_default(value: object) -> object:
    if isinstance(value, _Masked):
        return None
    if isinstance(value, Decimal):
        # A whole number stays an integer; 9.4 prints as 9.4 (shortest round trip).
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, _Masked):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)
