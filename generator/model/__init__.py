"""The typed content model: what a site.yaml, a data file and a narrative may say.

Field names are the YAML keys. Models are frozen and forbid unknown keys, so a
misspelt key is an error with a "did you mean" hint. Every plain YAML scalar arrives
here as the text the author typed; these types decide what becomes a number or date.
"""

from generator.model.base import (
    MAX_DIGITS,
    MAX_PLACES,
    Approx,
    Id,
    Kind,
    Lang,
    Number,
    Strict,
    Text,
    Threshold,
    Untranslated,
)
from generator.model.conference import (
    Conference,
    FollowUp,
    FollowUpReport,
    LegalDocument,
    Period,
    Session,
    Source,
    Speaker,
)
from generator.model.content import (
    Entry,
    FrontMatter,
    Narrative,
    Site,
    TranslatedFrontMatter,
)
from generator.model.figures import (
    FigureSeries,
    FigureSpec,
)
from generator.model.indicators import Check, Derive, Indicator
from generator.model.positions import Loc, Positions
from generator.model.quantities import (
    change_text,
    derivation_note,
    explain_change,
    explain_previous,
    masked_number_text,
    masked_threshold,
    number_text,
    previous_text,
    quantity_text,
)
from generator.model.site import SeriesSettings, SiteConfig, Theme

__all__ = [
    "MAX_DIGITS",
    "MAX_PLACES",
    "Approx",
    "Check",
    "Conference",
    "ConferenceEn",
    "Derive",
    "Entry",
    "FigureSeries",
    "FigureSeriesEn",
    "FigureSpec",
    "FigureSpecEn",
    "FollowUp",
    "FollowUpEn",
    "FollowUpReport",
    "FollowUpReportEn",
    "FrontMatter",
    "Id",
    "Indicator",
    "IndicatorEn",
    "Kind",
    "Lang",
    "LegalDocument",
    "LegalDocumentEn",
    "Loc",
    "Narrative",
    "Number",
    "Period",
    "PeriodEn",
    "Positions",
    "SeriesSettings",
    "Session",
    "SessionEn",
    "Site",
    "SiteConfig",
    "SiteEn",
    "Source",
    "Speaker",
    "SpeakerEn",
    "Strict",
    "Text",
    "Theme",
    "Threshold",
    "TranslatedFrontMatter",
    "Untranslated",
    "change_text",
    "derivation_note",
    "explain_change",
    "explain_previous",
    "masked_number_text",
    "masked_threshold",
    "number_text",
    "previous_text",
    "quantity_text",
]
