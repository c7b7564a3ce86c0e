#!/usr/bin/env bash
# Issue 2 comparisons, both sides in one run, ratios printed:
#  1. indexing a 500-slice CT where it lies (discdesk import --in-place) vs
#     /usr/bin/python3 + pydicom reading the same 500 headers (stop_before_pixels)
#  2. full import (copy into the library, durable, indexed) vs cp -r + sync
#  3. resident memory importing 20,000 small instances
# The study is generated from the corpus's ct_explicit_le_source.dcm with new UIDs.
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${DISCDESK_TESTDATA:-../shared/testdata/dicom}
SRC=$CORPUS/generated/ct_slice_variants/ct_explicit_le_source.dcm
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
go build -o "$T/discdesk" . && go build -o "$T/ctstudy" ./packaging/bench/ctstudy
"$T/ctstudy" -src "$SRC" -out "$T/ct" -n 500
STUDY=$T/ct/ST00001
export LANG=en_US.UTF-8
now() { date +%s.%N; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
sync

# warm the page cache for both sides alike
cat "$STUDY"/* > /dev/null

# 1. in-place indexing vs pydicom
t0=$(now); /usr/bin/python3 - "$STUDY" <<'PY'
import sys, os, pydicom
d = sys.argv[1]
for n in sorted(os.listdir(d)):
    ds = pydicom.dcmread(os.path.join(d, n), stop_before_pixels=True)
    _ = (ds.PatientName, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
PY
t1=$(now); "$T/discdesk" --data "$T/d1" import --in-place "$STUDY" > /dev/null; t2=$(now)
py=$(python3 -c "print($t1-$t0)"); ours=$(python3 -c "print($t2-$t1)")
echo "index 500 headers in place: discdesk ${ours}s, pydicom ${py}s, pydicom/discdesk = $(ratio "$py" "$ours") (target >= 2)"

# 2. full import vs cp -r + sync
sync
t0=$(now); cp -r "$STUDY" "$T/cpcopy"; sync; t1=$(now)
"$T/discdesk" --data "$T/d2" import "$STUDY" > /dev/null; t2=$(now)
cp=$(python3 -c "print($t1-$t0)"); ours=$(python3 -c "print($t2-$t1)")
echo "full import of 500 slices: discdesk ${ours}s, cp -r + sync ${cp}s, discdesk/cp = $(ratio "$ours" "$cp") (target <= 1.5)"

# 3. memory for 20,000 instances (small frames)
"$T/ctstudy" -src "$SRC" -out "$T/many" -n 200 -studies 100 -size 16
rss=$( { /usr/bin/time -f '%M' "$T/discdesk" --data "$T/d3" import "$T/many" > /dev/null; } 2>&1 | tail -1)
echo "import 20,000 instances: max resident ${rss} KiB ($(( rss / 1024 )) MiB, target < 150 MiB)"
