package pdftext

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"

	"discdesk/assets/fonts"
)

// withoutCJKFont runs fn as on a machine without any CJK font.
func withoutCJKFont(t *testing.T, fn func()) {
	t.Helper()
	saved := cjkFontPaths
	reset := func() { cjkOnce, cjk, cjkFontProblem = sync.Once{}, nil, nil }
	cjkFontPaths = func() []string { return []string{filepath.Join(t.TempDir(), "absent.ttf")} }
	reset()
	defer func() { cjkFontPaths = saved; reset() }()
	fn()
}

func render(t *testing.T, text string) string {
	t.Helper()
	d := New("P", "A4", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	d.AddPage()
	d.SetFont(Family, "B", 12)
	d.CellFormat(0, 8, text, "", 1, "L", false, 0, "")
	d.SetFont(Family, "", 10)
	d.MultiCell(60, 5, strings.Repeat(text+" ", 6), "", "L", false)
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "t.pdf")
	os.WriteFile(p, b.Bytes(), 0o600)
	out, err := exec.Command("pdftotext", p, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// Without a CJK font the desk still prints: Latin text as typed, each CJK
// character as U+FFFD, and the problem is named.
func TestNoCJKFontFallsBackVisibly(t *testing.T) {
	withoutCJKFont(t, func() {
		p := CJKFontProblem()
		if p == nil || !strings.Contains(p.Error(), "fonts-droid-fallback") {
			t.Fatalf("CJKFontProblem = %v, want it to name the package", p)
		}
		if m := MissingGlyphs("Yamada 山田", "Łódź"); string(m) != "山田" {
			t.Fatalf("MissingGlyphs = %q", string(m))
		}
		text := render(t, "Yamada 山田 Łódź")
		if !strings.Contains(text, "Yamada \uFFFD\uFFFD Łódź") {
			t.Fatalf("text without a CJK font:\n%s", text)
		}
	})
	if CJKFontProblem() != nil {
		t.Fatalf("the test machine has no CJK font: %v", CJKFontProblem())
	}
	if text := render(t, "Yamada 山田 김민준"); !strings.Contains(text, "Yamada 山田 김민준") {
		t.Fatalf("text with the CJK font:\n%s", text)
	}
}

// Characters beyond the Basic Multilingual Plane (fpdf addresses only the
// BMP) print as U+FFFD, never crash.
func TestAstralCharacters(t *testing.T) {
	if m := MissingGlyphs("𠮷野"); len(m) != 1 || m[0] != '𠮷' {
		t.Fatalf("MissingGlyphs = %q", string(m))
	}
	if text := render(t, "𠮷野 😀"); !strings.Contains(text, "\uFFFD野 \uFFFD") {
		t.Fatalf("text:\n%s", text)
	}
}

// ttc wraps a TrueType font into a one-face collection.
func ttc(font []byte) []byte {
	out := []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10")
	f := append([]byte(nil), font...)
	n := int(binary.BigEndian.Uint16(f[4:]))
	for i := 0; i < n; i++ {
		e := f[12+16*i:]
		binary.BigEndian.PutUint32(e[8:], binary.BigEndian.Uint32(e[8:])+16)
	}
	return append(out, f...)
}

func TestFirstTrueType(t *testing.T) {
	data, err := firstTrueType(ttc(fonts.DejaVuSans))
	if err != nil {
		t.Fatal(err)
	}
	f, err := sfnt.Parse(data)
	if err != nil {
		t.Fatalf("the face taken out of the collection does not parse: %v", err)
	}
	if g, _ := f.GlyphIndex(nil, 'Ж'); g == 0 {
		t.Fatal("the face lost its glyphs")
	}
	for name, in := range map[string][]byte{
		"CFF":       []byte("OTTO\x00\x00\x00\x00\x00\x00\x00\x00"),
		"truncated": []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x7f\x00\x00\x00"),
		"short":     []byte("ttcf"),
		"text":      []byte("this is not a font at all"),
	} {
		if _, err := firstTrueType(in); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func FuzzFirstTrueType(f *testing.F) {
	f.Add(ttc(fonts.DejaVuSans[:4096]))
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10\x00\x01\x00\x00\x00\x02"))
	f.Add([]byte("OTTO"))
	f.Fuzz(func(t *testing.T, b []byte) {
		firstTrueType(b) // must not panic
	})
}
