package disc

import (
	"context"
	"testing"
)

// BenchmarkPlanBuild plans and materialises a 16-slice MR disc with web
// pages (headers, DICOMDIR, JPEGs, SHA-256 of every file).
func BenchmarkPlanBuild(b *testing.B) {
	in := Input{Files: files(b, "mr_series/dcm4che_mr16"), Facility: testFacility, ReportText: "ok"}
	work := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewPlan(context.Background(), in, Options{NoViewer: true, Now: fixedNow, WorkDir: work})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Build(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
