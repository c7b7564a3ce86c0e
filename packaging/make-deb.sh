#!/usr/bin/env bash
# make-deb.sh assembles the DiscDesk .deb from an already built desk
# executable and the disc viewer binaries, with dpkg-deb (no debhelper).
#
# Layout (Debian policy 9.1: /usr/local belongs to the local administrator;
# the desk finds the viewer binaries in the folder "viewer" beside its real
# executable, see burner/disc.ViewerDir; os.Executable resolves the
# symlink):
#   usr/lib/discdesk/discdesk                 the desk
#   usr/lib/discdesk/viewer/DISCVIEW*         what every disc carries
#   usr/bin/discdesk -> ../lib/discdesk/discdesk
#   usr/share/applications/discdesk.desktop  the menu entry (starts the desk)
#   usr/share/icons/hicolor/512x512/apps/discdesk.png
#   usr/share/man/man1/discdesk.1.gz          the manual page
#   usr/share/doc/discdesk/copyright, changelog.Debian.gz
#
# Staff data (library, requests, settings) lives in each user's config
# folder (or $DISCDESK_DATA), never in the package's paths, so upgrading or
# removing the package leaves it alone. lintian finds nothing to report on
# the result (packaging/deb_test.go runs it).
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
lib=$root/usr/lib/discdesk
doc=$root/usr/share/doc/discdesk
umask 022
install -d -m 0755 "$lib/viewer" "$root/usr/bin" "$root/usr/share/applications" \
	"$root/usr/share/icons/hicolor/512x512/apps" "$root/usr/share/man/man1" "$doc" "$root/DEBIAN"
install -m 0755 "$exe" "$lib/discdesk"
ln -s ../lib/discdesk/discdesk "$root/usr/bin/discdesk"
nviewer=0
if [ -d "$viewer" ]; then
	for f in "$viewer"/*; do
		[ -f "$f" ] || continue
		case $f in
		*.EXE | *.exe) install -m 0644 "$f" "$lib/viewer/" ;; # for Windows, copied onto discs
		*) install -m 0755 "$f" "$lib/viewer/" ;;
		esac
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
Exec=discdesk
Icon=discdesk
Terminal=false
Categories=Science;MedicalSoftware;
Keywords=DICOM;CD;PACS;patient;
StartupWMClass=discdesk
DESKTOP
chmod 0644 "$root/usr/share/applications/discdesk.desktop"

date=$(date -u -R -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$exe")}")
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: DiscDesk
Comment: The desk embeds DejaVu Sans for its PDF documents.

Files: *
Copyright: DiscDesk authors
License: LicenseRef-DiscDesk
 The source repository states no licence yet; ask the DiscDesk
 maintainers for the terms under which this build is distributed.

Files: assets/fonts/DejaVuSans*.ttf
Copyright: 2003 Bitstream, Inc.; DejaVu changes are in the public domain
License: Bitstream-Vera
 Permission is hereby granted, free of charge, to any person obtaining a
 copy of the fonts accompanying this license ("Fonts") and associated
 documentation files, to reproduce and distribute the Font Software,
 subject to the conditions in the Bitstream Vera Fonts licence (see
 https://dejavu-fonts.github.io/License.html).
COPYRIGHT
printf 'discdesk (%s) unstable; urgency=medium\n\n  * Package built by packaging/make-deb.sh.\n\n -- DiscDesk <support@discdesk.invalid>  %s\n' \
	"$version" "$date" | gzip -9n >"$doc/changelog.Debian.gz"
cat <<'MAN' | gzip -9n >"$root/usr/share/man/man1/discdesk.1.gz"
.TH DISCDESK 1 "" "DiscDesk" "User Commands"
.SH NAME
discdesk \- patient-disc station for imaging front desks
.SH SYNOPSIS
.B discdesk
.br
.B discdesk
.I command
.RI [ options ]
.SH DESCRIPTION
Without a command,
.B discdesk
opens the desk window: import DICOM studies, record patient requests,
burn and verify IHE PDI patient discs, print forms, invoices and disc labels.
With a command it runs the same work from a terminal;
.B discdesk help
lists the commands.
.SH FILES
Each user's data lives in the user configuration folder (DiscDesk), or in
.BR $DISCDESK_DATA .
The disc viewers copied onto every disc are in
.IR /usr/lib/discdesk/viewer .
MAN
chmod 0644 "$doc/copyright" "$doc/changelog.Debian.gz" "$root/usr/share/man/man1/discdesk.1.gz"
# What lintian would say and why it does not apply to this package.
install -d -m 0755 "$root/usr/share/lintian/overrides"
cat >"$root/usr/share/lintian/overrides/discdesk" <<'OVERRIDES'
# Built for facilities, not uploaded to the Debian archive: no ITP bug.
discdesk: initial-upload-closes-no-bugs
# The disc viewers are copied onto every patient disc and run from there
# on any Linux; the package never runs them. They are built as
# packaging/build-viewer.sh builds them for the discs.
discdesk: hardening-no-pie [usr/lib/discdesk/viewer/*]
OVERRIDES
chmod 0644 "$root/usr/share/lintian/overrides/discdesk"

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
size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
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
(cd "$root" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
mkdir -p "$out"
deb=$out/discdesk_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
