#!/usr/bin/env bash
# package-windows.sh cross-compiles the Windows desk with Debian's
# gcc-mingw-w64 and zips it with the disc viewer binaries beside it:
#   packaging/out/dist/DiscDesk-VERSION-windows-amd64.zip
#       DiscDesk/discdesk.exe, DiscDesk/viewer/DISCVIEW.EXE, DiscDesk/viewer/DISCVIEW
# The desk finds the viewer in the folder "viewer" beside its executable
# (burner/disc.ViewerDir). Not run here: Debian's wine cannot run Go 1.26
# binaries, so the .exe is only checked to be a PE32+ GUI executable.
#
# Needs: gcc-mingw-w64-x86-64, zip. Time on the 2-core dev machine: ~5-6 min
# cold, seconds with a warm Go build cache. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export GOFLAGS=-mod=mod
out=$repo/packaging/out/dist
work=$repo/packaging/out/windows
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml | head -n1)
command -v x86_64-w64-mingw32-gcc >/dev/null || {
	echo "package-windows: x86_64-w64-mingw32-gcc missing (apt-get install gcc-mingw-w64-x86-64)" >&2
	exit 1
}
rm -rf "$work"
mkdir -p "$work/DiscDesk/viewer" "$out"
for t in windows linux; do
	f=DISCVIEW
	[ $t = windows ] && f=DISCVIEW.EXE
	[ -f packaging/out/viewer/$f ] || packaging/build-viewer.sh $t
done
SECONDS=0
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
	go build -trimpath -ldflags "-s -w -H=windowsgui" -o "$work/DiscDesk/discdesk.exe" .
echo "package-windows: desk built in ${SECONDS}s"
file "$work/DiscDesk/discdesk.exe" | grep -q 'PE32+ executable (GUI) x86-64' || {
	echo "package-windows: discdesk.exe is not a PE32+ GUI executable: $(file "$work/DiscDesk/discdesk.exe")" >&2
	exit 1
}
cp packaging/out/viewer/DISCVIEW.EXE packaging/out/viewer/DISCVIEW "$work/DiscDesk/viewer/"
zipf=$out/DiscDesk-$version-windows-amd64.zip
rm -f "$zipf"
(cd "$work" && zip -q -r -X "$zipf" DiscDesk)
ls -l "$work/DiscDesk/discdesk.exe" "$zipf"
