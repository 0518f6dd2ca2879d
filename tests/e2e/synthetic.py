"""A synthetic conference for layout tests: many figures among paragraphs of prose."""

from __future__ import annotations

from pathlib import Path

SLUG = "nhieu-hinh"
PROVINCES = [
    "An Giang", "Bà Rịa \u2013 Vũng Tàu", "Bạc Liêu", "Bến Tre", "Bình Dương",
    "Bình Phước", "Cà Mau", "Cần Thơ", "Đồng Nai", "Đồng Tháp", "Hậu Giang",
    "Kiên Giang", "Long An", "Sóc Trăng", "Tây Ninh", "Tiền Giang",
    "Thành phố Hồ Chí Minh", "Trà Vinh", "Vĩnh Long",
]  # fmt: skip
SENTENCE = (
    "Các địa phương đã triển khai nhiều hoạt động chăm sóc, bảo vệ trẻ em theo "
    "Thông tư 13/2021/TT-LĐTBXH và Chỉ thị số 28-CT/TW, với kinh phí 9,4 tỷ đồng "
    "cho giai đoạn 2021\u20132025. "
)

# Emphasis in every style: italic, bold and bold italic in the serif body text, and
# italic in a table's sans cells.
EMPHASIS = (
    "Đây là *điểm nhấn*, **điểm chính** và ***điểm cốt lõi***.\n\n"
    "| Địa phương | Ghi chú |\n|---|---|\n| An Giang | *chưa báo cáo* |\n"
)


def _figure(i: int) -> str:
    """One of four shapes: short columns, a tall bar chart, a line, a stack."""
    kind = ("bar", "barh", "line", "stacked")[i % 4]
    n = {"bar": 4, "barh": 6 + 3 * (i % 3), "line": 6, "stacked": 3}[kind]
    labels = PROVINCES[:n] if kind != "line" else [str(2019 + k) for k in range(n)]
    series = [("Năm 2023", [100 + 37 * k + 11 * i for k in range(n)])]
    if kind == "stacked":
        series.append(("Năm 2024", [80 + 13 * k for k in range(n)]))
    rows = "".join(
        f"      - label: {name}\n        values: {values}\n" for name, values in series
    )
    return (
        f"  - id: hinh-{i}\n    kind: {kind}\n    title: Biểu đồ thử số {i}\n"
        f"    caption: Số liệu giả định cho thử nghiệm bố cục.\n    unit: vụ\n"
        f"    source_note: Số liệu giả định\n    labels: {labels}\n"
        f"    series:\n{rows}"
    )


def write_conference(root: Path, figures: int = 12) -> Path:
    """Add the synthetic conference to a project copy; return its data file."""
    data = root / "data" / f"{SLUG}.yaml"
    data.write_text(
        "title: Hội nghị thử bố cục nhiều biểu đồ\nshort_title: Thử bố cục\n"
        "series: Chuỗi thử bố cục\nperiod:\n  label: Năm 2024\n  start: 2024-01-01\n"
        "  end: 2024-12-31\norganisers: [Cục Trẻ em]\n"
        "summary: Một hội nghị giả định, nhiều biểu đồ xen giữa các đoạn văn.\n"
        "sources:\n  - id: nguon\n    title: Nguồn giả định\n"
        "indicators:\n  - id: so-vu\n    label: Số vụ\n    value: 1317\n    unit: vụ\n"
        "    key: true\n    source: nguon\n    quote: 1.317 vụ\n"
        "figures:\n" + "".join(_figure(i) for i in range(figures)),
        "utf-8",
    )
    folder = root / "content" / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    per_part = 4
    for part in range(0, figures, per_part):
        body = [f"---\ntitle: Phần {part // per_part + 1}\norder: {part}\n---\n"]
        for i in range(part, min(part + per_part, figures)):
            body.append(f"## Mục {i}\n\n" + SENTENCE * (2 + i % 5) + "\n")
            body.append(f"::fig[hinh-{i}]\n")
            body.append(SENTENCE * (1 + (i * 7) % 4) + EMPHASIS + "\n")
        (folder / f"phan-{part // per_part + 1}.md").write_text(
            "\n".join(body), "utf-8"
        )
    return data
