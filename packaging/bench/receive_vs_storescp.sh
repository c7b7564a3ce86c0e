#!/bin/sh
# Receive benchmark, the default path: dcmtk's storescu sends one CT study of
# SLICES instances over loopback to
#   (a) `discdesk serve` receiving into its library (no --out): every
#       acknowledged instance durable (synced before the C-STORE-RSP),
#   (b) dcmtk's storescp writing into a folder (no sync at all),
#   (c) Orthanc storing into its own store (its defaults),
# each round starting every receiver on a fresh, empty store, the order of
# the three rotating from round to round. Medians over ROUNDS and the
# throughput ratios are printed (goals: discdesk/storescp >= 0.8, and
# discdesk faster than Orthanc).
#
# The load average before and after is printed beside the medians: on a
# machine others use, call the figures "loaded" and trust the ratios more
# than the times (all three receivers share the same load, round by round).
#
# Usage: packaging/bench/receive_vs_storescp.sh [SLICES] [ROUNDS]
# Needs: go, dcmtk (storescu, storescp, dcmodify), Orthanc, python3. Uses
# $DISCDESK_TESTDATA or ../shared/testdata/dicom for the source slice.
#
# dcmtk reads TCP_NODELAY from the environment; unset, its sockets keep
# Nagle's algorithm and every C-STORE stalls ~40 ms on the delayed ACK. The
# default here, TCP_NODELAY=1, gives storescp (and every receiver) its best
# case.
set -eu
TCP_NODELAY=${TCP_NODELAY-1}
export TCP_NODELAY

SLICES=${1:-500}
ROUNDS=${2:-5}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${DISCDESK_TESTDATA:-$REPO/../shared/testdata/dicom}
SRC=$CORPUS/generated/ct_slice_variants/ct_explicit_le_source.dcm
[ -f "$SRC" ] || { echo "source slice not found: $SRC" >&2; exit 1; }
for tool in storescu storescp dcmodify Orthanc python3 go; do
	command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done

# The work folder must be on a disk-backed file system (not a tmpfs), so
# syncs cost what they cost: set BENCH_TMP when TMPDIR is a tmpfs.
WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/receive-bench.XXXXXX")
FSTYPE=$(df --output=fstype "$WORK" | tail -1)
[ "$FSTYPE" != tmpfs ] || echo "warning: $WORK is on a tmpfs: syncs are free there" >&2
PID=""
cleanup() {
	[ -z "$PID" ] || kill "$PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# A headless discdesk (CLI only, no Fyne) built from this checkout.
mkdir -p "$WORK/cmd"
cat >"$WORK/cmd/go.mod" <<EOF
module benchcmd

go 1.26.0

require discdesk v0.0.0
replace discdesk => $REPO
EOF
cat >"$WORK/cmd/main.go" <<'EOF'
package main

import "discdesk/app/cli"

func main() { cli.Main(nil) } // headless: no desk window
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
		n=$((n + 1))
		[ "$n" -lt 300 ] || { echo "nothing listens on $1" >&2; exit 1; }
		sleep 0.1
	done
}
stop() {
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=""
}

# start NAME DIR PORT: a fresh receiver on an empty store.
start() {
	rm -rf "$2"
	mkdir -p "$2"
	case $1 in
	discdesk)
		"$WORK/discdesk" --data "$2" serve --host 127.0.0.1 --port "$3" --any-caller --ae DISCDESK >/dev/null 2>&1 &
		;;
	storescp)
		storescp -od "$2" -aet STORESCP "$3" >/dev/null 2>&1 &
		;;
	orthanc)
		cat >"$2.json" <<EOF
{ "Name": "bench", "StorageDirectory": "$2/store", "IndexDirectory": "$2/index",
  "DicomAet": "ORTHANC", "DicomPort": $3, "HttpPort": $(freeport), "DicomCheckCalledAet": false,
  "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "Plugins": [], "HttpServerEnabled": false }
EOF
		Orthanc "$2.json" >/dev/null 2>&1 &
		;;
	esac
	PID=$!
	waitport "$3"
}

# stored NAME DIR: how many instances the receiver holds.
stored() {
	case $1 in
	discdesk) find "$2/library/objects" "$2/library/received" -type f -name '*.dcm' 2>/dev/null | wc -l ;;
	storescp) find "$2" -type f | wc -l ;;
	orthanc) find "$2/store" -type f 2>/dev/null | wc -l ;;
	esac
}

# run NAME: seconds for storescu to send the whole study to a fresh NAME.
run() {
	dir=$WORK/store-$1
	port=$(freeport)
	start "$1" "$dir" "$port"
	aec=$(echo "$1" | tr a-z A-Z)
	t0=$(date +%s.%N)
	storescu -aet BENCH -aec "$aec" 127.0.0.1 "$port" +sd "$WORK/study" >/dev/null 2>&1 || { echo "storescu to $1 failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	stop
	n=$(stored "$1" "$dir")
	[ "$n" -eq "$SLICES" ] || { echo "$1 holds $n of $SLICES instances" >&2; exit 1; }
	echo "$t1 - $t0" | bc -l
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

LOAD0=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
T_DD=""
T_SCP=""
T_ORT=""
r=1
while [ "$r" -le "$ROUNDS" ]; do
	case $((r % 3)) in
	1) order="discdesk storescp orthanc" ;;
	2) order="storescp orthanc discdesk" ;;
	0) order="orthanc discdesk storescp" ;;
	esac
	line="round $r:"
	for who in $order; do
		t=$(run "$who")
		case $who in
		discdesk) T_DD="$T_DD $t" ;;
		storescp) T_SCP="$T_SCP $t" ;;
		orthanc) T_ORT="$T_ORT $t" ;;
		esac
		line="$line $who $(printf '%.3f' "$t") s,"
	done
	echo "${line%,}"
	r=$((r + 1))
done

m_dd=$(echo "$T_DD" | median)
m_scp=$(echo "$T_SCP" | median)
m_ort=$(echo "$T_ORT" | median)
mbs() { echo "$BYTES / $1 / 1000000" | bc -l; }
printf 'dcmtk TCP_NODELAY=%s; study: %d instances, %d MB; stores on %s\n' "$TCP_NODELAY" "$SLICES" "$((BYTES / 1000000))" "$FSTYPE"
printf 'load average %s before, %s after, on %s cores (a load above the cores: figures taken loaded)\n' "$LOAD0" "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')" "$(nproc 2>/dev/null || echo '?')"
printf 'median of %d: discdesk serve (library, durable) %.3f s (%.1f MB/s)\n' "$ROUNDS" "$m_dd" "$(mbs "$m_dd")"
printf '              dcmtk storescp (folder, no sync) %.3f s (%.1f MB/s)\n' "$m_scp" "$(mbs "$m_scp")"
printf '              Orthanc (its own store)          %.3f s (%.1f MB/s)\n' "$m_ort" "$(mbs "$m_ort")"
printf 'throughput ratio discdesk/storescp: %.2f (goal >= 0.80)\n' "$(echo "$m_scp / $m_dd" | bc -l)"
printf 'throughput ratio discdesk/Orthanc:  %.2f (goal > 1)\n' "$(echo "$m_ort / $m_dd" | bc -l)"
