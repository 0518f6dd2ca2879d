"""Check every field name docs/vi/tu-dien-truong.md names against generator/model."""

import re
import sys
import typing
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from generator.model import (
    base as b,
)
from generator.model import (
    conference as c,
)
from generator.model import (
    content as ct,
)
from generator.model import (
    figures as f,
)
from generator.model import (
    indicators as i,
)
from generator.model import (
    site as s,
)


def fields(*classes):
    return {n for k in classes for n in k.model_fields}


def literals(*types):
    out = set()
    for t in types:
        out |= set(typing.get_args(t))
    return out


status = literals(c.FollowUpReport.model_fields["status"].annotation.__args__[0])
kinds = literals(f.FigureSpec.model_fields["kind"].annotation)
sort = literals(f.FigureSpec.model_fields["sort"].annotation)
SECTIONS = {
    "Thông tin chung": fields(c.Conference, c.Period, c.Organiser, c.Summary, c.Claim),
    "Nguồn và trích dẫn": fields(c.Source, c.Claim, c.Conference) | {"archives"},
    "Chỉ số": fields(i.Indicator, i.Derive, c.Conference) | literals(b.Kind, b.Approx),
    "Người phát biểu": fields(c.Speaker, c.Session, c.Conference),
    "Văn bản": fields(c.LegalDocument, c.Conference),
    "Nội dung thảo luận": fields(c.Topic, c.Conference),
    "Nhiệm vụ": fields(c.FollowUp, c.FollowUpReport, c.Conference) | status,
    "Biểu đồ": fields(f.FigureSpec, f.FigureSeries, c.Conference) | kinds | sort,
    "Kiểm tra": fields(i.Check, c.Conference),
    "Đầu bài viết": fields(ct.FrontMatter),
    "Thiết lập chung": fields(s.SiteConfig, s.Theme) | {"vi", "en"},
}
INSIDE = {  # "(trong `X`)": the model X's items are
    "sources": c.Source,
    "sessions": c.Session,
    "speakers": c.Speaker,
    "legal_documents": c.LegalDocument,
    "topics": c.Topic,
    "follow_up": c.FollowUp,
    "follow_up_reports": c.FollowUpReport,
    "figures": f.FigureSpec,
    "site.yaml": s.SiteConfig,
}
text = Path(sys.argv[2]).read_text()
section, bad, seen = None, [], 0
for line in text.splitlines():
    if line.startswith("## "):
        section = next((k for k in SECTIONS if line[3:].startswith(k)), None)
        continue
    if not line.startswith("| ") or section is None or line.startswith("| ---"):
        continue
    cell = line.split("|")[2]  # the field column
    inside = re.search(r"\(trong `([^`]+)`\)", cell)
    for tok in re.findall(r"`([^`]+)`", cell):
        name = tok.split(":")[0].strip()
        if inside and tok == inside.group(1):
            continue
        if not re.fullmatch(r"[a-z_]+", name):
            continue
        seen += 1
        ok = name in SECTIONS[section]
        if inside and name == tok:
            ok = ok and name in INSIDE[inside.group(1)].model_fields
        for value in re.findall(r"`[a-z_]+: ([a-z_]+)`", cell):
            ok = ok and value in SECTIONS[section] | {"true"}
        if not ok:
            bad.append((section, tok, line[:80]))
    for value in (
        re.findall(r"`([a-z_]+)`", cell.split(":", 1)[1]) if ":" in cell else []
    ):
        if value not in SECTIONS[section] and value != "true":
            bad.append((section, value, "value"))
print(f"{seen} field names checked")
for row in bad:
    print("NOT FOUND:", row)
sys.exit(1 if bad else 0)
