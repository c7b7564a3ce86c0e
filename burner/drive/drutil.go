package drive

import (
	"regexp"
	"strconv"
	"strings"
)

// Commands and output parsers of the macOS backend (drutil_darwin.go). They
// live in an untagged file so they are unit-tested on every platform against
// recorded outputs (testdata/drutil_*.txt).

// drutilStatusArgs asks drutil for the media in drive n (1-based).
func drutilStatusArgs(n int) []string {
	return []string{"status", "-drive", strconv.Itoa(n)}
}

// hdiutilMakehybridArgs builds the ISO 9660 + Joliet image of the staging
// folder with the volume id in every name space. Names are already 8.3 upper
// case (the tree's rule), so the ISO and Joliet names agree.
func hdiutilMakehybridArgs(volid, out, dir string) []string {
	return []string{"makehybrid", "-iso", "-joliet",
		"-default-volume-name", volid, "-iso-volume-name", volid, "-joliet-volume-name", volid,
		"-o", out, dir}
}

// hdiutilBurnArgs burns an image and closes the disc, printing
// PERCENT:n progress lines (-puppetstrings). Verification is ours.
func hdiutilBurnArgs(image string) []string {
	return []string{"burn", image, "-puppetstrings", "-noverifyburn", "-noeject"}
}

var (
	reDrutilType   = regexp.MustCompile(`(?m)^\s*Type:\s*(.*?)\s{2,}Name:\s*(\S+)`)
	reDrutilType1  = regexp.MustCompile(`(?m)^\s*Type:\s*(.*?)\s*$`)
	reDrutilFree   = regexp.MustCompile(`(?m)^\s*Space Free:.*blocks:\s*(\d+)`)
	reDrutilWrite  = regexp.MustCompile(`(?m)^\s*Writability:\s*(.*?)\s*$`)
	reDrutilVendor = regexp.MustCompile(`(?m)^\s*Vendor\s+Product\s+Rev\s*\n\s*(\S+)\s+(.*?)\s+(\S+)\s*$`)
)

// parseDrutilStatus reads `drutil status`: the media and the BSD device
// name of the disc (for reading it back).
func parseDrutilStatus(out string) (Media, string) {
	var m Media
	dev := ""
	if x := reDrutilType.FindStringSubmatch(out); x != nil {
		m.Type, dev = x[1], x[2]
	} else if x := reDrutilType1.FindStringSubmatch(out); x != nil {
		m.Type = x[1]
	}
	t := strings.ToUpper(m.Type)
	if m.Type == "" || strings.Contains(t, "NO MEDIA") {
		return Media{State: StateNone, Type: m.Type}, ""
	}
	switch {
	case strings.HasPrefix(t, "CD"):
		m.Kind = KindCD
	case strings.HasPrefix(t, "DVD"):
		m.Kind = KindDVD
	case strings.HasPrefix(t, "BD"):
		m.Kind = KindBD
	}
	m.Rewritable = strings.Contains(t, "RW") || strings.Contains(t, "-RE")
	if x := reDrutilFree.FindStringSubmatch(out); x != nil {
		n, _ := strconv.ParseInt(x[1], 10, 64)
		m.Free = n * 2048
	}
	w := ""
	if x := reDrutilWrite.FindStringSubmatch(out); x != nil {
		w = strings.ToLower(x[1])
	}
	switch {
	case strings.Contains(w, "blank"):
		m.State = StateBlank
	case strings.Contains(w, "appendable"):
		m.State = StateAppendable
	default:
		m.State = StateClosed
		m.Free = 0
	}
	return m, dev
}

// parseDrutilVendor reads the drive's vendor and product from `drutil status`.
func parseDrutilVendor(out string) (vendor, product string) {
	if x := reDrutilVendor.FindStringSubmatch(out); x != nil {
		return x[1], strings.TrimSpace(x[2])
	}
	return "", ""
}

// parsePuppetLine reads one `hdiutil burn -puppetstrings` line: a percent,
// a message or an error.
func parsePuppetLine(line string) (pct float64, isPct bool, errText string) {
	line = strings.TrimSpace(line)
	if v, ok := strings.CutPrefix(line, "PERCENT:"); ok {
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && f >= 0, ""
	}
	if v, ok := strings.CutPrefix(line, "ERROR:"); ok {
		return 0, false, strings.TrimSpace(v)
	}
	return 0, false, ""
}

// classifyHdiutil maps hdiutil's error text to a sentinel.
func classifyHdiutil(text string, writing bool) error {
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "no media") || strings.Contains(t, "media is not present") || strings.Contains(t, "medium not present"):
		if writing {
			return ErrEjected
		}
		return ErrNoMedia
	case strings.Contains(t, "not enough space") || strings.Contains(t, "too large") || strings.Contains(t, "not big enough"):
		return ErrCapacityExceeded
	case strings.Contains(t, "not blank") || strings.Contains(t, "not writable") || strings.Contains(t, "not appendable"):
		return ErrMediaNotBlank
	case strings.Contains(t, "busy") || strings.Contains(t, "in use"):
		return ErrBusy
	case strings.Contains(t, "no burner") || strings.Contains(t, "no device"):
		return ErrNoDrive
	}
	return ErrWrite
}
