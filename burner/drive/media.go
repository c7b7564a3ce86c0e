package drive

import (
	"fmt"
	"strings"

	"discdesk/burner"
)

// MediaState is what a drive reports about its disc.
type MediaState int

// Media states.
const (
	StateNone       MediaState = iota // no disc
	StateBlank                        // blank: writable from the start
	StateAppendable                   // holds sessions, more can be added
	StateClosed                       // finalized: read-only
)

func (s MediaState) String() string {
	return [...]string{"none", "blank", "appendable", "closed"}[s]
}

// MediaKind is the family of the media.
type MediaKind int

// Media kinds.
const (
	KindUnknown MediaKind = iota
	KindCD
	KindDVD
	KindBD
	KindFile   // an image file (stdio: or iso:)
	KindFolder // a folder
	KindUSB    // a USB stick
)

func (k MediaKind) String() string {
	return [...]string{"media", "CD", "DVD", "BD", "image file", "folder", "USB stick"}[k]
}

// blankName is what staff are asked to insert.
func (k MediaKind) blankName() string {
	switch k {
	case KindCD:
		return "blank CD-R"
	case KindDVD:
		return "blank DVD-R"
	case KindBD:
		return "blank BD-R"
	case KindUSB:
		return "empty USB stick"
	}
	return "blank disc"
}

// Capacity is the nominal user capacity of the smallest common blank of the
// kind: CD-R 80 min (359,846 sectors), DVD-R single layer (2,298,496
// sectors), BD-R single layer (12,219,392 sectors). 0 for other kinds.
func (k MediaKind) Capacity() int64 {
	switch k {
	case KindCD:
		return 359_846 * 2048
	case KindDVD:
		return 2_298_496 * 2048
	case KindBD:
		return 12_219_392 * 2048
	}
	return 0
}

// ParseMediaKind reads a --media value: cd, dvd, dvd-dl, bd, usb (or "" for
// none).
func ParseMediaKind(s string) (MediaKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return KindUnknown, nil
	case "cd", "cd-r", "cdr":
		return KindCD, nil
	case "dvd", "dvd-r", "dvd+r", "dvdr", "dvd-dl":
		return KindDVD, nil
	case "usb":
		return KindUSB, nil
	case "bd", "bd-r", "bdr", "bluray", "blu-ray":
		return KindBD, nil
	}
	return KindUnknown, fmt.Errorf("drive: unknown media %q (want cd, dvd, dvd-dl, bd or usb)", s)
}

// Media is what a drive reports about its disc (or a file target's space).
type Media struct {
	State      MediaState
	Kind       MediaKind
	Type       string // the drive's own words, e.g. "CD-R", "DVD+RW", "stdio file"
	Rewritable bool
	Free       int64  // bytes writable
	VolumeID   string // of the last session, when written
}

func (m Media) String() string {
	s := m.State.String() + " " + m.Kind.String()
	if m.Type != "" {
		s += " (" + m.Type + ")"
	}
	return fmt.Sprintf("%s, %d bytes free", s, m.Free)
}

// ImageSize estimates the bytes an ISO 9660 + Joliet image of tree takes:
// the system area and descriptors, two directory hierarchies and path
// tables, and every file rounded up to whole 2048-byte sectors.
func ImageSize(tree *burner.Tree) int64 {
	const sector = 2048
	entries := map[string]int{"": 0} // directory -> entries in it
	var n int64 = 16 + 4 + 4         // system area, PVD + SVD + terminator (+ slack), path tables
	for _, f := range tree.Files {
		n += (f.Size + sector - 1) / sector
		p := f.Path
		for {
			parent := ""
			if i := strings.LastIndexByte(p, '/'); i >= 0 {
				parent = p[:i]
			}
			_, known := entries[parent]
			entries[parent]++
			if known || parent == "" {
				break
			}
			p = parent
		}
	}
	for _, e := range entries {
		// ~50 bytes a record in the ISO tree, ~70 in Joliet, plus . and ..
		n += int64((e*50+sector-1)/sector+1) + int64((e*70+sector-1)/sector+1)
	}
	return n*sector + 300*1024 // xorriso's padding and layout slack
}

// CheckMedia decides whether tree may be written on m: the tree's names and
// volume id are level 1, the media is present, blank and large enough. want
// is the kind to ask staff for in messages (KindUnknown: the smallest disc
// kind that fits). Every backend calls it before writing.
func CheckMedia(spec string, m Media, tree *burner.Tree, want MediaKind) error {
	if err := CheckTree(tree); err != nil {
		return err
	}
	need := ImageSize(tree)
	if m.Kind == KindFolder || m.Kind == KindUSB {
		need = tree.Size()
	}
	if want == KindUnknown {
		want = m.Kind
		if want != KindCD && want != KindDVD && want != KindBD && want != KindUSB {
			want = smallestDisc(need)
		}
	}
	me := &MediaError{Drive: spec, Found: m, Need: need, Want: want}
	switch m.State {
	case StateNone:
		me.Err = ErrNoMedia
		return me
	case StateBlank:
	default:
		me.Err = ErrMediaNotBlank
		return me
	}
	if m.Free < need {
		if want == m.Kind && (m.Kind == KindCD || m.Kind == KindDVD) {
			me.Want = smallestDisc(need)
		}
		me.Err = ErrCapacityExceeded
		return me
	}
	return nil
}

func smallestDisc(need int64) MediaKind {
	for _, k := range []MediaKind{KindCD, KindDVD, KindBD} {
		if need <= k.Capacity() {
			return k
		}
	}
	return KindBD
}

// CheckTree checks the tree's own media rules: ISO 9660 level 1 names and a
// volume id of 1 to 16 of A-Z 0-9 _ (PS3.12, PS3.3 F.5 File-set ID).
func CheckTree(tree *burner.Tree) error {
	if err := checkVolumeID(tree.VolumeID); err != nil {
		return fmt.Errorf("drive: check tree: %v: %w", err, ErrBadTree)
	}
	if err := tree.CheckNames(); err != nil {
		return fmt.Errorf("drive: check tree: %v: %w", err, ErrBadTree)
	}
	for _, f := range tree.Files {
		if (f.Source == "") == (f.Data == nil) {
			return fmt.Errorf("drive: check tree: %s must have exactly one of Source and Data: %w", f.Path, ErrBadTree)
		}
	}
	return nil
}

func checkVolumeID(v string) error {
	if len(v) < 1 || len(v) > 16 {
		return fmt.Errorf("volume id %q is not 1 to 16 characters", v)
	}
	for _, c := range v {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("volume id %q has %q: only A-Z 0-9 _ are allowed", v, c)
		}
	}
	return nil
}
