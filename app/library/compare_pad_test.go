package library

import (
	"testing"

	"discdesk/viewer/dcm"
)

// dcmtk's dcmcjpeg trims the trailing space of Institution Name; the copy
// it makes of a held instance is the same instance, not a conflict.
func TestTextPaddingIsNotContent(t *testing.T) {
	lo := &dcm.Element{Tag: dcm.T(0x0008, 0x0080), VR: "LO"}
	if !sameValue(lo, []byte("RIVERSIDE "), []byte("RIVERSIDE")) {
		t.Error("a trailing space made two Institution Names differ")
	}
	if sameValue(lo, []byte("RIVERSIDE "), []byte("LAKESIDE")) {
		t.Error("different names judged the same")
	}
	ui := &dcm.Element{Tag: dcm.SOPInstanceUID, VR: "UI"}
	if !sameValue(ui, []byte("1.2.3\x00"), []byte("1.2.3")) {
		t.Error("a UI's NUL padding made two UIDs differ")
	}
	ob := &dcm.Element{Tag: dcm.T(0x0009, 0x1001), VR: "OB"}
	if sameValue(ob, []byte{1, 0}, []byte{1}) {
		t.Error("binary values trimmed")
	}
}
