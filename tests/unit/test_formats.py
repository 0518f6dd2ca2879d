"""Vietnamese numbers, quantities, changes, dates and slugs."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from generator.formats import (
    fold,
    format_bytes,
    format_change,
    format_date,
    format_dates,
    format_long_date,
    format_number,
    format_quantity,
    slugify,
)

NBSP = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1317, "1.317"),
        (17800, "17.800"),
        (600000, "600.000"),
        (2400, "2.400"),
        (460000, "460.000"),
        (232, "232"),
        (0, "0"),
        (999, "999"),
        (1000, "1.000"),
        (1234567, "1.234.567"),
        (Decimal("9.4"), "9,4"),
        (Decimal("7.7"), "7,7"),
        (Decimal("9.40"), "9,4"),
        (Decimal("1317.0"), "1.317"),
        (Decimal("12345.678"), "12.345,678"),
        (Decimal("0.05"), "0,05"),
        (Decimal("1E+3"), "1.000"),
        (9.4, "9,4"),
        (1317.0, "1.317"),
    ],
)
def test_format_number_vietnamese(value: Decimal | int | float, text: str) -> None:
    assert format_number(value) == text
    assert format_number(value, "vi") == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-31, f"{MINUS}31"),
        (-1317, f"{MINUS}1.317"),
        (Decimal("-9.4"), f"{MINUS}9,4"),
        (Decimal("-0.5"), f"{MINUS}0,5"),
    ],
)
def test_format_number_negative_uses_a_minus_sign(
    value: Decimal | int, text: str
) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("9.4"), 1, "9,4"),
        (Decimal("9.4"), 2, "9,40"),
        (Decimal("9.44"), 1, "9,4"),
        (Decimal("9.46"), 1, "9,5"),
        (Decimal("1317"), 1, "1.317,0"),
        (Decimal("1317.26"), 0, "1.317"),
        (Decimal("7.75"), 1, "7,8"),
        (Decimal("0.25"), 1, "0,3"),
        (Decimal("2.5"), 0, "3"),
    ],
)
def test_format_number_with_fixed_decimals_rounds_half_up(
    value: Decimal, decimals: int, text: str
) -> None:
    # Reports round 0,25 to 0,3 as readers were taught, not to the even 0,2.
    assert format_number(value, "vi", decimals) == text


def test_format_number_english() -> None:
    assert format_number(1317, "en") == "1,317"
    assert format_number(Decimal("9.4"), "en") == "9.4"
    assert format_number(Decimal("12345.5"), "en") == "12,345.5"


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert format_number(1317, "fr") == "1.317"


@pytest.mark.parametrize(
    ("value", "unit", "approx", "text"),
    [
        (Decimal(20), "tỷ đồng", "more_than", f"hơn 20{NBSP}tỷ đồng"),
        (Decimal(600000), "trẻ em", "nearly", f"gần 600.000{NBSP}trẻ em"),
        (Decimal(1317), "vụ", "exact", f"1.317{NBSP}vụ"),
        (Decimal("9.4"), "tỷ đồng", "exact", f"9,4{NBSP}tỷ đồng"),
        (Decimal(100), "người", "about", f"khoảng 100{NBSP}người"),
        (Decimal(5), "%", "less_than", "dưới 5%"),
        (Decimal("12.5"), "%", "exact", "12,5%"),
    ],
)
def test_format_quantity(value: Decimal, unit: str, approx: str, text: str) -> None:
    assert format_quantity(value, unit, approx) == text


def test_format_quantity_english() -> None:
    assert format_quantity(Decimal(20), "billion VND", "more_than", "en") == (
        f"over 20{NBSP}billion VND"
    )


def test_format_quantity_with_no_unit_is_the_number() -> None:
    assert format_quantity(Decimal(1317), "") == "1.317"


@pytest.mark.parametrize(
    ("change", "unit", "text"),
    [
        (Decimal(-31), "vụ", f"giảm 31{NBSP}vụ"),
        (Decimal(-39), "trẻ em", f"giảm 39{NBSP}trẻ em"),
        (Decimal(5), "vụ", f"tăng 5{NBSP}vụ"),
        (Decimal(-1317), "vụ", f"giảm 1.317{NBSP}vụ"),
        (Decimal("-2.5"), "tỷ đồng", f"giảm 2,5{NBSP}tỷ đồng"),
        (Decimal(0), "vụ", "không đổi"),
    ],
)
def test_format_change(change: Decimal, unit: str, text: str) -> None:
    assert format_change(change, unit) == text


def test_format_change_english() -> None:
    assert format_change(Decimal(-31), "cases", "en") == f"down 31{NBSP}cases"
    assert format_change(Decimal(0), "cases", "en") == "unchanged"


def test_format_dates() -> None:
    day = dt.date(2024, 7, 5)
    assert format_date(day) == "5/7/2024"
    assert format_date(day, "en") == "5 July 2024"
    assert format_long_date(day) == "ngày 5 tháng 7 năm 2024"
    assert format_dates([]) == ""
    assert format_dates([day]) == "5/7/2024"
    assert format_dates([dt.date(2024, 7, 6), day]) == "5/7/2024 \u2013 6/7/2024"


def test_format_bytes() -> None:
    assert format_bytes(412 * 1024) == "412 KB"
    assert format_bytes(100) == "1 KB"
    assert format_bytes(int(1.2 * 1024 * 1024)) == "1,2 MB"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        (
            "Hội nghị công tác trẻ em khu vực phía Nam",
            "hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam",
        ),
        ("Đ", "d"),
        ("đ", "d"),
        ("Đà Nẵng", "da-nang"),
        ("ĐỒNG THÁP", "dong-thap"),
        ("Trẻ em phía Nam", "tre-em-phia-nam"),
        ("Ưu tiên: số 1!", "uu-tien-so-1"),
        ("  --Hà  Nội--  ", "ha-noi"),
        ("13/2021/TT-LĐTBXH", "13-2021-tt-ldtbxh"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_slugify_vietnamese(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_nfd_equals_nfc() -> None:
    text = "Hội nghị công tác trẻ em khu vực phía Nam"
    assert slugify(unicodedata.normalize("NFD", text)) == slugify(text)


@pytest.mark.parametrize(
    "text", ["Xâm hại trẻ em", "Ủy ban", "x\u200by", "ǅ", "Æsir", "ﬁx"]
)
def test_slugify_is_ascii_lowercase_digits_and_dashes(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug)
    assert not slug.startswith("-") and not slug.endswith("-")
    assert "--" not in slug


def test_fold_strips_diacritics_for_search() -> None:
    assert fold("Xâm HẠI trẻ em") == "xam hai tre em"
