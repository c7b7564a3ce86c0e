#!/bin/sh
# Render 500 CT slices to JPEG with DiscDesk (viewer/render, both cores) and
# with dcmj2pnm +oj (one process per file), in one run, and print both times
# and the ratio. Then time one 512x512 JPEG Lossless and one JPEG 2000
# lossless frame decode beside dcmdjpeg and gdcmconv --raw.
# Usage: packaging/bench/render_vs_dcmtk.sh   (from anywhere; needs go, dcmtk, gdcm tools)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${DISCDESK_TESTDATA:-$ROOT/../shared/testdata/dicom}
SRC=$CORPUS/generated/ct_slice_variants/ct_explicit_le_source.dcm
N=${N:-500}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/in" "$TMP/ours" "$TMP/dcmtk"

now() { date +%s.%N; }
ms() { echo "($2 - $1) * 1000" | bc -l | xargs printf '%.0f'; }

echo "generating $N slices from $(basename "$SRC") ..."
i=1
while [ $i -le $N ]; do
	cp "$SRC" "$TMP/in/s$i.dcm"
	i=$((i + 1))
done
# New SOP Instance UID and Instance Number per slice (one dcmodify run).
# shellcheck disable=SC2086
( cd "$TMP/in" && for f in s*.dcm; do n=${f#s}; n=${n%.dcm}; echo "$f $n"; done ) > "$TMP/list"
while read -r f n; do
	dcmodify -nb -gin -m "(0020,0013)=$n" "$TMP/in/$f"
done < "$TMP/list"

BIN=$TMP/batchrender
(cd "$ROOT" && GOFLAGS=-mod=mod go build -o "$BIN" ./viewer/render/internal/batchrender)

t0=$(now)
"$BIN" -out "$TMP/ours" "$TMP/in"
t1=$(now)
for f in "$TMP"/in/*.dcm; do
	dcmj2pnm +oj +Wi 1 "$f" "$TMP/dcmtk/$(basename "$f" .dcm).jpg"
done
t2=$(now)
ours=$(ms "$t0" "$t1")
theirs=$(ms "$t1" "$t2")
echo "render $N CT slices to JPEG: discdesk ${ours} ms ($(nproc) cores), dcmj2pnm +oj ${theirs} ms"
echo "ratio: $(echo "$theirs / $ours" | bc -l | xargs printf '%.1f')x faster"
[ "$(ls "$TMP/ours" | wc -l)" -eq "$N" ] || { echo "ours wrote $(ls "$TMP/ours" | wc -l) files, want $N" >&2; exit 1; }

REPS=20
decode_row() { # label file
	f=$2
	o=$("$BIN" -decode $REPS "$f")
	t0=$(now); i=0; while [ $i -lt $REPS ]; do dcmdjpeg "$f" "$TMP/d.dcm" 2>/dev/null || true; i=$((i + 1)); done; t1=$(now)
	t2=$(now); i=0; while [ $i -lt $REPS ]; do gdcmconv --raw "$f" "$TMP/g.dcm"; i=$((i + 1)); done; t3=$(now)
	dj=$(echo "($t1 - $t0) * 1000 / $REPS" | bc -l | xargs printf '%.2f')
	gd=$(echo "($t3 - $t2) * 1000 / $REPS" | bc -l | xargs printf '%.2f')
	echo "$1: discdesk ${o} ms/frame (in process), dcmdjpeg ${dj} ms/file, gdcmconv --raw ${gd} ms/file (whole process)"
}
decode_row "JPEG Lossless 512x512 decode" "$CORPUS/generated/ct_slice_variants/ct_gdcm_jpeg_lossless.dcm"
decode_row "JPEG 2000 lossless 512x512 decode (dcmdjpeg cannot: n/a)" "$CORPUS/generated/ct_slice_variants/ct_gdcm_j2k.dcm"
