#!/bin/sh
# build-viewer.sh builds the disc viewer (viewer/cmd/discviewer) for the
# discs: Linux amd64 and Windows amd64, one executable each, under the 8.3
# names the burner picks up (packaging/out/viewer/DISCVIEW and DISCVIEW.EXE).
#
# Needs: Go, gcc and the Fyne build packages (see
# ../shared/spec/DEPENDENCIES.md), and for Windows Debian's
# gcc-mingw-w64-x86-64. Neither build has CharLS/OpenJPEG (tag discviewer):
# they show what the burner writes on discs (uncompressed, RLE and JPEG),
# not JPEG-LS or JPEG 2000, and need no codec libraries on the patient's PC.
#
# Usage: packaging/build-viewer.sh [linux|windows]...   (default: both)
set -eu
cd "$(dirname "$0")/.."
out=packaging/out/viewer
mkdir -p "$out"
export GOFLAGS=-mod=mod
targets=${*:-linux windows}
for t in $targets; do
	case $t in
	linux)
		# -tags discviewer leaves out the CharLS/OpenJPEG codecs: the disc
		# viewer must start on a PC without those libraries, and the burner
		# never puts JPEG-LS or JPEG 2000 on a disc it did not transcode.
		# No -trimpath here: the tests build this too and share the cache.
		CGO_ENABLED=1 GOOS=linux GOARCH=amd64 \
			go build -tags discviewer -ldflags "-s -w" -o "$out/DISCVIEW" ./viewer/cmd/discviewer
		;;
	windows)
		command -v x86_64-w64-mingw32-gcc >/dev/null || {
			echo "build-viewer: x86_64-w64-mingw32-gcc missing (apt-get install gcc-mingw-w64-x86-64)" >&2
			exit 1
		}
		CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
			go build -tags discviewer -trimpath -ldflags "-s -w -H=windowsgui" -o "$out/DISCVIEW.EXE" ./viewer/cmd/discviewer
		;;
	*)
		echo "build-viewer: unknown target $t (linux or windows)" >&2
		exit 2
		;;
	esac
done
ls -l "$out"
