#!/bin/bash
# Redo the example of docs/vi/ and capture every output it shows, then check the guide
# against them: `bash scripts/docs-vi/check.sh` from the repository (after `make site`).
# PYTHON (default .venv/bin/python) runs this checkout's generator; SEEDS is the folder
# of the saved articles (default ../shared/seeds). Outputs go to a temporary folder,
# printed at the end, so that messages can be re-captured when they change.
set -u
T=$(cd "$(dirname "$0")" && pwd)
WT=$(cd "$T/../.." && pwd)
PY=${PYTHON:-$WT/.venv/bin/python}
SEEDS=${SEEDS:-$WT/../shared/seeds}
WORK=$(mktemp -d)
P="env PYTHONPATH=$WT PROCEEDINGS_LANG=en $PY -m generator"  # the guide quotes English
OUT=$WORK/out
mkdir -p $WORK/site $WORK/shared $OUT
cp -r $WT/site.yaml $WT/data $WT/content $WORK/site/
cp -r "$SEEDS" $WORK/shared/seeds
cd $WORK/site
cap(){ name=$1; shift; { "$@"; echo "[exit $?]"; } > $OUT/$name.txt 2>&1; }
S=hoi-nghi-tre-em-phia-bac-2025
D=data/$S.yaml
cap new $P new $S
mkdir nguon && cp $T/bai-viet-phia-bac-2025.txt nguon/
$PY $T/edit_head.py $D
cap check-head $P check
cap template $P import --template so-lieu.xlsx
cp so-lieu.xlsx $WORK/template.xlsx
$PY $T/fill_sheet.py so-lieu.xlsx leftover
cap import-leftover $P import so-lieu.xlsx --conference $S
cp $WORK/template.xlsx so-lieu.xlsx
$PY $T/fill_sheet.py so-lieu.xlsx bad
cap import-bad $P import so-lieu.xlsx --conference $S
cp $WORK/template.xlsx so-lieu.xlsx
$PY $T/fill_sheet.py so-lieu.xlsx quote
cap import-quote $P import so-lieu.xlsx --conference $S
cp $WORK/template.xlsx so-lieu.xlsx
$PY $T/fill_sheet.py so-lieu.xlsx good
cap import-dry $P import so-lieu.xlsx --conference $S --dry-run
cap import $P import so-lieu.xlsx --conference $S
cap import-again $P import so-lieu.xlsx --conference $S
cap check-unused $P check
$PY $T/edit_rest.py $D
cp $T/gioi-thieu.md content/$S/gioi-thieu.md
cap check $P check
cap check-strict $P check --strict
git init -q . && git add -A && git -c user.name=x -c user.email=x@x commit -qm base
err(){ name=$1; shift; "$@"; cap $name $P check; git checkout -q .; }
err e-thousands sed -i 's/    value: 12450/    value: 12.450/' $D
err e-comma sed -i 's/    value: 15.5/    value: 15,5/' $D
err e-missing sed -i '/^short_title:/d' $D
err e-unknown sed -i 's/^venue:/dia_diem:/' $D
err e-quote sed -i 's/giảm 27 vụ so với cùng kỳ$/giảm 27 vụ so với cùng kỳ năm 2024/' $D
err e-compared sed -i '0,/    compared_to: 6 tháng đầu năm 2024/{/    compared_to: 6 tháng đầu năm 2024/d}' $D
err e-archive sed -i 's#archive: nguon/bai-viet-phia-bac-2025.txt#archive: nguon/bai-viet.txt#' $D
sed -i 's#archive: nguon/bai-viet-phia-bac-2025.txt#archive: nguon/bai-viet.txt#' $D; cap e-archive-strict $P check --strict; git checkout -q .
err e-organiser sed -i 's/^  - name: Ban Điều phối công tác trẻ em khu vực phía Bắc$/  - Ban Điều phối công tác trẻ em khu vực phía Bắc/; /^    quote: Ban Điều phối công tác trẻ em khu vực phía Bắc tổ chức/d; 0,/^    source: bai-viet$/{/^    source: bai-viet$/d}' $D
err e-ind sed -i 's/:ind\[kinh-phi-ho-tro\]/:ind[kinh-phi]/' content/$S/gioi-thieu.md
err e-change sed -i 's/:ind\[kinh-phi-ho-tro\]/:change[kinh-phi-ho-tro]/' content/$S/gioi-thieu.md
err e-tab sed -i 's/^  start: 2025-01-01/\tstart: 2025-01-01/' $D
err e-outside sed -i 's#archive: nguon/bai-viet-phia-bac-2025.txt#archive: ../tai-lieu/bai-viet-phia-bac-2025.txt#' $D
(cd /tmp && cap e-nosite $P check)
(cd /tmp && cap e-nosite-strict $P check --strict)
$P serve > $OUT/serve.txt 2>&1 & SERVE=$!; sleep 12; kill $SERVE; wait $SERVE 2>/dev/null
cap build $P build
cap build-again $P build
cap bundle $P bundle
cp $D $WORK/final-data.yaml
status=0
$PY $T/check_docs.py $WT/docs/vi $WORK || status=1
$PY $T/check_fields.py $WT $WT/docs/vi/tu-dien-truong.md || status=1
$PY $T/check_links.py $WT/docs/vi/*.md $WT/README.md || status=1
echo "outputs: $OUT"
exit $status
