"""Check docs/vi/*.md: every output line of a console block is in a captured output,
every YAML example agrees with the captured data file, and the text is NFC."""

import re
import sys
import unicodedata
from pathlib import Path

import openpyxl
import yaml

docs, work = Path(sys.argv[1]), Path(sys.argv[2])
out = work / "out"
captured = "\n".join(p.read_text() for p in out.glob("*.txt"))
cap_lines = set(captured.splitlines())


def norm(line):  # timings and absolute paths differ from run to run
    line = re.sub(r"\d+\.\d+ s\b", "N s", line)
    return re.sub(r"/[^ ]*/(bundle|\.proceedings-cache)/", r"/…/\1/", line)


cap_norm = {norm(line) for line in cap_lines}
data = yaml.safe_load((work / "final-data.yaml").read_text())
problems = 0
for md in sorted(docs.glob("*.md")):
    text = md.read_text(encoding="utf-8")
    if not unicodedata.is_normalized("NFC", text):
        print(f"{md}: not NFC")
        problems += 1
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if line.startswith("$ ") or line.strip() == "…":
                continue
            if line not in cap_lines and norm(line) not in cap_norm:
                print(f"{md.name}: not captured: {line}")
                problems += 1
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        snippet = yaml.safe_load(block)
        for key, value in snippet.items():
            if key == "archives":
                continue
            got = data.get(key)
            if key == "sources":  # the example shows id, title and archive
                got = [{k: s[k] for k in value[0]} for s in got]
            if got != value:
                print(f"{md.name}: yaml {key!r} differs: {value!r} != {got!r}")
                problems += 1
# The guide's narrative is the one the example uses, and its sheet the one imported.
guide = (docs / "README.md").read_text(encoding="utf-8")
narrative = re.search(r"```markdown\n(.*?)```", guide, re.S).group(1)
if narrative != (Path(__file__).parent / "gioi-thieu.md").read_text(encoding="utf-8"):
    print("README.md: the narrative differs from scripts/docs-vi/gioi-thieu.md")
    problems += 1

sheet = openpyxl.load_workbook(work / "site" / "so-lieu.xlsx")["Chỉ số"]
heads = [c.value.split(" (")[0] for c in sheet[1]]
header = re.search(r"^\| Mã số \|.*$", guide, re.M).group(0)
cols = [c.strip() for c in header.strip("|").split("|")]
rows = [ln for ln in guide.splitlines() if re.match(r"^\| [a-z]+(-[a-z0-9]+)+ \| ", ln)]
for line, row in zip(rows, sheet.iter_rows(min_row=2, values_only=True), strict=True):
    shown = dict(
        zip(cols, (c.strip() for c in line.strip("|").split("|")), strict=True)
    )
    typed = {h: (v or "") for h, v in zip(heads, row, strict=True)}
    if any(typed[k] != v for k, v in shown.items()) or any(
        v and k not in shown for k, v in typed.items()
    ):
        print(f"README.md: sheet row differs: {line[:60]}")
        problems += 1
print(f"{problems} problem(s)")
sys.exit(1 if problems else 0)
