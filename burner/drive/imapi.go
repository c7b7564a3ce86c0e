package drive

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Scripts and output parsers of the Windows backend (imapi_windows.go): Go
// generates a PowerShell script that drives IMAPI2 through COM
// (MsftDiscMaster2, MsftDiscRecorder2, MsftDiscFormat2Data,
// IMAPI2FS.MsftFileSystemImage with ISO 9660 + Joliet at interchange level
// 1; Windows would otherwise write UDF). The script prints one line per fact:
//
//	DRIVE <letter> <vendor>|<product>
//	MEDIA <physical type> <heuristically blank 0/1> <free sectors> <closed 0/1>
//	PHASE <preparing|writing|done>
//	ERROR <HRESULT 0x........> <message>
//
// These builders and parsers are untagged so they are unit-tested on every
// platform against recorded outputs (testdata/imapi_*.txt).

// psQuote quotes s as a PowerShell single-quoted string.
func psQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

const imapiPrelude = `$ErrorActionPreference = 'Stop'
function Say([string]$s) { [Console]::Out.WriteLine($s); [Console]::Out.Flush() }
function Fail($e) {
  $hr = '0x{0:X8}' -f $e.Exception.HResult
  Say ("ERROR {0} {1}" -f $hr, ($e.Exception.Message -replace '[\r\n]+', ' '))
  exit 2
}
`

const imapiOpenRecorder = `$master = New-Object -ComObject IMAPI2.MsftDiscMaster2
$recorder = $null
foreach ($id in $master) {
  $r = New-Object -ComObject IMAPI2.MsftDiscRecorder2
  $r.InitializeDiscRecorder($id)
  if ($r.VolumePathNames -contains %s) { $recorder = $r; break }
}
if ($recorder -eq $null) { Say 'ERROR 0xC0AA0002 no such drive'; exit 3 }
$format = New-Object -ComObject IMAPI2.MsftDiscFormat2Data
if (-not $format.IsRecorderSupported($recorder)) { Say 'ERROR 0xC0AA0407 recorder not supported'; exit 3 }
if (-not $format.IsCurrentMediaSupported($recorder)) { Say 'MEDIA 0 0 0 0'; Say 'ERROR 0xC0AA0202 no media'; exit 4 }
$format.Recorder = $recorder
$format.ClientName = 'DiscDesk'
$closed = 0
try { if ($format.CurrentMediaStatus -band 0x4000) { $closed = 1 } } catch { }
Say ("MEDIA {0} {1} {2} {3}" -f [int]$format.CurrentPhysicalMediaType, [int]$format.MediaHeuristicallyBlank, $format.FreeSectorsOnMedia, $closed)
`

// imapiListScript lists the recorders with their drive letters.
func imapiListScript() string {
	return imapiPrelude + `try {
  $master = New-Object -ComObject IMAPI2.MsftDiscMaster2
  foreach ($id in $master) {
    $r = New-Object -ComObject IMAPI2.MsftDiscRecorder2
    $r.InitializeDiscRecorder($id)
    foreach ($v in $r.VolumePathNames) { Say ("DRIVE {0} {1}|{2}" -f $v.TrimEnd('\'), $r.VendorId.Trim(), $r.ProductId.Trim()) }
  }
} catch { Fail $_ }
`
}

// imapiMediaScript reports the media in the drive with the letter (e.g. "E:").
func imapiMediaScript(letter string) string {
	return imapiPrelude + "try {\n" + fmt.Sprintf(imapiOpenRecorder, psQuote(volumePath(letter))) + "} catch { Fail $_ }\n"
}

// imapiBurnScript writes the staging folder as one closed ISO 9660 level 1
// + Joliet session named volid.
func imapiBurnScript(letter, volid, staging string) string {
	return imapiPrelude + "try {\n" + fmt.Sprintf(imapiOpenRecorder, psQuote(volumePath(letter))) +
		`if ($format.MediaHeuristicallyBlank -ne $true) { Say 'ERROR 0xC0AA0405 media not blank'; exit 5 }
Say 'PHASE preparing'
$fsi = New-Object -ComObject IMAPI2FS.MsftFileSystemImage
$fsi.ChooseImageDefaults($recorder)
$fsi.FileSystemsToCreate = 3
$fsi.ISO9660InterchangeLevel = 1
$fsi.VolumeName = ` + psQuote(volid) + `
$fsi.FreeMediaBlocks = $format.FreeSectorsOnMedia
$fsi.Root.AddTree(` + psQuote(staging) + `, $false)
$result = $fsi.CreateResultImage()
$format.ForceMediaToBeClosed = $true
Say 'PHASE writing'
$format.Write($result.ImageStream)
Say 'PHASE done'
} catch { Fail $_ }
`
}

// imapiEjectScript opens the tray.
func imapiEjectScript(letter string) string {
	return imapiPrelude + "try {\n" + fmt.Sprintf(imapiOpenRecorder, psQuote(volumePath(letter))) + "$recorder.EjectMedia()\n} catch { Fail $_ }\n"
}

// powershellArgs runs a script file.
func powershellArgs(script string) []string {
	return []string{"-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", script}
}

func volumePath(letter string) string {
	l := strings.TrimRight(letter, `:\`)
	return strings.ToUpper(l) + `:\`
}

var (
	reImapiDrive = regexp.MustCompile(`(?m)^DRIVE (\S+) ([^|\r\n]*)\|([^\r\n]*)`)
	reImapiMedia = regexp.MustCompile(`(?m)^MEDIA (\d+) (\d+) (\d+)(?: (\d))?`)
	reImapiError = regexp.MustCompile(`(?m)^ERROR (0x[0-9A-Fa-f]{8}) ?(.*?)\s*$`)
	reImapiPhase = regexp.MustCompile(`^PHASE (\w+)`)
)

func parseImapiDrives(out string) []Info {
	var list []Info
	for _, x := range reImapiDrive.FindAllStringSubmatch(out, -1) {
		list = append(list, Info{Spec: x[1], Backend: "imapi2", Vendor: strings.TrimSpace(x[2]), Product: strings.TrimSpace(x[3]), Writes: []MediaKind{KindCD, KindDVD, KindBD}})
	}
	return list
}

// imapiPhysical maps IMAPI_MEDIA_PHYSICAL_TYPE to a kind and a name.
func imapiPhysical(t int) (MediaKind, string, bool) {
	names := []string{"unknown", "CD-ROM", "CD-R", "CD-RW", "DVD-ROM", "DVD-RAM", "DVD+R", "DVD+RW",
		"DVD+R DL", "DVD-R", "DVD-RW", "DVD-R DL", "disk", "DVD+RW DL", "HD DVD-ROM", "HD DVD-R",
		"HD DVD-RAM", "BD-ROM", "BD-R", "BD-RE"}
	if t < 0 || t >= len(names) {
		return KindUnknown, "type " + strconv.Itoa(t), false
	}
	name := names[t]
	kind := KindUnknown
	switch {
	case strings.HasPrefix(name, "CD"):
		kind = KindCD
	case strings.HasPrefix(name, "DVD"), strings.HasPrefix(name, "HD DVD"):
		kind = KindDVD
	case strings.HasPrefix(name, "BD"):
		kind = KindBD
	}
	rw := strings.Contains(name, "RW") || strings.Contains(name, "RAM") || name == "BD-RE"
	return kind, name, rw
}

// parseImapiMedia reads the MEDIA line.
func parseImapiMedia(out string) (Media, bool) {
	x := reImapiMedia.FindStringSubmatch(out)
	if x == nil {
		return Media{}, false
	}
	t, _ := strconv.Atoi(x[1])
	free, _ := strconv.ParseInt(x[3], 10, 64)
	if t == 0 {
		return Media{State: StateNone}, true
	}
	kind, name, rw := imapiPhysical(t)
	m := Media{Kind: kind, Type: name, Rewritable: rw, Free: free * 2048, State: StateAppendable}
	switch {
	case x[2] == "1":
		m.State = StateBlank
	case x[4] == "1" || free == 0:
		m.State, m.Free = StateClosed, 0
	}
	return m, true
}

// imapiHRESULT names the IMAPI2 error codes this backend acts on, with the
// sentinel each maps to (imapi2error.h; check against the current SDK).
var imapiHRESULT = map[uint32]error{
	0xC0AA0002: ErrNoDrive,          // (our script) no recorder with that letter
	0xC0AA0202: ErrNoMedia,          // E_IMAPI_RECORDER_MEDIA_NO_MEDIA
	0xC0AA0203: ErrMediaUnsupported, // E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE
	0xC0AA0204: ErrNoMedia,          // E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN
	0xC0AA0205: ErrNoMedia,          // E_IMAPI_RECORDER_MEDIA_BECOMING_READY
	0xC0AA0207: ErrBusy,             // E_IMAPI_RECORDER_MEDIA_BUSY
	0xC0AA0209: ErrMediaNotBlank,    // E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED
	0xC0AA0210: ErrBusy,             // E_IMAPI_RECORDER_LOCKED
	0xC0AA0400: ErrBusy,             // E_IMAPI_DF2DATA_WRITE_IN_PROGRESS
	0xC0AA0402: ErrMediaNotBlank,    // E_IMAPI_DF2DATA_INVALID_MEDIA_STATE
	0xC0AA0404: ErrCapacityExceeded, // E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA
	0xC0AA0405: ErrMediaNotBlank,    // E_IMAPI_DF2DATA_MEDIA_NOT_BLANK
	0xC0AA0406: ErrMediaUnsupported, // E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED
	0xC0AA0407: ErrNoDrive,          // E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED
	0xC0AAB101: ErrCapacityExceeded, // IMAPI_E_IMAGE_SIZE_LIMIT (file system image too large)
}

// parseImapiError reads the ERROR line: the message and the sentinel.
// writing says whether the PHASE writing line had been printed.
func parseImapiError(out string, writing bool) (msg string, found bool, sentinel error) {
	x := reImapiError.FindStringSubmatch(out)
	if x == nil {
		return "", false, nil
	}
	hr, _ := strconv.ParseUint(x[1][2:], 16, 32)
	s, ok := imapiHRESULT[uint32(hr)]
	switch {
	case ok && writing && s == ErrNoMedia:
		s = ErrEjected
	case !ok && writing:
		s = ErrWrite
	case !ok:
		s = nil
	}
	return x[1] + " " + x[2], true, s
}
