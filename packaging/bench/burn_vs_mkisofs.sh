#!/usr/bin/env bash
# Burn + verify of a 500-slice CT on xorriso's stdio: pseudo-drive, against
# `xorriso -as mkisofs` of the same files plus `sha256sum` of the image, in
# one run of RUNS alternated rounds (default 5; each timed step after a
# `sync`); prints the medians, the ratio (target <= 1.5) and the time from
# the burn command to the first byte written (target < 2 s).
#
# The CT is generated in a temp dir from the corpus slice
# ct_slice_variants/ct_explicit_le_source.dcm with new UIDs (pydicom); it is
# removed at the end. Usage: packaging/bench/burn_vs_mkisofs.sh [SLICES]
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${DISCDESK_TESTDATA:-$REPO/../shared/testdata/dicom}
SRC=$CORPUS/generated/ct_slice_variants/ct_explicit_le_source.dcm
SLICES=${1:-500}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/discdesk-bench.XXXXXX")
chmod 700 "$TMP"
trap 'rm -rf "$TMP"' EXIT

for tool in xorriso sha256sum /usr/bin/python3 go; do
	command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
[ -r "$SRC" ] || { echo "corpus slice not found: $SRC (set DISCDESK_TESTDATA)" >&2; exit 1; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

echo "== building discdesk"
BIN=${DISCDESK_BIN:-}
if [ -z "$BIN" ]; then
	# The command line only (no Fyne, no cgo): what is measured is app/cli.
	mkdir "$TMP/main"
	printf 'package main\n\nimport "discdesk/app/cli"\n\nfunc main() { cli.Main(nil) }\n' > "$TMP/main/main.go"
	(cd "$REPO" && GOFLAGS=-mod=mod go build -o "$TMP/discdesk" "$TMP/main/main.go")
	BIN=$TMP/discdesk
fi

echo "== generating a $SLICES-slice CT with new UIDs"
DISC=$TMP/CT_BENCH
/usr/bin/python3 - "$SRC" "$DISC" "$SLICES" <<'PY'
import os, sys
import pydicom
from pydicom.uid import generate_uid
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ds = pydicom.dcmread(src)
study, series, frame = generate_uid(), generate_uid(), generate_uid()
folder = os.path.join(out, "DICOM", "P0000001", "S0000001")
os.makedirs(folder, mode=0o700)
pos = [float(v) for v in getattr(ds, "ImagePositionPatient", [0, 0, 0])]
for i in range(1, n + 1):
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.InstanceNumber = i
    ds.ImagePositionPatient = [pos[0], pos[1], pos[2] + i]
    ds.save_as(os.path.join(folder, "I%07d" % i), write_like_original=False)
with open(os.path.join(out, "README.TXT"), "w") as f:
    f.write("DiscDesk benchmark disc\r\n")
PY
SIZE=$(du -sb "$DISC" | cut -f1)
echo "   $(find "$DISC" -type f | wc -l) files, $((SIZE / 1000000)) MB"
cat "$DISC"/DICOM/P0000001/S0000001/* > /dev/null # both sides start with a warm cache

RUNS=${RUNS:-5}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

reference() { # xorriso -as mkisofs + sha256sum of the image
	rm -f "$TMP/ref.iso"
	sync
	local t0 t1
	t0=$(now)
	xorriso -as mkisofs -quiet -iso-level 1 -J -V CT_BENCH -o "$TMP/ref.iso" "$DISC" 2>/dev/null
	sha256sum "$TMP/ref.iso" > /dev/null
	t1=$(now)
	secs "$t0" "$t1"
}

ours() { # discdesk burn + read-back verify; prints "total first-byte"
	local iso=$TMP/ours.iso t0 t1 first="" pid
	rm -rf "$iso" "$TMP/data"
	sync
	t0=$(now)
	"$BIN" --data "$TMP/data" burn --quiet --drive "stdio:$iso" --files "$DISC" > "$TMP/burn.out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ -s "$iso" ]; then first=$(now); break; fi
		sleep 0.01
	done
	wait "$pid" || { cat "$TMP/burn.out" >&2; exit 1; }
	t1=$(now)
	[ -n "$first" ] || first=$t1
	grep -q "verified" "$TMP/burn.out" || { cat "$TMP/burn.out" >&2; exit 1; }
	echo "$(secs "$t0" "$t1") $(secs "$t0" "$first")"
}

echo "== $RUNS rounds: xorriso -as mkisofs + sha256sum, then discdesk burn --drive stdio: (burn + read-back verify)"
refs=(); ourss=(); firsts=()
for r in $(seq "$RUNS"); do
	refs+=("$(reference)")
	read -r o f < <(ours)
	ourss+=("$o"); firsts+=("$f")
	echo "   round $r: reference ${refs[-1]} s, discdesk $o s (first byte $f s)"
done
grep "disc " "$TMP/burn.out" | tail -1
REF=$(median "${refs[@]}"); OURS=$(median "${ourss[@]}"); FIRST=$(median "${firsts[@]}")

RATIO=$(awk -v a="$OURS" -v b="$REF" 'BEGIN { printf "%.2f", a / b }')
echo
echo "medians of $RUNS alternated rounds, load average $(cut -d' ' -f1-3 /proc/loadavg):"
echo "reference (mkisofs + sha256sum): ${REF} s"
echo "discdesk burn + verify:          ${OURS} s"
echo "ratio:                           ${RATIO}x (target <= 1.5)"
echo "command to first byte written:   ${FIRST} s (target < 2)"
awk -v r="$RATIO" -v f="$FIRST" 'BEGIN { exit !(r <= 1.5 && f < 2) }' && echo "PASS" || { echo "FAIL"; exit 1; }
