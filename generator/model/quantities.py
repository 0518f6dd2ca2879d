"""How an indicator's numbers read: the one way pages, figures and PDFs write them."""

from __future__ import annotations

from decimal import Decimal

from generator.formats import (
    format_change,
    format_number,
    format_quantity,
    format_suppressed,
    unit_scale,
)
from generator.model.indicators import Indicator

_DIRECTION = {
    "vi": ("giảm", "tăng", "không đổi"),
    "en": ("down", "up", "unchanged"),
}


def masked_threshold(ind: Indicator) -> Decimal:
    """Return the threshold of ind in its own unit (300; 0.0003 for 'triệu …')."""
    scale = unit_scale(ind.unit)
    threshold = Decimal(ind.suppress_below or 0)
    return threshold if scale == 1 else (threshold / scale).normalize()


def masked_number_text(ind: Indicator, lang: str) -> str:
    """Return "< N" for a masked count of ind, N in its unit ('< 300')."""
    return format_suppressed(masked_threshold(ind), lang)


def _with_unit(text: str, unit: str) -> str:
    return f"{text}\u00a0{unit}" if unit and unit != "%" else f"{text}{unit}"


def number_text(ind: Indicator, lang: str) -> str:
    """Return the value alone, as printed: '1.317', or '< 300' when masked."""
    if ind.masked:
        return masked_number_text(ind, lang)
    return format_number(ind.value, lang)


def quantity_text(ind: Indicator, lang: str) -> str:
    """Return the value with qualifier and unit: 'hơn 20 tỷ đồng', '< 300 trẻ em'."""
    if ind.masked:
        return _with_unit(masked_number_text(ind, lang), ind.unit)
    return format_quantity(ind.value, ind.unit, ind.approx, lang)


def previous_text(ind: Indicator, lang: str) -> str:
    """Return the compared value with its unit, or '' when there is none."""
    previous = ind.previous_value
    if previous is None:
        return ""
    if ind.previous_masked:
        return _with_unit(masked_number_text(ind, lang), ind.unit)
    return format_quantity(previous, ind.unit, "exact", lang)


def change_text(ind: Indicator, lang: str) -> str:
    """Return the stated change in words ('giảm 31 vụ'); 'giảm' alone when masked."""
    if ind.change is None:
        return ""
    if ind.change_masked:
        down, up, same = _DIRECTION.get(lang, _DIRECTION["vi"])
        return down if ind.change < 0 else up if ind.change > 0 else same
    return format_change(ind.change, ind.unit, lang)


def explain_change(change: Decimal, unit: str, lang: str = "vi") -> str:
    """Explain a compared value computed from a change: 'tính từ mức giảm 31 vụ'."""
    stated = format_change(change, unit, lang)
    if lang == "en":
        return f"from the stated change, {stated}"
    return f"tính từ mức {stated}"


def explain_previous(indicator: Indicator, lang: str = "vi") -> str:
    """Explain an indicator's compared value when it is derived from its change."""
    if indicator.change is None or indicator.previous is not None:
        return ""
    return explain_change(indicator.change, indicator.unit, lang)


def derivation_note(indicator: Indicator, lang: str) -> str:
    """Explain a derived compared value: 'tính từ mức giảm 31 vụ'."""
    assert indicator.change is not None
    note = explain_change(indicator.change, indicator.unit, lang)  # one wording
    if indicator.change_masked:  # 'tính từ mức giảm': the number would give it away
        stated = format_change(indicator.change, indicator.unit, lang)
        note = note.replace(stated, change_text(indicator, lang))
    return note
