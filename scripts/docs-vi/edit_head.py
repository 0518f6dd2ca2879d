import sys
from pathlib import Path

p = Path(sys.argv[1])
t = p.read_text()
rep = [
    (
        "title: Hội nghị (thay bằng tên đầy đủ của hội nghị)",
        "title: Hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2025 khu vực phía Bắc (ví dụ)",
    ),
    (
        "short_title: Hội nghị (thay bằng tên ngắn)",
        "short_title: Công tác trẻ em phía Bắc, 6 tháng đầu năm 2025 (ví dụ)",
    ),
    (
        "series: Chuỗi hội nghị (thay bằng tên chuỗi)",
        "series: Hội nghị công tác trẻ em khu vực phía Bắc (ví dụ)",
    ),
    (
        "  label: 6 tháng đầu năm 2026\n  start: 2026-01-01\n  end: 2026-06-30",
        "  label: 6 tháng đầu năm 2025\n  start: 2025-01-01\n  end: 2025-06-30",
    ),
    ("dates: []\n# venue: Thành phố Hồ Chí Minh", "dates: [2025-07-18]\nvenue: Hà Nội"),
    (
        """  - name: Đơn vị tổ chức (thay bằng tên cơ quan)
    # source: bai-viet
    # quote: …                   # the source's words naming the organiser
    # editorial: true            # instead of source + quote""",
        """  - name: Ban Điều phối công tác trẻ em khu vực phía Bắc
    source: bai-viet
    quote: Ban Điều phối công tác trẻ em khu vực phía Bắc tổ chức Hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2025""",
    ),
    (
        """    (thay bằng một đoạn tóm tắt hội nghị: mục đích, kết quả chính. Đoạn này hiện
    trên trang chủ, trong bản tóm tắt PDF và trong mô tả khi chia sẻ trang.)""",
        """    Ví dụ minh họa cho hướng dẫn sử dụng, số liệu không có thật: hội nghị
    đánh giá công tác trẻ em 6 tháng đầu năm 2025 của các tỉnh phía Bắc.""",
    ),
    (
        "    title: Tên bài viết hoặc văn bản nguồn (thay bằng tên thật)",
        "    title: Bài viết về hội nghị công tác trẻ em phía Bắc 6 tháng đầu năm 2025 (ví dụ, bản lưu của biên tập)",
    ),
    (
        "    # archive: nguon/bai-viet.txt   # your saved copy",
        "    archive: nguon/bai-viet-phia-bac-2025.txt   # your saved copy",
    ),
]
for a, b in rep:
    assert t.count(a) == 1, a
    t = t.replace(a, b)
p.write_text(t)
