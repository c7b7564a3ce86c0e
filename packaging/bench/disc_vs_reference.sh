#!/usr/bin/env bash
# The disc against references doing the same work, both sides in one run,
# ratios printed (issue 20.5):
#  1. an N-slice CT study (default 500) to a patient disc ISO, the same
#     content on both sides: DICOMDIR, the same number of web JPEGs (the
#     disc's 24 evenly spaced key images), ISO 9660 level 1. discdesk
#     `disc --files --iso` (plan + DICOMDIR + pages + ISO, without read-back)
#     against `dcmmkdir -Pgp` + `dcmj2pnm +oj` on the same 24 slices +
#     `xorriso -as mkisofs` (target: reference/discdesk >= 1).
#  2. the whole disc with the browser viewer and read-back verify (plan,
#     DICOMDIR, web pages, the browser viewer's frames, ISO, verify) against
#     bare `xorriso -as mkisofs` of the same tree (the disc's own files as a
#     folder), RUNS rounds (default 5), medians (target <= 1.5x). Each round
#     times bare xorriso, then the disc with an empty frame cache ("cold":
#     every frame packed), then the disc again ("prepared": the frames as the
#     first disc of the study left them in the cache, as the desk's
#     PrepareViewer leaves them while staff fill in the request, or as a
#     reburn or second copy finds them). Every timed step starts after a
#     sync, so no side pays for the other's dirty pages. The same again
#     without the browser viewer (plan, DICOMDIR, web pages, ISO, verify).
#  3. peak resident memory of `discdesk disc` for a 2,000-instance study
#     (target < 200 MiB).
# Every ISO discdesk made is checked with validate-disc (../shared/tools).
# The studies are generated from the corpus's ct_explicit_le_source.dcm with
# new UIDs (packaging/bench/ctstudy). N=100 gives a quick run.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-500}
CORPUS=${DISCDESK_TESTDATA:-../shared/testdata/dicom}
VALIDATE=${DISCDESK_VALIDATE:-../shared/tools/validate-disc}
SRC=$CORPUS/generated/ct_slice_variants/ct_explicit_le_source.dcm
for t in dcmmkdir dcmj2pnm xorriso /usr/bin/time "$VALIDATE"; do command -v "$t" > /dev/null || { echo "missing tool: $t" >&2; exit 2; }; done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# DISCDESK_BIN: use a prebuilt discdesk (e.g. a headless build) instead of building one.
if [ -n "${DISCDESK_BIN:-}" ]; then cp "$DISCDESK_BIN" "$T/discdesk"; else GOFLAGS=${GOFLAGS:--mod=mod} go build -o "$T/discdesk" .; fi
GOFLAGS=${GOFLAGS:--mod=mod} go build -o "$T/ctstudy" ./packaging/bench/ctstudy
"$T/ctstudy" -src "$SRC" -out "$T/ct" -n "$N"
STUDY=$T/ct/ST00001
export LANG=en_US.UTF-8
now() { date +%s.%N; }
sub() { python3 -c "print(f'{$1-$2:.3f}')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
sync
cat "$STUDY"/* > /dev/null # warm the page cache for both sides alike
DISC=(--data "$T/data" disc --files --no-viewer --ack-no-report bench) # part 1: the reference makes no browser viewer
check() { "$VALIDATE" "$1" > "$T/validate.log" 2>&1 && echo PASS || echo "FAIL (validate-disc: $(grep -m1 FAIL "$T/validate.log"))"; }

# --- reference pipeline -------------------------------------------------
# Staging by hard links (no copy), level-1 names, as dcmmkdir needs them;
# JPEGs of the same 24 evenly spaced slices the disc's pages show.
R=$T/ref; mkdir -p "$R/DICOM" "$R/IHE_PDI"
i=0; for f in "$STUDY"/*; do i=$((i+1)); ln "$f" "$(printf '%s/DICOM/I%07d' "$R" $i)"; done
KEYS=$(python3 -c "n=$i; m=min(n,24); print(' '.join(str((k*(n-1)+(m-1)//2)//(m-1)+1) for k in range(m)) if m>1 else '1')")
RUNS=${RUNS:-5}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
reference() { # prints: dcmmkdir dcmj2pnm xorriso total
  rm -f "$R/DICOMDIR" "$R"/IHE_PDI/* "$T/ref.iso"
  sync
  local t0 t1 t2 t3
  t0=$(now)
  (cd "$R" && dcmmkdir -Pgp -q +D DICOMDIR +r +id . DICOM)
  t1=$(now)
  for k in $KEYS; do f=$(printf '%s/DICOM/I%07d' "$R" "$k"); dcmj2pnm -q +oj "$f" "$R/IHE_PDI/$(basename "$f").JPG"; done
  t2=$(now)
  xorriso -as mkisofs -quiet -iso-level 1 -J -V REFERENCE -o "$T/ref.iso" "$R" 2> /dev/null
  t3=$(now)
  echo "$(sub "$t1" "$t0") $(sub "$t2" "$t1") $(sub "$t3" "$t2") $(sub "$t3" "$t0")"
}
refs=(); ourss=(); rm1=(); rj1=(); ri1=()
for r in $(seq "$RUNS"); do
  read -r a b c d < <(reference)
  rm1+=("$a"); rj1+=("$b"); ri1+=("$c"); refs+=("$d")
  rm -f "$T/ours.iso"
  sync
  t0=$(now)
  "$T/discdesk" "${DISC[@]}" --iso --no-verify --out "$T/ours.iso" "$STUDY" > "$T/ours.log" 2>&1
  t1=$(now)
  ourss+=("$(sub "$t1" "$t0")")
done
ref_mkdir=$(median "${rm1[@]}"); ref_jpeg=$(median "${rj1[@]}"); ref_iso=$(median "${ri1[@]}"); ref_total=$(median "${refs[@]}")
ours=$(median "${ourss[@]}")
njpeg=$(ls "$R/IHE_PDI" | wc -l)
valid=$(check "$T/ours.iso")
ourjpeg=$(isoinfo -f -i "$T/ours.iso" | grep -c '/IMG[0-9]*\.JPG' || true)

# --- discdesk with the browser viewer and read-back verify, against bare
# xorriso of the same tree, alternated; medians ------------------------------
DISCV=(--data "$T/data" disc --files --ack-no-report bench)
"$T/discdesk" "${DISCV[@]}" --no-verify --out "$T/tree" "$STUDY" > /dev/null 2>&1
"$T/discdesk" "${DISC[@]}" --no-verify --out "$T/tree-nv" "$STUDY" > /dev/null 2>&1
web_mb=$(du -sm "$T/tree/VIEWER/WEB" | cut -f1)
dicom_mb=$(du -sm "$T/tree/DICOM" | cut -f1)
colds=(); preps=(); bares=(); nvs=(); nvbares=()
ours_disc() { # ours_disc ARGS...: one timed disc with read-back verify
  rm -f "$T/ours.iso" "$T/ours.iso.sha256"
  sync
  local t0 t1
  t0=$(now)
  "$T/discdesk" "$@" --iso --out "$T/ours.iso" "$STUDY" > "$T/verify.log" 2>&1
  t1=$(now)
  grep -q "read back and verified" "$T/verify.log" || { echo "discdesk disc did not verify:" >&2; cat "$T/verify.log" >&2; exit 1; }
  sub "$t1" "$t0"
}
bare_iso() { # bare_iso TREE: one timed bare xorriso of the tree
  rm -f "$T/bare.iso"
  sync
  local t0 t1
  t0=$(now)
  xorriso -as mkisofs -quiet -iso-level 1 -J -V "$vol" -o "$T/bare.iso" "$1" 2> /dev/null
  t1=$(now)
  rm -f "$T/bare.iso"
  sub "$t1" "$t0"
}
for r in $(seq "$RUNS"); do
  vol=$(isoinfo -d -i "$T/ours.iso" 2> /dev/null | sed -n 's/^Volume id: //p'); vol=${vol:-BENCH}
  bares+=("$(bare_iso "$T/tree")")
  rm -rf "$T/data/cache" # cold: every frame packed
  v=$(ours_disc "${DISCV[@]}") || exit 1; colds+=("$v")
  v=$(ours_disc "${DISCV[@]}") || exit 1; preps+=("$v") # prepared: the frames the cold disc cached
  nvbares+=("$(bare_iso "$T/tree-nv")")
  v=$(ours_disc "${DISC[@]}") || exit 1; nvs+=("$v")
done
cold=$(median "${colds[@]}"); prep=$(median "${preps[@]}"); bare=$(median "${bares[@]}")
nv=$(median "${nvs[@]}"); nvbare=$(median "${nvbares[@]}")
valid3=$(check "$T/ours.iso")
v=$(ours_disc "${DISCV[@]}") || exit 1
valid2=$(check "$T/ours.iso")

mb=$(du -m "$T/ours.iso" | cut -f1)
echo "$N-slice CT to ISO, without the browser viewer, medians of $RUNS alternated runs:"
echo "  reference: dcmmkdir ${ref_mkdir}s + dcmj2pnm x$njpeg ${ref_jpeg}s + xorriso ${ref_iso}s = ${ref_total}s"
echo "  discdesk disc (plan + DICOMDIR + $ourjpeg web JPEGs and thumbnails + ISO): ${ours}s (runs: ${ourss[*]}); validate-disc: $valid"
echo "  reference runs: ${refs[*]}"
echo "  reference/discdesk = $(ratio "$ref_total" "$ours") (same JPEG count; target >= 1)"
echo "$N-slice CT to ISO with the browser viewer ($mb MB: DICOM $dicom_mb MB, browser viewer and its data $web_mb MB), medians of $RUNS alternated runs:"
echo "  bare xorriso -as mkisofs of the same tree: ${bare}s (runs: ${bares[*]})"
echo "  discdesk disc with read-back verify, frames prepared: ${prep}s (runs: ${preps[*]}); validate-disc: $valid2"
echo "  discdesk disc with read-back verify, cold (every frame packed): ${cold}s (runs: ${colds[*]})"
echo "  prepared / bare xorriso = $(ratio "$prep" "$bare") (target <= 1.5); cold / bare xorriso = $(ratio "$cold" "$bare")"
echo "$N-slice CT to ISO without the browser viewer (plan, DICOMDIR, web pages, ISO, read-back verify), medians of $RUNS alternated runs:"
echo "  discdesk disc with read-back verify: ${nv}s (runs: ${nvs[*]}); validate-disc: $valid3"
echo "  bare xorriso -as mkisofs of the same tree: ${nvbare}s (runs: ${nvbares[*]})"
echo "  discdesk with verify / bare xorriso = $(ratio "$nv" "$nvbare") (target <= 1.5)"

# --- memory for 2,000 instances ------------------------------------------
"$T/ctstudy" -src "$SRC" -out "$T/many" -n 2000 -size 64
rm -f "$T/ours.iso"
/usr/bin/time -o "$T/rss" -f '%M' "$T/discdesk" --data "$T/data2" disc --files --iso --no-verify --media dvd --no-viewer --ack-no-report bench --out "$T/many.iso" "$T/many/ST00001" > /dev/null 2> "$T/many.log"
rss=$(tail -1 "$T/rss")
echo "disc of 2,000 instances: max resident ${rss} KiB ($(( rss / 1024 )) MiB, target < 200 MiB)"
