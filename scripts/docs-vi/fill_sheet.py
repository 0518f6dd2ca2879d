"""Fill the template written by `proceedings import --template` as a colleague would."""

import sys

import openpyxl

path, mode = sys.argv[1], sys.argv[2]  # mode: leftover | bad | quote | good
bad = mode == "bad"
rows = [
    [
        "tre-em-duoc-ho-tro",
        "Trẻ em có hoàn cảnh đặc biệt được hỗ trợ",
        "12.450",
        "trẻ em",
        None,
        None,
        None,
        None,
        "có",
        "tăng 1.150",
        None,
        "6 tháng đầu năm 2024",
        "bai-viet",
        "đã hỗ trợ 12.450 trẻ em có hoàn cảnh đặc biệt, tăng 1.150 trẻ em so với cùng kỳ năm 2024",
    ],
    [
        "vu-xam-hai-tre-em",
        "Vụ xâm hại trẻ em được phát hiện",
        "415 vụ" if bad else "415",
        None if bad else "vụ",
        None,
        None,
        None,
        None,
        "có",
        "giảm 27",
        None,
        "6 tháng đầu năm 2024",
        "bai-viet",
        "phát hiện 415 vụ xâm hại trẻ em, giảm 27 vụ so với cùng kỳ",
    ],
    [
        "kinh-phi-ho-tro",
        "Kinh phí hỗ trợ trẻ em",
        "hơn 15,5",
        "tỷ đồng",
        "số tiền",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "bai-viet-2025" if bad else "bai-viet",
        "Tổng kinh phí hỗ trợ trẻ em đạt hơn 15,5 tỷ đồng",
    ],
    [
        "ty-le-xa-phuong-phu-hop",
        "Tỷ lệ xã, phường đạt tiêu chuẩn phù hợp với trẻ em",
        "78,6",
        "%",
        "phần trăm",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "bai-viet",
        "Tỷ lệ xã, phường đạt tiêu chuẩn phù hợp với trẻ em là "
        + ("78,6 %" if mode in ("bad", "quote") else "78,6%"),
    ],
]
wb = openpyxl.load_workbook(path)
ws = wb["Chỉ số"]
if mode != "leftover":  # delete the template's example row first
    ws.delete_rows(2)
# leftover: type over the example row; cells left empty keep the example's values
for r, row in enumerate(
    rows, start=2
):  # row 2 held the template's example: overwritten
    for c, value in enumerate(row, start=1):
        ws.cell(row=r, column=c, value=value)
wb.save(path)
