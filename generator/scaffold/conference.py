"""``proceedings new SLUG``: start a conference from a commented, valid template.

Writes ``data/SLUG.yaml`` (every field, either filled with a placeholder or shown
commented out with what it means) and ``content/SLUG/gioi-thieu.md``. The project
builds straight away; the author then replaces the placeholders. Nothing existing is
ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.errors import UsageError
from generator.formats import slugify

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


MAX_SLUG = 80  # model.Id allows 80 characters


DATA_TEMPLATE = """\
# {slug}: the facts of one conference. Created by `proceedings new`; replace every
# placeholder, uncomment what you need, and delete the examples you do not use.
# Every number must come from a source listed under `sources`, with the words that
# state it in `quote`. Field reference: docs/content.md.

# The full name, as the source gives it, and a short one for links and lists.
title: Hội nghị (thay bằng tên đầy đủ của hội nghị)
short_title: Hội nghị (tên ngắn)
# Conferences with the same series name are compared on one series page.
series: Chuỗi hội nghị (thay bằng tên chuỗi)

# The reporting period the conference reviews. `end` orders the home page and
# dates the Atom feed entry.
period:
  label: 6 tháng đầu năm {year}
  start: {year}-01-01
  end: {year}-06-30

# The days it was held (YYYY-MM-DD); leave empty when the source does not say.
dates: []
# venue: Thành phố Hồ Chí Minh

organisers:
  - Đơn vị tổ chức (thay bằng tên cơ quan)

summary: >-
  Một đoạn tóm tắt hội nghị: mục đích, kết quả chính. Đoạn này hiện trên trang
  chủ, trong bản tóm tắt PDF và trong mô tả khi chia sẻ trang.

# People who spoke; sessions refer to them by id.
speakers: []
#  - id: nguyen-van-a          # lowercase ASCII letters, digits and '-'
#    name: Nguyễn Văn A
#    role: Thứ trưởng           # optional
#    organisation: Bộ …         # optional

# The agenda, in order.
sessions: []
#  - title: Báo cáo kết quả 6 tháng đầu năm
#    time: "8:30"               # optional, as printed on the agenda
#    speakers: [nguyen-van-a]   # optional: ids from `speakers`
#    presenter: Cục …           # optional: an organisation presenting
#    summary: Nội dung chính.   # optional

# The numbers the conference reported. Write numbers plainly: 1317, 9.4 (a point
# for decimals, no thousands separator); the site prints them as 1.317 and 9,4.
indicators: []
#  - id: vu-viec                # cite it in narratives as :ind[vu-viec]
#    label: Số vụ việc
#    value: 1317
#    unit: vụ
#    kind: count                # count (whole numbers), amount, percent or ratio
#    approx: exact              # exact, more_than, nearly, about or less_than
#    period: 6 tháng đầu năm    # optional: defaults to period.label
#    group: Bảo vệ trẻ em       # optional: heading in the key-figures table
#    key: true                  # optional: show it on the home page
#    change: -31                # optional: value minus the compared value
#    previous: 1348             # optional: the compared value
#    compared_to: cùng kỳ năm trước   # needed with change or previous
#    derived: false             # true when you computed the value yourself…
#    derivation: …              # …and then say how
#    derive:                    # or let the tool compute and explain the value,
#      difference: [tong, mot-phan]   # instead of `value` (or sum: [a, b, …])
#    source: bai-viet           # id from `sources`
#    quote: toàn quốc xảy ra 1.317 vụ   # the source's words stating the number
#    note: …                    # optional
#    suppress_below: 0          # optional: show counts below N as "< N"; 0 never
#                               # (overrides site.yaml; docs/suppression.md)
#    en:                        # optional: English texts for English pages; any
#      label: Cases             # item with words takes one (docs/bilingual.md)
#      unit: cases

# Laws, decrees and programmes the meeting referred to.
legal_documents: []
#  - kind: Thông tư
#    number: 13/2021/TT-LĐTBXH
#    issuer: Bộ …               # optional
#    title: …                   # optional: its subject
#    context: …                 # optional: how the meeting used it

# What was discussed, one line each.
topics: []
#  - Nội dung thảo luận

# Tasks the meeting set; the next meeting of the series can report on them.
follow_up: []
#  - id: nhiem-vu-1
#    task: Nội dung nhiệm vụ
#    owner: Đơn vị thực hiện     # optional
#    due: cuối năm              # optional

# Reports on tasks set by an earlier meeting of the series.
follow_up_reports: []
#  - conference: slug-cua-hoi-nghi-truoc
#    task: nhiem-vu-1
#    status: in_progress        # done, in_progress or not_done
#    note: …                    # optional
#    source: bai-viet           # optional

# Charts drawn from the indicators (docs/content.md lists every option).
figures: []
#  - id: bieu-do-1              # place it in a narrative with ::fig[bieu-do-1]
#    kind: bar                  # bar, barh, grouped, line or stacked
#    title: …
#    caption: …                 # optional
#    alt: …                     # optional: generated from the data otherwise
#    unit: vụ                   # optional
#    indicators: [vu-viec]
#    compare: false             # grouped: compared value against value
#    across: vu-viec            # line: one point per conference of the series
#    sort: none                 # none, ascending or descending
#    decimals: 1                # optional
#    source_note: …             # optional
#    labels: [Quý I, Quý II]    # inline data instead of `indicators`: categories…
#    series:                    # …and one list of values per series
#      - label: Năm {year}
#        indicators: []         # or indicator ids, one per category
#        values: [10, 12]

# Rules the numbers obey, checked on every build (docs/data-checks.md).
checks: []
#  - sum: tong                  # the total equals the sum of its parts
#    parts: [mien-dong, mien-tay]
#    note: …                    # optional: why the rule holds
#  - share: ty-le               # a share in %: between 0 and 100
#  - same_unit: vu-viec         # the same unit in every meeting of the series

# Where the facts come from. At least one.
sources:
  - id: bai-viet
    title: Tên bài viết hoặc văn bản nguồn (thay bằng tên thật)
    # author: …
    # publisher: …
    # published: {year}-07-01
    # url: https://…
    # archive: nơi lưu bản sao
"""


NARRATIVE_TEMPLATE = """\
---
title: Giới thiệu
order: 1
summary: Một câu tóm tắt phần này (hiện trong mục lục và kết quả tìm kiếm).
---

[//]: # "This line and the ones like it are notes for you; they are not published."
[//]: # "Write Markdown below. Cite a number from the data file with :ind[id] (value"
[//]: # "and unit), :num[id], :prev[id] or :change[id]; place a chart with ::fig[id]"
[//]: # "on a line of its own. Add more sections as more .md files in this folder."

Viết phần giới thiệu hội nghị ở đây.

## Nội dung chính

Mỗi tiêu đề cấp hai trở thành một mục trong trang hội nghị.
"""


def new_conference(root: Path, slug: str, today: dt.date | None = None) -> list[Path]:
    """Create data/SLUG.yaml and content/SLUG/gioi-thieu.md; return the new paths.

    Raises UsageError for an invalid slug, an existing conference or no project.
    """
    if not (root / "site.yaml").is_file():
        raise UsageError(
            f"no site.yaml in {root}: run this in a project folder, or pass --root"
        )
    check_slug(slug)
    data = root / "data" / f"{slug}.yaml"
    content = root / "content" / slug
    taken = [p for p in (data, data.with_suffix(".yml"), content) if p.exists()]
    taken += _case_twins(root / "data", slug)
    if taken:
        names = ", ".join(p.relative_to(root).as_posix() for p in taken)
        raise UsageError(
            f"conference '{slug}' already exists ({names}); choose another slug"
        )
    year = (today or dt.date.today()).year
    narrative = content / "gioi-thieu.md"
    data.parent.mkdir(parents=True, exist_ok=True)
    content.mkdir(parents=True)
    data.write_text(DATA_TEMPLATE.format(slug=slug, year=year), encoding="utf-8")
    narrative.write_text(NARRATIVE_TEMPLATE, encoding="utf-8")
    return [data.relative_to(root), narrative.relative_to(root)]


def check_slug(slug: str) -> None:
    """Raise UsageError unless slug is lowercase ASCII words joined by '-'."""
    if SLUG.match(slug) and len(slug) <= MAX_SLUG:
        return
    suggestion = slugify(slug)[:MAX_SLUG].strip("-")
    hint = f"; try '{suggestion}'" if suggestion and suggestion != slug else ""
    raise UsageError(
        f"'{slug}' is not a valid slug: use lowercase ASCII letters, digits and '-' "
        f"(at most {MAX_SLUG} characters){hint}"
    )


def _case_twins(folder: Path, slug: str) -> list[Path]:
    """List data files named like slug but for case (the loader refuses those)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and p.stem.lower() == slug and p.stem != slug
    )
