package desk

import (
	"strings"
	"testing"
)

// The plan preview says what the browser viewer costs on the disc, in the
// words the station gives (the command line prints the same line).
func TestPlanPreviewNamesTheBrowserViewerCost(t *testing.T) {
	f := fixedDesk(t)
	f.openForm("DEMO0003")
	f.typ("request.identity", "licence")
	f.tap("request.plan")
	got := f.label("plan.webviewer")
	if !strings.Contains(got, "browser viewer") || !strings.Contains(got, "MB on the disc") {
		t.Fatalf("plan's browser viewer line %q (plan %v)", got, f.d.NamedKeys("plan."))
	}
}
