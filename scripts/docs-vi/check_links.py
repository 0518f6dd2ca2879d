import re
import sys
from pathlib import Path


def slug(h):
    h = h.strip().lower()
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(p):
    text = re.sub(r"```.*?```", "", p.read_text(), flags=re.S)
    return {slug(m) for m in re.findall(r"^#+ (.*)$", text, re.M)}


bad = 0
for md in [Path(a) for a in sys.argv[1:]]:
    text = re.sub(r"```.*?```", "", md.read_text(), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith("http"):
            continue
        path, _, frag = target.partition("#")
        dest = (md.parent / path).resolve() if path else md.resolve()
        if not dest.exists():
            print(md, "missing", target)
            bad += 1
            continue
        if dest.is_dir():
            continue
        if frag and frag not in anchors(dest):
            print(md, "no anchor", target)
            bad += 1
print(bad, "bad link(s)")
