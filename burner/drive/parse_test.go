package drive

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseXorrisoMedia(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Media
	}{
		{"xorriso_toc_blank_cdr.txt", Media{State: StateBlank, Kind: KindCD, Type: "CD-R", Free: 359846 * 2048}},
		{"xorriso_toc_nomedia.txt", Media{State: StateNone, Type: "is not present"}},
		{"xorriso_toc_closed_dvd.txt", Media{State: StateClosed, Kind: KindDVD, Type: "DVD-R sequential recording", VolumeID: "PAT_0001"}},
		{"xorriso_toc_stdio_written.txt", Media{State: StateAppendable, Kind: KindFile, Type: "stdio file, overwriteable", Rewritable: true, Free: 39869306 * 2048, VolumeID: "TESTVOL"}},
	} {
		got := parseXorrisoMedia(testdata(t, tc.file))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, diff)
		}
	}
}

func TestParseXorrisoDevicesAndProfiles(t *testing.T) {
	got := parseXorrisoDevices(testdata(t, "xorriso_devices.txt"))
	want := []Info{
		{Spec: "/dev/sr0", Backend: "xorriso", Vendor: "HL-DT-ST", Product: "DVDRAM GH24NSD1"},
		{Spec: "/dev/sr1", Backend: "xorriso", Vendor: "ASUS", Product: "BW-16D1HT"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
	if k := parseXorrisoProfiles(testdata(t, "xorriso_profiles.txt")); !cmp.Equal(k, []MediaKind{KindCD, KindDVD}) {
		t.Errorf("profiles: %v", k)
	}
}

func TestXorrisoBurnArgs(t *testing.T) {
	got := strings.Join(xorrisoBurnArgs("/dev/sr0", "PAT_0001", [][2]string{{"/lib/a b.dcm", "DICOM/P1/I1"}, {"/tmp/s/DICOMDIR", "DICOMDIR"}}), " ")
	want := "-abort_on FAILURE -return_with SORRY 32 -pacifier xorriso -pacifier interval=0.1 -outdev /dev/sr0 -volid PAT_0001 -rockridge off -joliet on " +
		"-compliance iso_9660_level=1:deep_paths_off:long_paths_off:only_iso_version -close on " +
		"-map /lib/a b.dcm /DICOM/P1/I1 -map /tmp/s/DICOMDIR /DICOMDIR -commit"
	if got != want {
		t.Errorf("args\n got %s\nwant %s", got, want)
	}
	// An image file is not synced every 16 MB (xorriso -as mkisofs is not
	// either; each sync also flushed the disc's freshly generated files).
	if got := strings.Join(xorrisoBurnArgs("stdio:/tmp/x.iso", "V", nil), " "); !strings.Contains(got, " -close on -stdio_sync off -commit") {
		t.Errorf("image file args %s", got)
	}
}

func TestParseXorrisoUpdate(t *testing.T) {
	s, p, ok := parseXorrisoUpdate("xorriso : UPDATE : Writing:     128656s   65.8%   fifo 100%  buf  50%  236.8xD ")
	if !ok || s != 128656 || p != 65.8 {
		t.Errorf("got %d %v %v", s, p, ok)
	}
	if _, _, ok := parseXorrisoUpdate("xorriso : UPDATE :       1 files added in 1 seconds"); ok {
		t.Error("files-added line parsed as writing")
	}
}

func problemsOf(out string) []string {
	var p []string
	for _, l := range strings.Split(out, "\n") {
		if x := reProblem.FindStringSubmatch(strings.TrimRight(l, "\r")); x != nil {
			p = append(p, x[2])
		}
	}
	return p
}

func TestClassifyXorriso(t *testing.T) {
	for _, tc := range []struct {
		lines   string
		writing bool
		want    error
	}{
		{testdata(t, "xorriso_write_devfull.txt"), true, ErrWrite},
		{testdata(t, "xorriso_write_ejected.txt"), true, ErrEjected},
		{"xorriso : SORRY : No drives found", false, ErrNoDrive},
		{"libburn : SORRY : Neither stdio-path nor its directory exist\nxorriso : FAILURE : Cannot acquire drive 'stdio:/x/y'", false, ErrNoDrive},
		{"libburn : FAILURE : Cannot open busy device '/dev/sr0'", false, ErrBusy},
		{"libburn : SORRY : Image size 400000s exceeds free space on media 359846s", false, ErrCapacityExceeded},
		{"xorriso : FAILURE : Output medium is not blank", false, ErrMediaNotBlank},
	} {
		if got := classifyXorriso(problemsOf(tc.lines), tc.writing); !errors.Is(got, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.lines, got, tc.want)
		}
	}
}

func TestParseDrutil(t *testing.T) {
	m, dev := parseDrutilStatus(testdata(t, "drutil_status_blank_cdr.txt"))
	if diff := cmp.Diff(Media{State: StateBlank, Kind: KindCD, Type: "CD-R", Free: 359846 * 2048}, m); diff != "" || dev != "/dev/disk2" {
		t.Errorf("blank CD-R %s (-want +got):\n%s", dev, diff)
	}
	if m, _ := parseDrutilStatus(testdata(t, "drutil_status_nomedia.txt")); m.State != StateNone {
		t.Errorf("no media: %v", m)
	}
	if m, dev := parseDrutilStatus(testdata(t, "drutil_status_closed_dvd.txt")); m.State != StateClosed || m.Kind != KindDVD || dev != "/dev/disk3" {
		t.Errorf("closed DVD: %v %s", m, dev)
	}
	if v, p := parseDrutilVendor(testdata(t, "drutil_status_blank_cdr.txt")); v != "HL-DT-ST" || p != "DVDRW  GX40N" {
		t.Errorf("vendor %q product %q", v, p)
	}
	var pcts []float64
	for _, l := range strings.Split(testdata(t, "hdiutil_burn_puppet.txt"), "\n") {
		if p, ok, e := parsePuppetLine(l); ok {
			pcts = append(pcts, p)
		} else if e != "" {
			t.Errorf("error in good run: %s", e)
		}
	}
	if !cmp.Equal(pcts, []float64{0, 12.5, 57.25, 100}) {
		t.Errorf("percents %v", pcts)
	}
	var errText string
	for _, l := range strings.Split(testdata(t, "hdiutil_burn_error.txt"), "\n") {
		if _, _, e := parsePuppetLine(l); e != "" {
			errText = e
		}
	}
	if !errors.Is(classifyHdiutil(errText, true), ErrEjected) {
		t.Errorf("ejected mid-burn: %q -> %v", errText, classifyHdiutil(errText, true))
	}
	want := "makehybrid -iso -joliet -default-volume-name PAT_1 -iso-volume-name PAT_1 -joliet-volume-name PAT_1 -o /t/disc.iso /t/stage"
	if got := strings.Join(hdiutilMakehybridArgs("PAT_1", "/t/disc.iso", "/t/stage"), " "); got != want {
		t.Errorf("makehybrid args %s", got)
	}
	if got := strings.Join(hdiutilBurnArgs("/t/disc.iso"), " "); got != "burn /t/disc.iso -puppetstrings -noverifyburn -noeject" {
		t.Errorf("burn args %s", got)
	}
	if got := strings.Join(drutilStatusArgs(2), " "); got != "status -drive 2" {
		t.Errorf("status args %s", got)
	}
}

func TestImapi(t *testing.T) {
	drives := parseImapiDrives(testdata(t, "imapi_list.txt"))
	if len(drives) != 2 || drives[0].Spec != "E:" || drives[0].Vendor != "HL-DT-ST" || drives[1].Product != "BW-16D1HT" {
		t.Errorf("drives %+v", drives)
	}
	for _, tc := range []struct {
		file string
		want Media
	}{
		{"imapi_media_blank_cdr.txt", Media{State: StateBlank, Kind: KindCD, Type: "CD-R", Free: 359846 * 2048}},
		{"imapi_media_closed_dvdr.txt", Media{State: StateClosed, Kind: KindDVD, Type: "DVD-R"}},
		{"imapi_media_none.txt", Media{State: StateNone}},
	} {
		m, ok := parseImapiMedia(testdata(t, tc.file))
		if diff := cmp.Diff(tc.want, m); !ok || diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, diff)
		}
	}
	for _, tc := range []struct {
		file    string
		writing bool
		want    error
	}{
		{"imapi_media_none.txt", false, ErrNoMedia},
		{"imapi_burn_ejected.txt", true, ErrEjected},
		{"imapi_burn_toolarge.txt", false, ErrCapacityExceeded},
	} {
		msg, ok, s := parseImapiError(testdata(t, tc.file), tc.writing)
		if !ok || !errors.Is(s, tc.want) || !strings.HasPrefix(msg, "0xC0AA") {
			t.Errorf("%s: %v %q, want %v", tc.file, s, msg, tc.want)
		}
	}

	script := imapiBurnScript("e", "PAT_0001", `C:\Temp\it's here`)
	for _, want := range []string{
		`$r.VolumePathNames -contains 'E:\'`,
		"$fsi.FileSystemsToCreate = 3",
		"$fsi.ISO9660InterchangeLevel = 1",
		"$fsi.VolumeName = 'PAT_0001'",
		`$fsi.Root.AddTree('C:\Temp\it''s here', $false)`,
		"$format.ForceMediaToBeClosed = $true",
		"$format.Write($result.ImageStream)",
		"IMAPI2.MsftDiscFormat2Data",
		"$format.MediaHeuristicallyBlank",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("burn script lacks %q", want)
		}
	}
	// ChooseImageDefaults resets the file systems: it must come first.
	if strings.Index(script, "ChooseImageDefaults") > strings.Index(script, "FileSystemsToCreate") {
		t.Error("ChooseImageDefaults after FileSystemsToCreate")
	}
	// Every single-quoted literal is balanced (no injection through names).
	if n := len(regexp.MustCompile(`'`).FindAllString(script, -1)); n%2 != 0 {
		t.Errorf("unbalanced quotes (%d)", n)
	}
	for name, sc := range map[string]string{"list": imapiListScript(), "media": imapiMediaScript("E:"), "eject": imapiEjectScript("E")} {
		if !strings.HasPrefix(sc, imapiPrelude) || !strings.Contains(sc, "IMAPI2.MsftDiscMaster2") || strings.Count(sc, "'")%2 != 0 {
			t.Errorf("%s script malformed:\n%s", name, sc)
		}
	}
	if !strings.Contains(imapiEjectScript("e"), "$recorder.EjectMedia()") || !strings.Contains(imapiMediaScript("e:"), "Say (\"MEDIA") {
		t.Error("eject/media script lacks its call")
	}
	if x := reImapiPhase.FindStringSubmatch("PHASE writing"); x == nil || x[1] != "writing" {
		t.Errorf("phase line: %v", x)
	}
	if got := strings.Join(powershellArgs(`C:\x.ps1`), " "); got != `-NoProfile -NonInteractive -ExecutionPolicy Bypass -File C:\x.ps1` {
		t.Errorf("powershell args %s", got)
	}
}

func TestMessage(t *testing.T) {
	me := &MediaError{Err: ErrNoMedia, Drive: "/dev/sr0", Need: 611_500_000, Want: KindCD}
	if got := Message(me); got != "Insert a blank CD-R in /dev/sr0: this study needs 612 MB." {
		t.Errorf("no media: %q", got)
	}
	me = &MediaError{Err: ErrCapacityExceeded, Drive: "/dev/sr0", Found: Media{Kind: KindCD, Free: 700_000_000}, Need: 900_000_000, Want: KindDVD}
	if got := Message(me); got != "The CD in /dev/sr0 holds only 700 MB; this study needs 900 MB. Insert a blank DVD-R." {
		t.Errorf("too small: %q", got)
	}
	for _, s := range []error{ErrToolMissing, ErrNoDrive, ErrBusy, ErrWrite, ErrEjected, ErrVerifyMismatch, ErrUnreadable} {
		if m := Message(s); m == "" || strings.Contains(m, "report it to IT") {
			t.Errorf("%v: generic message %q", s, m)
		}
	}
}
