package dicomdir

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode"
)

// Every key's human name must match the data dictionary's keyword for its
// tag: a typo in a tag number would otherwise copy the wrong attribute.
func TestKeyNamesMatchDictionary(t *testing.T) {
	norm := func(s string) string {
		s = strings.ReplaceAll(s, "'s ", " ")
		return strings.ToLower(strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, s))
	}
	for rt, specs := range recordKeys {
		for _, k := range specs {
			if got, want := norm(k.tag.Name()), norm(k.name); got != want {
				t.Errorf("%s key %s: named %q but the dictionary says %q", rt, k.tag, k.name, k.tag.Name())
			}
		}
	}
}

// Every record type of the SOP class table has a key list.
func TestEveryRecordTypeHasKeys(t *testing.T) {
	n := 0
	for uid, c := range sopClasses {
		if c.recordType == "" {
			continue
		}
		n++
		if _, ok := recordKeys[c.recordType]; !ok {
			t.Errorf("%s (%s): record type %q has no key list", uid, c.name, c.recordType)
		}
	}
	if n < 180 {
		t.Errorf("only %d SOP classes with a record type; the table looks truncated", n)
	}
}

func TestRecordType(t *testing.T) {
	cases := []struct{ uid, want string }{
		{"1.2.840.10008.5.1.4.1.1.2", "IMAGE"},
		{"1.2.840.10008.5.1.4.1.1.4", "IMAGE"},
		{"1.2.840.10008.5.1.4.1.1.88.11", "SR DOCUMENT"},
		{"1.2.840.10008.5.1.4.1.1.88.34", "SR DOCUMENT"},
		{"1.2.840.10008.5.1.4.1.1.88.59", "KEY OBJECT DOC"},
		{"1.2.840.10008.5.1.4.1.1.104.1", "ENCAP DOC"},
		{"1.2.840.10008.5.1.4.1.1.104.2", "ENCAP DOC"},
		{"1.2.840.10008.5.1.4.1.1.11.1", "PRESENTATION"},
		{"1.2.840.10008.5.1.4.1.1.9.1.1", "WAVEFORM"},
		{"1.2.840.10008.5.1.4.1.1.481.2", "RT DOSE"},
		{"1.2.840.10008.5.1.4.1.1.481.3", "RT STRUCTURE SET"},
		{"1.2.840.10008.5.1.4.1.1.481.5", "RT PLAN"},
		{"1.2.840.10008.5.1.4.1.1.481.8", "RT PLAN"},
		{"1.2.840.10008.5.1.4.1.1.481.4", "RT TREAT RECORD"},
		{"1.2.840.10008.5.1.4.1.1.481.1", "IMAGE"},
		{"1.2.840.10008.5.1.4.1.1.66.4", "IMAGE"},
		{"1.2.840.10008.5.1.4.1.1.66.1", "REGISTRATION"},
		{"1.2.840.10008.5.1.4.1.1.66.2", "FIDUCIAL"},
		{"1.2.840.10008.5.1.4.1.1.4.2", "SPECTROSCOPY"},
		{"1.2.840.10008.5.1.4.1.1.66", "RAW DATA"},
		{"1.2.840.10008.5.1.4.38.1", "HANGING PROTOCOL"},
		{"1.2.840.10008.5.1.4.39.1", "PALETTE"},
		{"1.2.840.10008.5.1.4.1.1.78.1", "MEASUREMENT"},
		{"1.2.840.10008.5.1.4.1.1.68.1", "SURFACE SCAN"},
		{"1.2.840.10008.5.1.4.1.1.90.1", "ASSESSMENT"},
		{"1.2.840.10008.5.1.4.1.1.481.10", "RADIOTHERAPY"},
	}
	for _, c := range cases {
		got, err := RecordType(c.uid)
		if err != nil || got != c.want {
			t.Errorf("RecordType(%s) = %q, %v; want %q", c.uid, got, err, c.want)
		}
	}
	if _, err := RecordType("1.2.3.4.private"); !errors.Is(err, ErrUnknownSOPClass) {
		t.Errorf("private class: err = %v, want ErrUnknownSOPClass", err)
	}
	if _, err := RecordType("1.2.840.10008.5.1.4.1.1.200.1"); !errors.Is(err, ErrNoRecordType) {
		t.Errorf("protocol class: err = %v, want ErrNoRecordType", err)
	}
}

// recordtypes_gen.go is in step with recordtypes.tsv (run go generate).
func TestGeneratedTableMatchesTSV(t *testing.T) {
	b, err := os.ReadFile("recordtypes.tsv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		rt := f[1]
		if rt == "-" {
			rt = ""
		}
		if c, ok := sopClasses[f[0]]; !ok || c.recordType != rt || c.name != f[2] {
			t.Errorf("%s: table has %+v, tsv says %q %q: run go generate ./viewer/dicomdir", f[0], c, rt, f[2])
		}
		n++
	}
	if n != len(sopClasses) {
		t.Errorf("tsv has %d classes, generated table %d: run go generate", n, len(sopClasses))
	}
}
