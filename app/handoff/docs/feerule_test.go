package docs

import (
	"bytes"
	"testing"

	"discdesk/app/handoff"
)

func TestInvoiceCitesStateRule(t *testing.T) {
	r := sampleRequest()
	r.Fee.Rule = &handoff.AppliedRule{ID: "EXAMPLE-NY-1", State: "NY", Name: "Example rule NY-1", Citation: "checked by compliance", Cap: 2500, Basis: "facility state"}
	var buf bytes.Buffer
	if err := Invoice(&buf, facility, r, "INV-2025-0008", printed); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, "invoice.pdf", buf.Bytes())
	wantAll(t, "invoice", text, "State fee rule applied: Example rule NY-1 (NY, facility state; checked by compliance; cap $25.00)")
}
