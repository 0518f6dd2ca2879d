"""Generate a deterministic synthetic corpus of conferences in proceedings' own format.

``make_corpus(n, seed)`` returns the corpus as plain values; ``write_corpus`` writes
``site.yaml``, ``data/<slug>.yaml`` and ``content/<slug>/*.md`` under a folder. The
same ``(n, seed)`` always gives byte-identical files, and conference i does not depend
on n (each conference has its own ``random.Random``), so a small corpus is a prefix of
a large one. No clock, no hash randomisation, no dict-order surprises.

Shape of one conference: 10 indicators (4 counted in "trẻ em", 3 in "vụ" with a
change against the same period a year earlier, one amount, one percentage, one count
of "lượt"), 6 speakers, 5 sessions, 2 follow-up tasks (and a report on the previous
conference's tasks), 2 sources, 4 figures (bar, barh, grouped, line), and 3
Vietnamese narratives of about 1,000 words each with headings, lists, a table and
indicator citations. Conferences come in series of 20 half-year periods (2015-2024),
so ``line`` figures drawn across a series have up to 20 points.

Run ``python bench/corpus.py DIR --conferences 5`` to write one by hand.
"""

# ruff: noqa: RUF001 -- Vietnamese text needs the en dash, result tables the times sign

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SEED = 20240725
PERIODS_PER_SERIES = 20  # 2015 first half ... 2024 second half
FIRST_YEAR = 2015

# --- word lists --------------------------------------------------------------------

TOPICS = [
    ("công tác trẻ em", "tre-em"),
    ("bảo trợ xã hội", "bao-tro-xa-hoi"),
    ("giáo dục nghề nghiệp", "giao-duc-nghe-nghiep"),
    ("an toàn lao động", "an-toan-lao-dong"),
    ("người có công", "nguoi-co-cong"),
    ("bình đẳng giới", "binh-dang-gioi"),
    ("giảm nghèo bền vững", "giam-ngheo"),
    ("việc làm", "viec-lam"),
    ("phòng, chống tệ nạn xã hội", "phong-chong-te-nan"),
    ("chăm sóc người cao tuổi", "nguoi-cao-tuoi"),
]
REGIONS = [
    ("phía Nam", "phia-nam"),
    ("phía Bắc", "phia-bac"),
    ("miền Trung", "mien-trung"),
    ("Tây Nguyên", "tay-nguyen"),
    ("đồng bằng sông Cửu Long", "dbscl"),
]
PROVINCES = [
    "Cần Thơ",
    "An Giang",
    "Đồng Tháp",
    "Tiền Giang",
    "Bến Tre",
    "Vĩnh Long",
    "Trà Vinh",
    "Sóc Trăng",
    "Bạc Liêu",
    "Cà Mau",
    "Kiên Giang",
    "Hậu Giang",
    "Long An",
    "Tây Ninh",
    "Bình Dương",
    "Đồng Nai",
    "Bình Phước",
    "Bà Rịa – Vũng Tàu",
    "Lâm Đồng",
    "Đắk Lắk",
    "Gia Lai",
    "Kon Tum",
    "Đắk Nông",
    "Khánh Hòa",
    "Phú Yên",
    "Bình Định",
    "Quảng Ngãi",
    "Quảng Nam",
    "Thừa Thiên Huế",
    "Quảng Trị",
    "Quảng Bình",
    "Hà Tĩnh",
    "Nghệ An",
    "Thanh Hóa",
    "Ninh Bình",
    "Nam Định",
    "Thái Bình",
    "Hải Phòng",
    "Quảng Ninh",
    "Lào Cai",
    "Yên Bái",
    "Hà Giang",
    "Cao Bằng",
    "Lạng Sơn",
    "Điện Biên",
    "Sơn La",
]
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trương",
    "Đinh",
]
MIDDLES = [
    "Văn",
    "Thị",
    "Minh",
    "Thanh",
    "Ngọc",
    "Hữu",
    "Đức",
    "Quốc",
    "Thu",
    "Kim",
    "Xuân",
    "Hoài",
    "Bảo",
    "Công",
]
GIVEN = [
    "Hà",
    "Hùng",
    "Lan",
    "Mai",
    "Dũng",
    "Phương",
    "Tuấn",
    "Hương",
    "Hải",
    "Long",
    "Thảo",
    "Nam",
    "Trang",
    "Sơn",
    "Bình",
    "Yến",
    "Khoa",
    "Nhung",
    "Quân",
    "Vy",
    "Thắng",
    "Hạnh",
    "Lộc",
    "Tâm",
    "Đạt",
    "Linh",
]
ROLES = [
    "Thứ trưởng",
    "Cục trưởng",
    "Phó Cục trưởng",
    "Giám đốc Sở",
    "Phó Giám đốc Sở",
    "Vụ trưởng",
    "Chủ tịch Hội",
    "Trưởng phòng",
    "Chuyên viên chính",
]
BODIES = [
    "Bộ Lao động – Thương binh và Xã hội",
    "Cục Trẻ em",
    "Cục Bảo trợ xã hội",
    "Tổng cục Giáo dục nghề nghiệp",
    "Cục An toàn lao động",
    "Cục Người có công",
    "Vụ Bình đẳng giới",
    "Văn phòng quốc gia về giảm nghèo",
    "Cục Việc làm",
    "Hội Bảo vệ quyền trẻ em Việt Nam",
    "Quỹ Bảo trợ trẻ em Việt Nam",
]

# Indicator templates: (id, label, unit, kind, group). Every series picks the same
# slots from these pools, so ids match across a series (for `across` figures).
CHILD_COUNTS = [
    ("tre-em-hoan-canh-dac-biet", "Trẻ em có hoàn cảnh đặc biệt được hỗ trợ", "trẻ em"),
    ("tre-em-duoc-tang-qua", "Trẻ em được tặng quà dịp lễ, tết", "trẻ em"),
    ("tre-em-duoc-cap-hoc-bong", "Trẻ em được trao học bổng", "trẻ em"),
    (
        "tre-em-duoc-kham-sang-loc",
        "Trẻ em được khám sàng lọc bệnh tim bẩm sinh",
        "trẻ em",
    ),
    ("tre-em-hoc-boi", "Trẻ em được học kỹ năng bơi an toàn", "trẻ em"),
    ("tre-em-duoc-tu-van", "Trẻ em được tư vấn tâm lý qua tổng đài", "trẻ em"),
    ("tre-em-co-the-bhyt", "Trẻ em dưới 6 tuổi được cấp thẻ bảo hiểm y tế", "trẻ em"),
    ("tre-em-duoc-nhan-nuoi", "Trẻ em được nhận chăm sóc thay thế", "trẻ em"),
]
CASE_COUNTS = [
    ("vu-xam-hai-tre-em", "Vụ xâm hại trẻ em", "vụ"),
    ("vu-tai-nan-lao-dong", "Vụ tai nạn lao động", "vụ"),
    ("vu-bao-luc-gia-dinh", "Vụ bạo lực gia đình", "vụ"),
    ("vu-mua-ban-nguoi", "Vụ mua bán người", "vụ"),
    ("vu-duoi-nuoc", "Vụ tai nạn đuối nước", "vụ"),
]
AMOUNTS = [
    ("kinh-phi-ho-tro", "Kinh phí hỗ trợ huy động từ xã hội", "tỷ đồng"),
    ("gia-tri-hoc-bong", "Trị giá học bổng đã trao", "tỷ đồng"),
    ("quy-bao-tro", "Số tiền Quỹ Bảo trợ vận động được", "tỷ đồng"),
]
PERCENTS = [
    ("ty-le-xa-phuong-phu-hop", "Tỷ lệ xã, phường phù hợp với trẻ em", "%"),
    ("ty-le-lao-dong-qua-dao-tao", "Tỷ lệ lao động qua đào tạo", "%"),
    ("ty-le-ho-ngheo", "Tỷ lệ hộ nghèo", "%"),
]
VISITS = [
    ("luot-goi-tong-dai", "Cuộc gọi đến Tổng đài quốc gia 111", "lượt"),
    ("luot-nguoi-tap-huan", "Người được tập huấn nghiệp vụ", "lượt người"),
    ("luot-truyen-thong", "Hoạt động truyền thông tại cộng đồng", "lượt"),
]

SUBJECTS = [
    "Các địa phương trong khu vực",
    "Ủy ban nhân dân các tỉnh, thành phố",
    "Sở Lao động – Thương binh và Xã hội",
    "Ngành Lao động – Thương binh và Xã hội",
    "Các bộ, ngành liên quan",
    "Chính quyền cơ sở",
    "Đội ngũ cán bộ làm công tác xã hội",
    "Các tổ chức chính trị – xã hội",
    "Hội Liên hiệp Phụ nữ các cấp",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Mạng lưới cộng tác viên tại thôn, ấp",
    "Nhiều doanh nghiệp và nhà hảo tâm",
    "Các cơ sở trợ giúp xã hội",
    "Ban chỉ đạo các cấp",
    "Cơ quan thường trực của chương trình",
]
VERBS = [
    "đã tập trung triển khai",
    "tiếp tục đẩy mạnh",
    "chủ động phối hợp thực hiện",
    "quan tâm chỉ đạo sát sao",
    "đã ban hành kế hoạch về",
    "tích cực tham gia",
    "từng bước nâng cao chất lượng",
    "đã rà soát, đánh giá",
    "kịp thời hỗ trợ",
    "thường xuyên kiểm tra, giám sát",
    "lồng ghép có hiệu quả",
    "huy động nguồn lực cho",
    "đã tổ chức tập huấn về",
    "nhân rộng các mô hình",
    "đổi mới phương thức",
]
OBJECTS = [
    "các chương trình chăm sóc trẻ em có hoàn cảnh đặc biệt",
    "công tác phòng ngừa, phát hiện và xử lý các vụ việc xâm hại",
    "việc thực hiện quyền tham gia của trẻ em",
    "các dịch vụ bảo vệ trẻ em tại cộng đồng",
    "chính sách trợ giúp xã hội thường xuyên",
    "hoạt động truyền thông, giáo dục kỹ năng sống",
    "mô hình phòng, chống đuối nước",
    "công tác đào tạo nghề cho lao động nông thôn",
    "các chỉ tiêu của Chương trình hành động quốc gia",
    "việc cấp thẻ bảo hiểm y tế cho người yếu thế",
    "hệ thống cơ sở dữ liệu quản lý đối tượng",
    "mạng lưới tư vấn, hỗ trợ tâm lý",
    "các hoạt động trong Tháng hành động vì trẻ em",
    "công tác kiểm tra việc thực hiện chính sách",
    "phong trào toàn dân chăm lo cho trẻ em",
    "quy chế phối hợp liên ngành",
    "việc bố trí kinh phí ở cấp xã",
]
TAILS = [
    "trong 6 tháng qua",
    "theo đúng kế hoạch đề ra",
    "ở cả ba cấp tỉnh, huyện và xã",
    "với nhiều cách làm sáng tạo",
    "gắn với điều kiện thực tế của từng địa phương",
    "nhằm bảo đảm không để ai bị bỏ lại phía sau",
    "so với cùng kỳ năm trước",
    "góp phần ổn định đời sống nhân dân",
    "bằng nhiều hình thức phong phú",
    "với sự vào cuộc của cả hệ thống chính trị",
    "tại các xã vùng sâu, vùng xa",
    "trên môi trường mạng",
    "dù nguồn lực còn hạn chế",
]
CONNECTORS = [
    "Bên cạnh đó,",
    "Đồng thời,",
    "Tuy nhiên,",
    "Nhìn chung,",
    "Ngoài ra,",
    "Qua đó,",
    "Mặt khác,",
    "Nhờ vậy,",
    "Trong thời gian tới,",
    "Cụ thể,",
]
REMARKS = [
    "Kết quả này cho thấy sự chuyển biến rõ nét trong nhận thức của người dân.",
    "Một số địa phương vẫn còn lúng túng trong việc triển khai các văn bản mới.",
    "Đội ngũ cán bộ cấp xã còn mỏng và thường xuyên thay đổi.",
    "Nguồn kinh phí dành cho công tác này chưa tương xứng với yêu cầu nhiệm vụ.",
    "Việc phối hợp giữa các ngành đã có nhiều tiến bộ so với giai đoạn trước.",
    "Hội nghị ghi nhận nhiều mô hình hay, cách làm hiệu quả cần được nhân rộng.",
    "Các đại biểu thống nhất cao với những nhiệm vụ trọng tâm đã được đề xuất.",
    "Công tác thống kê, báo cáo ở một số nơi chưa kịp thời và còn thiếu chính xác.",
]
HEADINGS = [
    "Kết quả nổi bật",
    "Những khó khăn, hạn chế",
    "Nguyên nhân",
    "Bài học kinh nghiệm",
    "Nhiệm vụ trọng tâm thời gian tới",
    "Kiến nghị, đề xuất",
    "Công tác phối hợp",
    "Huy động nguồn lực",
    "Truyền thông và nâng cao nhận thức",
    "Mô hình tiêu biểu",
    "Công tác kiểm tra, giám sát",
    "Ý kiến của các địa phương",
]
NARRATIVES = [
    ("khai-mac", "Khai mạc và đánh giá chung"),
    ("tinh-hinh", "Tình hình thực hiện và số liệu"),
    ("ket-luan", "Thảo luận và kết luận của hội nghị"),
]


# --- the corpus as values ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NarrativeDoc:
    """One narrative: file stem, front matter, Markdown body with :ind[] citations."""

    name: str
    title: str
    order: int
    body: str


@dataclass(frozen=True, slots=True)
class ConferenceDoc:
    """One conference: its slug, the data file as a mapping, and its narratives."""

    slug: str
    data: dict[str, Any]
    narratives: tuple[NarrativeDoc, ...]
    # the editors' saved copy of each source (path from the project root -> text),
    # which every quote citing the source is checked against
    archives: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        """The conference's title."""
        return str(self.data["title"])

    @property
    def series(self) -> str:
        """The series title."""
        return str(self.data["series"])

    @property
    def date(self) -> dt.date:
        """The end of the period it reviews (a stable date for peers' front matter)."""
        end: dt.date = self.data["period"]["end"]
        return end

    def indicator_text(self, ident: str) -> str:
        """Format an indicator as :ind[ident] prints it: 'hơn 1.317 vụ'."""
        ind = next(i for i in self.data["indicators"] if i["id"] == ident)
        word = {"more_than": "hơn ", "nearly": "gần ", "about": "khoảng "}.get(
            ind.get("approx", "exact"), ""
        )
        unit = ind["unit"]
        return f"{word}{format_vi(ind['value'])}{unit if unit == '%' else ' ' + unit}"


@dataclass(frozen=True, slots=True)
class Corpus:
    """A whole synthetic project."""

    seed: int
    site: dict[str, Any]
    conferences: tuple[ConferenceDoc, ...]

    @property
    def pages(self) -> int:
        """How many narratives (pages, for the peers) the corpus has."""
        return sum(len(c.narratives) for c in self.conferences)

    @property
    def words(self) -> int:
        """Words in all narrative bodies."""
        return sum(len(n.body.split()) for c in self.conferences for n in c.narratives)


def format_vi(value: Any) -> str:
    """Format a number the Vietnamese way: 1317 -> '1.317', 9.4 -> '9,4'."""
    text = format(Decimal(str(value)), "f")
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    frac = frac.rstrip("0")
    return ".".join(groups) + ("," + frac if frac else "")


def slugify(text: str) -> str:
    """Make an ASCII slug from Vietnamese text."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    out = "".join(c if c.isalnum() and c.isascii() else "-" for c in ascii_text.lower())
    return "-".join(part for part in out.split("-") if part)


def make_corpus(
    n: int = 1000,
    seed: int = DEFAULT_SEED,
    *,
    warn_every: int = 0,
    figures: bool = True,
) -> Corpus:
    """Make n conferences; conference i depends only on (seed, i) and the variant.

    warn_every > 0 is the corpus *with warnings*: conference 0, warn_every,
    2 * warn_every, … get one more indicator that no narrative cites and no figure
    draws (``chi-so-chua-trich-dan``), which ``proceedings`` reports as a warning
    on every build: ``warnings_expected(n, warn_every)`` of them. Its drawings are
    those of the plain corpus. figures=False declares no figure at all (the
    indicators only figures drew are marked ``key: true`` so none is unused).
    """
    site = {
        "title": "Kỷ yếu hội nghị (bộ dữ liệu đo hiệu năng)",
        "description": "Bộ dữ liệu tổng hợp, sinh tự động để đo tốc độ dựng trang.",
        "organisation": "Bộ Lao động – Thương binh và Xã hội",
        "language": "vi",
        # not an example.* host, which proceedings warns about (a placeholder)
        "base_url": "https://kyyeu-hoinghi.gov.vn/",
        "theme": "default",
    }
    return Corpus(
        seed,
        site,
        tuple(
            _conference(
                seed,
                i,
                uncited=warn_every > 0 and i % warn_every == 0,
                figures=figures,
            )
            for i in range(n)
        ),
    )


def warnings_expected(n: int, warn_every: int) -> int:
    """How many warnings a build of make_corpus(n, warn_every=…) reports."""
    return 0 if warn_every <= 0 else (n + warn_every - 1) // warn_every


UNCITED = ("chi-so-chua-trich-dan", "Chỉ số chưa được trích dẫn", "lượt")


def _series(seed: int, k: int) -> tuple[str, str, dict[str, Any]]:
    """Series k: its title, slug stem and the indicator templates it uses."""
    topic, topic_slug = TOPICS[k % len(TOPICS)]
    region, region_slug = REGIONS[(k // len(TOPICS)) % len(REGIONS)]
    round_ = k // (len(TOPICS) * len(REGIONS))
    title = f"Hội nghị {topic} khu vực {region}"
    stem = f"{topic_slug}-{region_slug}"
    if round_:
        title += f" (cụm {round_ + 1})"
        stem += f"-cum-{round_ + 1}"
    rng = random.Random(f"{seed}:series:{k}")
    templates = {
        "children": rng.sample(CHILD_COUNTS, 4),
        "cases": rng.sample(CASE_COUNTS, 3),
        "amount": rng.choice(AMOUNTS),
        "percent": rng.choice(PERCENTS),
        "visits": rng.choice(VISITS),
    }
    return title, stem, templates


def _period(p: int) -> tuple[str, dt.date, dt.date, str, str]:
    year = FIRST_YEAR + p // 2
    if p % 2 == 0:
        return (
            f"6 tháng đầu năm {year}",
            dt.date(year, 1, 1),
            dt.date(year, 6, 30),
            f"{year}-dau-nam",
            f"6 tháng đầu năm {year - 1}",
        )
    return (
        f"6 tháng cuối năm {year}",
        dt.date(year, 7, 1),
        dt.date(year, 12, 31),
        f"{year}-cuoi-nam",
        f"6 tháng cuối năm {year - 1}",
    )


def _slug(seed: int, i: int) -> str:
    _, stem, _ = _series(seed, i // PERIODS_PER_SERIES)
    return f"{stem}-{_period(i % PERIODS_PER_SERIES)[3]}"


def _conference(
    seed: int, i: int, *, uncited: bool = False, figures: bool = True
) -> ConferenceDoc:
    rng = random.Random(f"{seed}:conference:{i}")
    k, p = divmod(i, PERIODS_PER_SERIES)
    series, _, templates = _series(seed, k)
    label, start, end, _, compared = _period(p)
    slug = _slug(seed, i)
    region = series.split(" khu vực ")[1].split(" (")[0]
    held = end + dt.timedelta(days=rng.randint(10, 40))
    source_ids = [f"bao-cao-{slug}", f"bai-viet-{slug}"][:2]
    speakers = _speakers(rng)
    indicators = _indicators(rng, templates, compared, source_ids)
    children = [t[0] for t in templates["children"]]
    cases = [t[0] for t in templates["cases"]]
    data: dict[str, Any] = {
        "title": f"{series} {label}",
        "short_title": f"{_capital(series.removeprefix('Hội nghị '))}, {label}",
        "series": series,
        "period": {"label": label, "start": start, "end": end},
        "dates": [held],
        "venue": f"{rng.choice(PROVINCES)}",
        "organisers": [BODIES[0], rng.choice(BODIES[1:])],
        "summary": _sentence(rng) + " " + _sentence(rng),
        "speakers": speakers,
        "sessions": _sessions(rng, speakers),
        "indicators": indicators,
        "legal_documents": [
            {
                "kind": "Quyết định",
                "number": f"{rng.randint(100, 2500)}/QĐ-TTg",
                "issuer": "Thủ tướng Chính phủ",
                "title": "Phê duyệt " + rng.choice(OBJECTS),
            }
        ],
        "topics": [_capital(rng.choice(OBJECTS)) for _ in range(3)],
        "follow_up": [
            {
                "id": f"nhiem-vu-{j + 1}",
                "task": _capital(rng.choice(VERBS)) + " " + rng.choice(OBJECTS),
                "owner": rng.choice(SUBJECTS),
                "due": f"6 tháng tới ({end.year + (p % 2)})",
            }
            for j in range(2)
        ],
        "figures": [
            {
                "id": "tre-em-duoc-ho-tro",
                "kind": "barh",
                "title": f"Trẻ em được hỗ trợ, {label}",
                "caption": "Số trẻ em theo từng hoạt động hỗ trợ.",
                "unit": "trẻ em",
                "indicators": children,
                "sort": "descending",
            },
            {
                "id": "cac-vu-viec",
                "kind": "bar",
                "title": f"Các vụ việc ghi nhận, {label}",
                "unit": "vụ",
                "indicators": cases,
            },
            {
                "id": "vu-viec-so-cung-ky",
                "kind": "grouped",
                "title": "Các vụ việc so với cùng kỳ",
                "caption": f"{label} so với {compared}.",
                "indicators": cases,
                "compare": True,
            },
            {
                "id": "qua-cac-ky",
                "kind": "line",
                "title": f"{templates['children'][0][1]} qua các kỳ",
                "unit": "trẻ em",
                "across": children[0],
            },
        ],
        "sources": [
            {
                "id": source_ids[0],
                "title": f"Báo cáo tổng hợp {label}, khu vực {region}",
                "publisher": rng.choice(BODIES),
                "published": end + dt.timedelta(days=rng.randint(5, 30)),
            },
            {
                "id": source_ids[1],
                "title": f"Bài tường thuật {series.lower()} {label}",
                "publisher": "Cổng thông tin điện tử của Bộ",
                "url": f"https://example.gov.vn/tin-tuc/{slug}",
            },
        ],
    }
    if p > 0:
        previous = _slug(seed, i - 1)
        data["follow_up_reports"] = [
            {
                "conference": previous,
                "task": f"nhiem-vu-{j + 1}",
                "status": rng.choice(["done", "in_progress", "not_done"]),
                "note": _sentence(rng),
                "source": source_ids[0],
            }
            for j in range(2)
        ]
        # keep the key order of a hand-written file: reports before figures
        data = {k2: data[k2] for k2 in _KEY_ORDER if k2 in data}
    # each narrative cites one of the indicators no figure draws, so none is unused
    undrawn = [templates[k][0] for k in ("amount", "percent", "visits")]
    narratives = tuple(
        NarrativeDoc(
            name,
            title,
            order + 1,
            _narrative_body(rng, [undrawn[order], rng.choice(children)], cases),
        )
        for order, (name, title) in enumerate(NARRATIVES)
    )
    if uncited:  # the corpus with warnings: cited by nothing, drawn by nothing
        ident, label, unit = UNCITED
        value = 1000 + i % 9000
        data["indicators"].append(
            {
                "id": ident,
                "label": label,
                "value": value,
                "unit": unit,
                "group": "Truyền thông",
                "source": source_ids[1],
                "quote": f"{label.lower()} là {format_vi(value)} {unit}",
            }
        )
    if not figures:
        data.pop("figures")
        drawn = set(children) | set(cases)
        for ind in data["indicators"]:
            if ind["id"] in drawn:  # else unused: a warning
                ind["key"] = True
    archives = _provenance(data, source_ids, slug, random.Random(f"{seed}:archive:{i}"))
    return ConferenceDoc(slug, data, narratives, archives)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _provenance(
    data: dict[str, Any], source_ids: list[str], slug: str, rng: random.Random
) -> tuple[tuple[str, str], ...]:
    """Give every claim a source and quote (or mark it editorial); write archives.

    As the real project does (docs/provenance.md): organisers and the summary are
    the editors' words; speakers, sessions, topics and tasks quote the article;
    legal documents and reports on tasks quote the report; indicators already name
    their source. Each source gets an archived copy (nguon/<slug>/<id>.txt) holding
    every sentence quoted from it among as many sentences of its own, so each
    quote is checked against it. Uses rng, never the conference's own.
    """
    report, article = source_ids
    said: dict[str, list[str]] = {report: [], article: []}

    def cite(entry: dict[str, Any], source: str, quote: str, sentence: str) -> None:
        entry["source"], entry["quote"] = source, quote
        said[source].append(sentence)

    data["organisers"] = [{"name": o, "editorial": True} for o in data["organisers"]]
    data["summary"] = {"text": data["summary"], "editorial": True}
    for sp in data["speakers"]:
        quote = f"{sp['name']}, {sp['role']} {sp['organisation']}"
        cite(sp, article, quote, f"Tham dự hội nghị có {quote}.")
    for se in data["sessions"]:
        cite(se, article, se["title"], f"Lúc {se['time']}, {se['title']}.")
    topics = []
    for text in data["topics"]:
        topic = {"text": text}
        quote = _lower_first(text)
        cite(topic, article, quote, f"Các đại biểu thảo luận về {quote}.")
        topics.append(topic)
    data["topics"] = topics
    for doc in data["legal_documents"]:
        quote = f"{doc['kind']} số {doc['number']} của {doc['issuer']}"
        title = _lower_first(doc["title"])
        cite(
            doc, report, quote, f"Các địa phương đã thực hiện {quote} về việc {title}."
        )
    for task in data["follow_up"]:
        quote = _lower_first(task["task"])
        owner = _lower_first(task["owner"])
        cite(task, article, quote, f"Hội nghị đề nghị {owner} {quote}.")
    for rep in data.get("follow_up_reports", []):
        cite(rep, rep["source"], rep["note"].rstrip("."), rep["note"])
    for ind in data["indicators"]:
        said[ind["source"]].append(f"Theo báo cáo, {ind['quote']}.")
    archives = []
    for source in data["sources"]:
        path = f"nguon/{slug}/{source['id']}.txt"
        source["archive"] = path
        sentences = said[source["id"]] + [
            _sentence(rng) for _ in range(len(said[source["id"]]))
        ]
        rng.shuffle(sentences)
        paragraphs = [
            " ".join(sentences[j : j + 4]) for j in range(0, len(sentences), 4)
        ]
        archives.append(
            (path, f"{source['title']}\n\n" + "\n\n".join(paragraphs) + "\n")
        )
    return tuple(archives)


_KEY_ORDER = [
    "title",
    "short_title",
    "series",
    "period",
    "dates",
    "venue",
    "organisers",
    "summary",
    "speakers",
    "sessions",
    "indicators",
    "legal_documents",
    "topics",
    "follow_up",
    "follow_up_reports",
    "figures",
    "sources",
]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def _speakers(rng: random.Random) -> list[dict[str, Any]]:
    speakers: list[dict[str, Any]] = []
    used: set[str] = set()
    for _ in range(6):
        name = _name(rng)
        ident = base = slugify(name)
        n = 1
        while ident in used:
            n += 1
            ident = f"{base}-{n}"
        used.add(ident)
        speakers.append(
            {
                "id": ident,
                "name": name,
                "role": rng.choice(ROLES),
                "organisation": rng.choice(
                    BODIES
                    + [
                        f"Sở Lao động – Thương binh và Xã hội {p}"
                        for p in PROVINCES[:6]
                    ]
                ),
            }
        )
    return speakers


def _sessions(
    rng: random.Random, speakers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    times = ["8:00", "8:30", "9:15", "10:00", "10:45", "14:00", "15:30"]
    titles = [
        "Khai mạc hội nghị",
        "Báo cáo kết quả thực hiện nhiệm vụ",
        "Tham luận của các địa phương",
        "Thảo luận: " + rng.choice(OBJECTS),
        "Phát biểu chỉ đạo và kết luận",
    ]
    ids = [s["id"] for s in speakers]
    sessions = []
    for j, title in enumerate(titles):
        session: dict[str, Any] = {"title": title, "time": times[j + rng.randint(0, 2)]}
        if j == 1:
            session["presenter"] = rng.choice(BODIES[1:])
        session["speakers"] = rng.sample(ids, 1 if j != 2 else 3)
        if j in (0, 4):
            session["summary"] = _sentence(rng)
        sessions.append(session)
    return sessions


def _indicators(
    rng: random.Random, templates: dict[str, Any], compared: str, source_ids: list[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(
        template: tuple[str, str, str], kind: str, value: Any, group: str, **extra: Any
    ) -> None:
        ident, label, unit = template
        ind: dict[str, Any] = {"id": ident, "label": label}
        if kind != "count":
            ind["kind"] = kind
        ind["value"] = value
        ind["unit"] = unit
        ind.update(extra)
        ind["group"] = group
        ind["source"] = rng.choice(source_ids)
        ind["quote"] = _quote(rng, label, value, unit, extra.get("approx", "exact"))
        out.append(ind)

    for j, template in enumerate(templates["children"]):
        extra: dict[str, Any] = {"key": True} if j == 0 else {}
        if j == 3:
            extra["approx"] = "more_than"
        add(template, "count", rng.randint(300, 60000), "Chăm sóc trẻ em", **extra)
    for template in templates["cases"]:
        value = rng.randint(40, 1500)
        change = rng.randint(-value // 4, value // 5)
        add(template, "count", value, "Bảo vệ", change=change, compared_to=compared)
    add(
        templates["amount"],
        "amount",
        Decimal(rng.randint(15, 900)) / 10,
        "Nguồn lực",
        approx=rng.choice(["exact", "more_than", "nearly"]),
    )
    add(
        templates["percent"], "percent", Decimal(rng.randint(300, 990)) / 10, "Chỉ tiêu"
    )
    add(templates["visits"], "count", rng.randint(1000, 250000), "Truyền thông")
    return out


def _quote(rng: random.Random, label: str, value: Any, unit: str, approx: str) -> str:
    word = {"more_than": "hơn ", "nearly": "gần ", "about": "khoảng "}.get(approx, "")
    space = "" if unit == "%" else " "
    return (
        f"{label.lower()} đạt {word}{format_vi(value)}{space}{unit}, "
        f"{rng.choice(TAILS)}"
    )


def _sentence(rng: random.Random) -> str:
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    if rng.random() < 0.7:
        parts.append(rng.choice(TAILS))
    text = " ".join(parts)
    if rng.random() < 0.3:
        text = rng.choice(CONNECTORS) + " " + text[0].lower() + text[1:]
    return text + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _paragraph(rng: random.Random, sentences: int) -> str:
    out = [_sentence(rng) for _ in range(sentences)]
    if rng.random() < 0.5:
        out.insert(rng.randrange(len(out) + 1), rng.choice(REMARKS))
    return " ".join(out)


def _narrative_body(rng: random.Random, cited: list[str], cases: list[str]) -> str:
    """About 1,000 words: paragraphs, 3 headings, a list, a numbered list, a table."""
    blocks: list[str] = [_paragraph(rng, 4), _paragraph(rng, 3)]
    blocks.append(
        f"Theo báo cáo, toàn khu vực ghi nhận :ind[{cited[0]}] và :ind[{cited[1]}]; "
        f"riêng số vụ việc được phát hiện là :ind[{cases[0]}], "
        f":change[{cases[0]}] so với cùng kỳ. " + _sentence(rng)
    )
    headings = rng.sample(HEADINGS, 3)
    blocks += [f"## {headings[0]}", _paragraph(rng, 4), _paragraph(rng, 3)]
    blocks.append(
        "\n".join(
            f"- {_capital(rng.choice(OBJECTS))} {rng.choice(TAILS)}."
            for _ in range(rng.randint(4, 6))
        )
    )
    blocks += [f"## {headings[1]}", _paragraph(rng, 4)]
    provinces = rng.sample(PROVINCES, 5)
    rows = [
        "| Địa phương | Số trẻ em được hỗ trợ | Tỷ lệ hoàn thành |",
        "| --- | ---: | ---: |",
    ]
    rows += [
        f"| {p} | {format_vi(rng.randint(200, 20000))} | "
        f"{format_vi(Decimal(rng.randint(500, 1000)) / 10)}% |"
        for p in provinces
    ]
    blocks += ["Kết quả tại một số địa phương tiêu biểu:", "\n".join(rows)]
    blocks += [_paragraph(rng, 3), f"## {headings[2]}", _paragraph(rng, 3)]
    blocks.append(
        "\n".join(
            f"{j}. {_capital(rng.choice(VERBS))} {rng.choice(OBJECTS)}."
            for j in range(1, rng.randint(4, 6))
        )
    )
    blocks.append(_paragraph(rng, 4))
    return "\n\n".join(blocks) + "\n"


# --- writing it out ----------------------------------------------------------------


def dump_yaml(data: Any) -> str:
    """Dump YAML deterministically, keeping key order and Vietnamese letters."""

    class _Dumper(yaml.SafeDumper):  # type: ignore[misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True  # proceedings refuses anchors and aliases

    def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
        text = format(value, "f")
        kind = "float" if "." in text else "int"
        return dumper.represent_scalar(f"tag:yaml.org,2002:{kind}", text)

    _Dumper.add_representer(Decimal, _decimal)
    return str(
        yaml.dump(
            data,
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            width=88,
            default_flow_style=False,
        )
    )


def write_corpus(corpus: Corpus, root: Path) -> None:
    """Write the corpus as a proceedings project at root (replacing what was there)."""
    for name in ("data", "content", "nguon", "output", ".proceedings-cache"):
        shutil.rmtree(root / name, ignore_errors=True)
    (root / "data").mkdir(parents=True)
    (root / "content").mkdir()
    (root / "site.yaml").write_text(dump_yaml(corpus.site), "utf-8")
    for conf in corpus.conferences:
        (root / "data" / f"{conf.slug}.yaml").write_text(dump_yaml(conf.data), "utf-8")
        for path, text in conf.archives:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, "utf-8")
        folder = root / "content" / conf.slug
        folder.mkdir()
        for nar in conf.narratives:
            front = dump_yaml({"title": nar.title, "order": nar.order})
            (folder / f"{nar.name}.md").write_text(
                f"---\n{front}---\n\n{nar.body}", "utf-8"
            )


def main() -> None:
    """Write a corpus from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--conferences", "-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--warn-every",
        type=int,
        default=0,
        metavar="K",
        help="the variant with warnings: every K-th conference has an indicator "
        "nothing cites (default 0: none, the corpus builds without warnings)",
    )
    parser.add_argument(
        "--no-figures", action="store_true", help="declare no figures at all"
    )
    args = parser.parse_args()
    corpus = make_corpus(
        args.conferences,
        args.seed,
        warn_every=args.warn_every,
        figures=not args.no_figures,
    )
    write_corpus(corpus, args.root)
    print(
        f"{len(corpus.conferences)} conferences, {corpus.pages} narratives, "
        f"{corpus.words:,} words -> {args.root}"
    )


if __name__ == "__main__":
    main()
