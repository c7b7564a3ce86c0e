package station_test

import (
	"context"
	"path/filepath"
	"testing"

	"discdesk/app/station"
)

func frameEntries(t *testing.T, st *station.Station) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(st.DataDir, filepath.FromSlash(station.FrameCacheFolder), "v*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A disc about to be queued is prepared in the background: its browser
// viewer's frames are in the data folder's cache before the burn plans it,
// and the burn's Build uses them.
func TestPrepareStudies(t *testing.T) {
	st, study := newStation(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	<-st.PrepareStudies(ctx, []string{study.UID}, station.PlanOptions{})
	<-st.PrepareStudies(context.Background(), []string{study.UID}, station.PlanOptions{NoViewer: true})
	if n := len(frameEntries(t, st)); n != 0 {
		t.Fatalf("%d frame entries after a cancelled and a viewer-less preparation", n)
	}
	<-st.PrepareStudies(context.Background(), []string{study.UID}, station.PlanOptions{})
	before := frameEntries(t, st)
	if len(before) != 1 {
		t.Fatalf("%d frame entries for a one-image study", len(before))
	}
	p, err := st.PlanStudies(context.Background(), []string{study.UID}, station.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Plan.Options.FrameCache == nil {
		t.Fatal("the station's plan has no frame cache")
	}
	<-st.PrepareViewer(context.Background(), p)
	for _, w := range p.Unacknowledged() {
		p.Acknowledge(w.Code, "test")
	}
	if _, err := p.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if after := frameEntries(t, st); len(after) != 1 || after[0] != before[0] {
		t.Fatalf("entries %v after the build, want %v", after, before)
	}
}
