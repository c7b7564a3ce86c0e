package docs

import (
	"bytes"
	"testing"

	"discdesk/app/handoff"
)

// An invoice and a receipt of a part-paid request say what was paid and
// what is still due; a waiver is named with its reason.
func TestInvoiceShowsPaymentsAndBalance(t *testing.T) {
	r := sampleRequest() // total $43.35
	r.Payments = []handoff.Payment{{Cents: 1000, Method: handoff.PayCheck, Reference: "1001", Time: printed, Staff: "m.rivera"}}
	var buf bytes.Buffer
	if err := Invoice(&buf, facility, r, "INV-2025-0007", printed); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, "invoice-paid.pdf", buf.Bytes())
	wantAll(t, "part-paid invoice", text, "Total $43.35", "Paid check", "-$10.00", "Balance due $33.35")

	r.Payments = append(r.Payments, handoff.Payment{Waived: true, Reason: "financial hardship", Time: printed, Staff: "m.rivera"})
	buf.Reset()
	if err := Invoice(&buf, facility, r, "INV-2025-0007", printed); err != nil {
		t.Fatal(err)
	}
	text, _ = pdfText(t, "invoice-waived.pdf", buf.Bytes())
	wantAll(t, "waived invoice", text, "Waived: financial hardship", "-$33.35", "Balance due $0.00")
}

func TestReceiptShowsBalanceDue(t *testing.T) {
	r := sampleRequest()
	r.Payments = []handoff.Payment{{Cents: 1000, Method: handoff.PayCash, Time: printed, Staff: "m.rivera"}}
	var buf bytes.Buffer
	if err := Receipt(&buf, facility, r, printed); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, "receipt-paid.pdf", buf.Bytes())
	wantAll(t, "part-paid receipt", text, "Balance due", "$33.35")
}

// A cancelled request paid and partly refunded: the invoice names the
// refund with its reason and what is still owed back; the receipt says
// what was refunded.
func TestInvoiceAndReceiptShowRefunds(t *testing.T) {
	r := sampleRequest() // total $43.35
	r.Status = handoff.StatusCancelled
	r.Payments = []handoff.Payment{{Cents: 4335, Method: handoff.PayCard, Time: printed, Staff: "m.rivera"},
		{Refund: true, Cents: 3000, Method: handoff.PayCash, Reason: "request withdrawn", Time: printed, Staff: "s.lee"}}
	var buf bytes.Buffer
	if err := Invoice(&buf, facility, r, "INV-2025-0008", printed); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, "invoice-refunded.pdf", buf.Bytes())
	wantAll(t, "refunded invoice", text, "Refunded cash", "request withdrawn", "+$30.00", "Balance due $0.00", "Refund owed to the requester", "$13.35")
	buf.Reset()
	if err := Receipt(&buf, facility, r, printed); err != nil {
		t.Fatal(err)
	}
	text, _ = pdfText(t, "receipt-refunded.pdf", buf.Bytes())
	wantAll(t, "refunded receipt", text, "Refunded", "$30.00")
}
