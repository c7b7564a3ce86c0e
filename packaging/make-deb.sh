#!/usr/bin/env bash
# make-deb.sh assembles the DiscDesk .deb from an already built desk
# executable and the disc viewer binaries, with dpkg-deb (no debhelper).
#
# Layout (the desk finds the viewer binaries in the folder "viewer" beside
# its real executable, see burner/disc.ViewerDir; os.Executable resolves
# the symlink):
#   usr/local/lib/discdesk/discdesk           the desk
#   usr/local/lib/discdesk/viewer/DISCVIEW*   what every disc carries
#   usr/local/bin/discdesk -> ../lib/discdesk/discdesk
#   usr/share/applications/discdesk.desktop  the desktop entry
#   usr/share/icons/hicolor/512x512/apps/discdesk.png
#
# Depends is derived from the executable's DT_NEEDED libraries (dpkg -S),
# plus xorriso, the Linux burning backend.
#
# Usage: packaging/make-deb.sh EXE VIEWER-DIR ICON VERSION OUT-DIR
# Prints the path of the .deb it wrote.
set -euo pipefail
if [ $# -ne 5 ]; then
	echo "usage: $0 EXE VIEWER-DIR ICON VERSION OUT-DIR" >&2
	exit 2
fi
exe=$1 viewer=$2 icon=$3 version=$4 out=$5
for f in "$exe" "$icon"; do
	[ -f "$f" ] || { echo "make-deb: $f: no such file" >&2; exit 1; }
done
case $version in
[0-9]*) ;;
*) echo "make-deb: version $version must start with a digit (Debian policy 5.6.12)" >&2; exit 1 ;;
esac
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/discdesk
lib=$root/usr/local/lib/discdesk
install -d -m 0755 "$lib/viewer" "$root/usr/local/bin" "$root/usr/share/applications" \
	"$root/usr/share/icons/hicolor/512x512/apps" "$root/DEBIAN"
install -m 0755 "$exe" "$lib/discdesk"
ln -s ../lib/discdesk/discdesk "$root/usr/local/bin/discdesk"
nviewer=0
if [ -d "$viewer" ]; then
	for f in "$viewer"/*; do
		[ -f "$f" ] || continue
		install -m 0755 "$f" "$lib/viewer/"
		nviewer=$((nviewer + 1))
	done
fi
[ "$nviewer" -gt 0 ] || { echo "make-deb: no viewer binaries in $viewer (run packaging/build-viewer.sh)" >&2; exit 1; }
install -m 0644 "$icon" "$root/usr/share/icons/hicolor/512x512/apps/discdesk.png"
cat >"$root/usr/share/applications/discdesk.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=DiscDesk
GenericName=Patient disc station
Comment=Burn standards-compliant patient discs and log every handoff
Exec=/usr/local/bin/discdesk
Icon=discdesk
Terminal=false
Categories=Office;MedicalSoftware;
Keywords=DICOM;CD;PACS;patient;
StartupWMClass=discdesk
DESKTOP
chmod 0644 "$root/usr/share/applications/discdesk.desktop"

# Runtime libraries the executable links against, as Debian packages.
deps=()
if command -v objdump >/dev/null; then
	while read -r soname; do
		path=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64/ && !found {print $NF; found = 1}')
		[ -n "$path" ] || continue
		pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1) || true
		[ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1) || true
		[ -n "$pkg" ] && deps+=("$pkg")
	done < <(objdump -p "$exe" | awk '/NEEDED/ {print $2}')
fi
deps+=(xorriso)
depends=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: discdesk
Version: $version
Section: science
Priority: optional
Architecture: amd64
Maintainer: DiscDesk <support@discdesk.invalid>
Installed-Size: $size
Depends: $depends
Homepage: https://discdesk.invalid/
Description: patient-disc station for imaging front desks
 DiscDesk imports DICOM studies (folders, ZIPs, patient discs, PACS),
 burns IHE PDI patient discs with a DICOMDIR, web pages and a viewer,
 reads each disc back to verify it, and logs every handoff.
CONTROL
mkdir -p "$out"
deb=$out/discdesk_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
