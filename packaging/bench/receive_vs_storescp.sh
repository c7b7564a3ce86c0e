#!/bin/sh
# Receive benchmark: dcmtk's storescu sends a 500-slice CT study over loopback
# to `discdesk serve` and to dcmtk's own storescp, both in this one run, and
# the ratio is printed (target: DiscDesk at least as fast, ratio >= 1).
#
# Usage: packaging/bench/receive_vs_storescp.sh [SLICES] [ROUNDS]
# Needs: go, dcmtk (storescu, storescp, dcmodify). Uses
# $DISCDESK_TESTDATA or ../shared/testdata/dicom for the source slice.
#
# dcmtk reads TCP_NODELAY from the environment; unset, its sockets keep
# Nagle's algorithm and every C-STORE to storescp stalls ~40 ms on the
# delayed ACK (discdesk avoids that stall with TCP_QUICKACK). The default
# here, TCP_NODELAY=1, gives storescp its best case; run with TCP_NODELAY=
# (empty) to measure dcmtk's out-of-the-box behaviour.
set -eu
TCP_NODELAY=${TCP_NODELAY-1}
export TCP_NODELAY

SLICES=${1:-500}
ROUNDS=${2:-3}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${DISCDESK_TESTDATA:-$REPO/../shared/testdata/dicom}
SRC=$CORPUS/generated/ct_slice_variants/ct_explicit_le_source.dcm
[ -f "$SRC" ] || { echo "source slice not found: $SRC" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# A headless discdesk (CLI only, no Fyne) built from this checkout.
mkdir -p "$WORK/cmd"
cat > "$WORK/cmd/go.mod" <<EOF
module benchcmd

go 1.26.0

require discdesk v0.0.0
replace discdesk => $REPO
EOF
cat > "$WORK/cmd/main.go" <<'EOF'
package main

import "discdesk/app/cli"

func main() { cli.Main() }
EOF
cp "$REPO/go.sum" "$WORK/cmd/go.sum"
(cd "$WORK/cmd" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$WORK/discdesk" .)

# The study: SLICES copies of one CT slice with new instance UIDs and one
# new study and series.
mkdir -p "$WORK/study"
i=1
while [ "$i" -le "$SLICES" ]; do
	cp "$SRC" "$WORK/study/ct$i.dcm"
	i=$((i + 1))
done
STUDY=1.2.826.0.1.3680043.10.1385.9.$(date +%s)
dcmodify -nb -q -gin -m "StudyInstanceUID=$STUDY" -m "SeriesInstanceUID=$STUDY.1" "$WORK"/study/*.dcm
BYTES=$(du -sb "$WORK/study" | cut -f1)

freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
waitport() {
	n=0
	until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null; do
		n=$((n + 1)); [ "$n" -lt 100 ] || { echo "nothing listens on $1" >&2; exit 1; }
		sleep 0.1
	done
}

P_DD=$(freeport)
P_DCMTK=$(freeport)
mkdir -p "$WORK/out-dd" "$WORK/out-dcmtk"
"$WORK/discdesk" --data "$WORK/data" serve --host 127.0.0.1 --port "$P_DD" --any-caller --out "$WORK/out-dd" >/dev/null &
PIDS="$PIDS $!"
storescp -od "$WORK/out-dcmtk" -aet STORESCP "$P_DCMTK" >/dev/null 2>&1 &
PIDS="$PIDS $!"
waitport "$P_DD"
waitport "$P_DCMTK"

# send AE PORT: prints seconds for storescu to send the whole study.
send() {
	start=$(date +%s.%N)
	storescu -aet BENCH -aec "$1" 127.0.0.1 "$2" +sd "$WORK/study" >/dev/null 2>&1 || { echo "storescu to $1 failed" >&2; exit 1; }
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}

best_dd=""
best_dcmtk=""
r=1
while [ "$r" -le "$ROUNDS" ]; do
	t_dcmtk=$(send STORESCP "$P_DCMTK")
	t_dd=$(send DISCDESK "$P_DD")
	printf 'round %d: discdesk %.3f s, storescp %.3f s\n' "$r" "$t_dd" "$t_dcmtk"
	if [ -z "$best_dd" ] || [ "$(echo "$t_dd < $best_dd" | bc -l)" = 1 ]; then best_dd=$t_dd; fi
	if [ -z "$best_dcmtk" ] || [ "$(echo "$t_dcmtk < $best_dcmtk" | bc -l)" = 1 ]; then best_dcmtk=$t_dcmtk; fi
	rm -rf "$WORK/out-dcmtk"/* "$WORK/out-dd"/*
	r=$((r + 1))
done

got=$(ls "$WORK"/study | wc -l)
printf 'dcmtk TCP_NODELAY=%s\n' "$TCP_NODELAY"
printf 'study: %d slices, %d MB\n' "$got" "$((BYTES / 1000000))"
printf 'best of %d: discdesk serve %.3f s (%.1f MB/s), dcmtk storescp %.3f s (%.1f MB/s)\n' "$ROUNDS" \
	"$best_dd" "$(echo "$BYTES / $best_dd / 1000000" | bc -l)" "$best_dcmtk" "$(echo "$BYTES / $best_dcmtk / 1000000" | bc -l)"
printf 'ratio storescp/discdesk: %.2f (>= 1 means DiscDesk is at least as fast)\n' "$(echo "$best_dcmtk / $best_dd" | bc -l)"
