package docs

import (
	"bytes"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"discdesk/app/handoff"
)

var facility = Facility{
	Name:    "Lakeside Imaging Center",
	Address: "400 Harbor Blvd\nFloor 2\nMadison, WI 53703\nUS",
	Phone:   "+1 608 555 0100",
	Email:   "records@lakeside.example",
}

var printed = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// pdfText writes pdf to a file and returns its text as pdftotext sees it,
// with runs of spaces collapsed.
func pdfText(t *testing.T, name string, pdf []byte) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", name, err, out)
	}
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(out), " "), path
}

func wantAll(t *testing.T, doc, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q; text:\n%s", doc, w, text)
		}
	}
}

func sampleRequest() handoff.Request {
	return handoff.Request{
		ID:      "0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
		Created: printed,
		RequestInput: handoff.RequestInput{
			Patient:   handoff.Patient{Name: "Παπαδοπούλου, Ελένη", BirthDate: "1958-11-02", ID: "MRN0042"},
			Requester: handoff.Requester{Kind: handoff.RequesterRepresentative, Name: "Иван Петров", Relationship: "son"},
			Studies:   handoff.Studies{From: "2024-01-01", To: "2024-12-31"},
			Format:    handoff.FormatDVD, Recipient: "Öztürk Çağrı", Delivery: handoff.DeliveryOvernight, Urgency: handoff.UrgencyExpedited,
			Address: &handoff.Address{Street: "Hauptstraße 5", City: "München", PostalCode: "80331", Country: "DE"},
		},
		Due: printed.Add(48 * time.Hour),
		Fee: handoff.Fee{Method: handoff.FeeActual, Total: 4335, Items: []handoff.LineItem{
			{Desc: "Labour (minutes)", Qty: 10, UnitCents: 40, Cents: 400},
			{Desc: "Media: DVD", Qty: 1, UnitCents: 95, Cents: 95},
			{Desc: "Padded envelope", Qty: 1, UnitCents: 85, Cents: 85},
			{Desc: "Shipping: overnight (requested)", Qty: 1, UnitCents: 3755, Cents: 3755},
		}},
	}
}

func TestRequestFormBlankIsPrefilledWithFacility(t *testing.T) {
	var buf bytes.Buffer
	if err := RequestForm(&buf, facility, nil, printed); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, "form.pdf", buf.Bytes())
	wantAll(t, "blank form", text, "Patient Record Request Form", "Lakeside Imaging Center", "400 Harbor Blvd", "Floor 2",
		"Madison, WI 53703", "+1 608 555 0100", "Date of birth:", "Relationship to patient:", "Street and number:", "Postal code:",
		"Personal representative / carepartner", "pickup at the desk", "Signature of patient or representative:")
	if strings.Contains(text, "Request ID:") {
		t.Error("blank form shows a request ID")
	}
	// Deterministic: same input, same bytes.
	var again bytes.Buffer
	RequestForm(&again, facility, nil, printed)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("request form is not deterministic")
	}
}

func TestRequestFormFilled(t *testing.T) {
	r := sampleRequest()
	var buf bytes.Buffer
	if err := RequestForm(&buf, facility, &r, printed); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, "filled.pdf", buf.Bytes())
	wantAll(t, "filled form", text, "Παπαδοπούλου, Ελένη", "1958-11-02", "MRN0042", "Иван Петров", "son",
		"all imaging from 2024-01-01 to 2024-12-31", "Öztürk Çağrı", "Hauptstraße 5", "München", "80331", "DE",
		"2025-03-12", "$43.35 (actual)", "Request code 2E3F-4A5B", "Request code: 2E3F-4A5B")
}

func TestInvoiceItemized(t *testing.T) {
	r := sampleRequest()
	var buf bytes.Buffer
	if err := Invoice(&buf, facility, r, "INV-2025-0007", printed); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, "invoice.pdf", buf.Bytes())
	wantAll(t, "invoice", text, "Invoice", "INV-2025-0007", "2025-03-10", "Lakeside Imaging Center", "Παπαδοπούλου, Ελένη",
		"Иван Петров", "actual cost", "Labour (minutes) 10 $0.40 $4.00", "Media: DVD 1 $0.95 $0.95",
		"Padded envelope 1 $0.85 $0.85", "Shipping: overnight (requested) 1 $37.55 $37.55", "Total $43.35", "München")
}

func label() Label {
	return Label{
		PatientName: "Иванова, Анна", BirthDate: "1970-05-17", PatientID: "MRN0099",
		Studies: []LabelStudy{
			{Date: "2024-02-01", Modality: "CT", Description: "CT chest with contrast"},
			{Date: "2024-06-12", Modality: "MR", Description: "MRI brain"},
			{Date: "2024-09-30", Modality: "PT", Description: "PET/CT whole body"},
			{Date: "2024-10-01", Modality: "CR", Description: "Chest X-ray"},
		},
		Facility: "Lakeside Imaging Center", Phone: "+1 608 555 0100", N: 2, M: 3,
		DiscUUID: "0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", Burned: printed, RequestCode: "2E3F-4A5B",
	}
}

func TestDiscLabelAndInsert(t *testing.T) {
	l := label()
	for name, render := range map[string]func(*bytes.Buffer, Label) error{
		"label.pdf":  func(b *bytes.Buffer, l Label) error { return DiscLabel(b, l) },
		"insert.pdf": func(b *bytes.Buffer, l Label) error { return JewelCaseInsert(b, l) },
	} {
		var buf bytes.Buffer
		if err := render(&buf, l); err != nil {
			t.Fatal(err)
		}
		text, path := pdfText(t, name, buf.Bytes())
		wantAll(t, name, text, "Иванова, Анна", "1970-05-17", "MRN0099", "2024-02-01 CT CT chest with contrast", "2024-06-12 MR MRI brain",
			"Lakeside Imaging Center", "Disc 2 of 3", "DICOM PLUS WEB", l.DiscUUID)
		wantAll(t, name, text, "2024-10-01 CR Chest X-ray", "Request", "2E3F-4A5B")
		if got := decodeQR(t, path); got != l.DiscUUID {
			t.Fatalf("%s: QR code reads %q, want the disc UUID", name, got)
		}
	}
	if err := DiscLabel(&bytes.Buffer{}, Label{PatientName: "x", DiscUUID: "y", N: 3, M: 2}); err == nil {
		t.Fatal("disc 3 of 2 accepted")
	}
}

// decodeQR rasterizes the PDF's first page with pdftoppm and reads the QR code.
func decodeQR(t *testing.T, pdfPath string) string {
	t.Helper()
	prefix := strings.TrimSuffix(pdfPath, ".pdf")
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-gray", "-singlefile", pdfPath, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}
