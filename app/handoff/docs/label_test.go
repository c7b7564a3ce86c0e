package docs

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func longList(n int) []LabelStudy {
	var s []LabelStudy
	for i := 0; i < n; i++ {
		d := fmt.Sprintf("Study %02d follow-up", i+1)
		if i%5 == 2 {
			d = fmt.Sprintf("Study %02d CT chest abdomen and pelvis with and without contrast, arterial and portal venous phases", i+1)
		}
		s = append(s, LabelStudy{Date: fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28), Modality: "CT", Description: d})
	}
	return s
}

// inside checks that a rectangle lies in the printable ring: within the
// outer edge and clear of the clamping ring around the centre hole.
func inside(f *face, r rect) error {
	corners := [][2]float64{{r.x, r.y}, {r.x + r.w, r.y}, {r.x, r.y + r.h}, {r.x + r.w, r.y + r.h}}
	for _, c := range corners {
		if d := math.Hypot(c[0]-f.cx, c[1]-f.cy); d > discDiameter/2-0.5-edgeMargin+0.01 {
			return fmt.Errorf("%s: corner %.1f mm from the centre, beyond the printable edge", r.what, d)
		}
	}
	// Nearest point of the rectangle to the centre.
	nx := math.Max(r.x, math.Min(f.cx, r.x+r.w))
	ny := math.Max(r.y, math.Min(f.cy, r.y+r.h))
	if d := math.Hypot(nx-f.cx, ny-f.cy); d < hubDiameter/2+hubMargin-0.01 {
		return fmt.Errorf("%s: %.1f mm from the centre, inside the clamping ring (%.1f mm)", r.what, d, hubDiameter/2)
	}
	return nil
}

// Long study lists span second lines and further labels; nothing is cut
// off, nothing enters the centre, on every layout.
func TestDiscLabelLongStudyList(t *testing.T) {
	for _, layout := range LabelLayouts {
		for _, n := range []int{1, 4, 12, 40} {
			l := label()
			l.Layout = layout
			l.Studies = longList(n)
			l.PatientName = "Hernández-Villanueva de la Cruz, María Guadalupe Esperanza"
			pdf, faces, err := discLabels(l)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := pdf.Write(&buf); err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%s, %d studies", layout, n)
			for i, f := range faces {
				kinds := map[string]bool{}
				for _, r := range f.placed {
					kinds[r.what] = true
					if err := inside(f, r); err != nil {
						t.Errorf("%s, label %d: %v", what, i+1, err)
					}
				}
				for _, k := range []string{"patient", "dicom plus web", "disc n of m", "qr", "request code", "uuid"} {
					if !kinds[k] {
						t.Errorf("%s, label %d lacks %s", what, i+1, k)
					}
				}
			}
			if n >= 12 && len(faces) < 2 {
				t.Errorf("%s: %d studies on one label", what, n)
			}
			text, _ := pdfTextRaw(t, buf.Bytes())
			for _, s := range l.Studies {
				if !strings.Contains(text, folded(s.line())) {
					t.Errorf("%s: study %q missing or cut", what, s.line())
				}
			}
			if len(faces) > 1 && !strings.Contains(text, fmt.Sprintf("Label %d of %d", len(faces), len(faces))) {
				t.Errorf("%s: the labels do not say label n of %d", what, len(faces))
			}
			for _, w := range []string{"DICOM PLUS WEB", l.PatientName} {
				if strings.Count(text, w) != len(faces) {
					t.Errorf("%s: %q appears %d times on %d labels", what, w, strings.Count(text, w), len(faces))
				}
			}
			t.Logf("%s: %d labels, %d bytes", what, len(faces), buf.Len())
		}
	}
}

func TestJewelCaseInsertLongStudyList(t *testing.T) {
	l := label()
	l.Studies = longList(40)
	var buf bytes.Buffer
	if err := JewelCaseInsert(&buf, l); err != nil {
		t.Fatal(err)
	}
	text, path := pdfTextRaw(t, buf.Bytes())
	for _, s := range l.Studies {
		if !strings.Contains(text, folded(s.line())) {
			t.Errorf("insert: study %q missing or cut", s.line())
		}
	}
	out, _ := exec.Command("pdfinfo", path).Output()
	if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(out); m == nil || string(m[1]) == "1" {
		t.Errorf("40 studies on one insert card: %s", out)
	}
	if !strings.Contains(text, "Studies on this disc, continued") || !strings.Contains(text, "more on the next card") {
		t.Error("the insert does not say the list continues")
	}
}

// pdfTextRaw is the text in reading order (no layout), whitespace folded,
// so lines that wrap read as one.
func pdfTextRaw(t *testing.T, pdf []byte) (string, string) {
	t.Helper()
	_, path := pdfText(t, "raw.pdf", pdf)
	out, err := exec.Command("pdftotext", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " "), path
}

func folded(s string) string { return strings.Join(strings.Fields(s), " ") }
