#!/usr/bin/env bash
# Issue 4 comparisons, both sides in one run, ratios printed:
#  1. a 500-slice CT study to a patient disc ISO: plan + DICOMDIR + web JPEGs
#     + ISO by `discdesk disc --files ... --iso` against the reference
#     pipeline `dcmmkdir -Pgp` + `dcmj2pnm +oj` per file + `xorriso -as
#     mkisofs -iso-level 1` (targets: reference/discdesk >= 5, discdesk <= 2x
#     the reference's xorriso step alone)
#  2. peak resident memory of `discdesk disc` for a 2,000-instance study
#     (target < 200 MiB)
# The studies are generated from the corpus's ct_explicit_le_source.dcm with
# new UIDs (packaging/bench/ctstudy).
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${DISCDESK_TESTDATA:-../shared/testdata/dicom}
SRC=$CORPUS/generated/ct_slice_variants/ct_explicit_le_source.dcm
for t in dcmmkdir dcmj2pnm xorriso /usr/bin/time; do command -v "$t" > /dev/null || { echo "missing tool: $t" >&2; exit 2; }; done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# DISCDESK_BIN: use a prebuilt discdesk (e.g. a headless build) instead of building one.
if [ -n "${DISCDESK_BIN:-}" ]; then cp "$DISCDESK_BIN" "$T/discdesk"; else GOFLAGS=${GOFLAGS:--mod=mod} go build -o "$T/discdesk" .; fi
GOFLAGS=${GOFLAGS:--mod=mod} go build -o "$T/ctstudy" ./packaging/bench/ctstudy
"$T/ctstudy" -src "$SRC" -out "$T/ct" -n 500
STUDY=$T/ct/ST00001
export LANG=en_US.UTF-8
now() { date +%s.%N; }
sub() { python3 -c "print(f'{$1-$2:.3f}')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
sync
cat "$STUDY"/* > /dev/null # warm the page cache for both sides alike

# --- reference pipeline -------------------------------------------------
# Staging by hard links (no copy), level-1 names, as dcmmkdir needs them.
R=$T/ref; mkdir -p "$R/DICOM" "$R/IHE_PDI"
i=0; for f in "$STUDY"/*; do i=$((i+1)); ln "$f" "$(printf '%s/DICOM/I%07d' "$R" $i)"; done
t0=$(now)
(cd "$R" && dcmmkdir -Pgp -q +D DICOMDIR +r +id . DICOM)
t1=$(now)
for f in "$R"/DICOM/*; do dcmj2pnm -q +oj "$f" "$R/IHE_PDI/$(basename "$f").JPG"; done
t2=$(now)
xorriso -as mkisofs -quiet -iso-level 1 -V REFERENCE -o "$T/ref.iso" "$R" 2> /dev/null
t3=$(now)
ref_mkdir=$(sub "$t1" "$t0"); ref_jpeg=$(sub "$t2" "$t1"); ref_iso=$(sub "$t3" "$t2"); ref_total=$(sub "$t3" "$t0")

# --- discdesk -----------------------------------------------------------
t0=$(now)
"$T/discdesk" --data "$T/data" disc --files --iso --no-verify --no-viewer --ack-no-report bench --out "$T/ours.iso" "$STUDY" > "$T/ours.log" 2>&1
t1=$(now)
ours=$(sub "$t1" "$t0")
/work/shared/tools/validate-disc "$T/ours.iso" > "$T/validate.log" 2>&1 && valid=PASS || valid="FAIL (see validate-disc)"

echo "500-slice CT to ISO ($(du -m "$T/ours.iso" | cut -f1) MB):"
echo "  reference: dcmmkdir ${ref_mkdir}s + dcmj2pnm x500 ${ref_jpeg}s + xorriso ${ref_iso}s = ${ref_total}s"
echo "  discdesk disc (plan + DICOMDIR + web JPEGs + ISO): ${ours}s; validate-disc: $valid"
echo "  reference/discdesk = $(ratio "$ref_total" "$ours") (target >= 5)"
echo "  discdesk/xorriso step = $(ratio "$ours" "$ref_iso") (target <= 2)"

# --- memory for 2,000 instances ------------------------------------------
"$T/ctstudy" -src "$SRC" -out "$T/many" -n 2000 -size 64
rm -f "$T/ours.iso"
/usr/bin/time -o "$T/rss" -f '%M' "$T/discdesk" --data "$T/data2" disc --files --iso --no-verify --media dvd --no-viewer --ack-no-report bench --out "$T/many.iso" "$T/many/ST00001" > /dev/null 2> "$T/many.log"
rss=$(tail -1 "$T/rss")
echo "disc of 2,000 instances: max resident ${rss} KiB ($(( rss / 1024 )) MiB, target < 200 MiB)"
