import sys
from pathlib import Path

p = Path(sys.argv[1])
t = p.read_text()
rep = [
    (
        "topics: []\n",
        """topics:
  - text: Phòng, chống đuối nước cho trẻ em trong dịp hè
    source: bai-viet
    quote: giải pháp phòng, chống đuối nước cho trẻ em trong dịp hè
  - text: Bảo vệ trẻ em trên môi trường mạng
    source: bai-viet
    quote: bảo vệ trẻ em trên môi trường mạng
""",
    ),
    (
        "follow_up: []\n",
        """follow_up:
  - id: dien-dan-tre-em-cap-tinh
    task: Tổ chức diễn đàn trẻ em cấp tỉnh
    owner: Các tỉnh phía Bắc
    due: quý IV năm 2025
    source: bai-viet
    quote: Ban Điều phối đề nghị các tỉnh tổ chức diễn đàn trẻ em cấp tỉnh trong quý IV năm 2025
""",
    ),
    (
        "figures: []\n",
        """figures:
  - id: xam-hai-so-cung-ky
    kind: grouped
    title: Vụ xâm hại trẻ em được phát hiện, so với cùng kỳ (ví dụ)
    indicators: [vu-xam-hai-tre-em]
    compare: true
""",
    ),
]
for a, b in rep:
    assert t.count(a) == 1, a
    t = t.replace(a, b)
p.write_text(t)
