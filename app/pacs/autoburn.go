package pacs

import (
	"context"
	"sync"
	"time"
)

// AutoBurn is a Sink that passes every object on to Next and watches the
// studies meant for a disc: those sent to BurnAE (e.g. DISCDESK_BURN) or
// matching Rule. A watched study is complete when the number of distinct
// instances received reaches the PACS's Number of Study Related Instances
// (asked once per study through Count, PS3.4 C.3.2.1.1.2 / Table C.6-5) or,
// failing that, when nothing arrived for Quiet. OnComplete then gets the
// Study Instance UID once; the burn queue takes it from there.
//
// A study completed once and then receiving more objects is watched afresh
// and reported again: a late series is a new disc job, not a lost one.
type AutoBurn struct {
	Next   Sink
	BurnAE string
	// Rule selects further studies to burn (nil: only BurnAE).
	Rule func(obj *ReceivedObject) bool
	// Count asks the PACS for a study's instance count (nil or an error:
	// the quiet time alone decides). Client.StudyInstanceCount fits.
	Count func(ctx context.Context, studyUID string) (int, error)
	// Quiet is how long a study may stay silent before it counts as
	// complete (default 2 minutes).
	Quiet      time.Duration
	OnComplete func(studyUID string)

	mu      sync.Mutex
	studies map[string]*watched
}

type watched struct {
	instances map[string]bool
	expected  int // -1 until the PACS answered
	timer     *time.Timer
}

// Store implements Sink.
func (b *AutoBurn) Store(ctx context.Context, obj *ReceivedObject) error {
	if err := b.Next.Store(ctx, obj); err != nil {
		return err
	}
	if obj.StudyInstanceUID == "" || !(obj.CalledAE == b.BurnAE && b.BurnAE != "" || b.Rule != nil && b.Rule(obj)) {
		return nil
	}
	b.mu.Lock()
	if b.studies == nil {
		b.studies = map[string]*watched{}
	}
	uid := obj.StudyInstanceUID
	w := b.studies[uid]
	first := w == nil
	if first {
		w = &watched{instances: map[string]bool{}, expected: -1}
		b.studies[uid] = w
	}
	w.instances[obj.SOPInstanceUID] = true
	quiet := b.Quiet
	if quiet <= 0 {
		quiet = 2 * time.Minute
	}
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = time.AfterFunc(quiet, func() { b.finish(uid, w) })
	done := w.expected >= 0 && len(w.instances) >= w.expected
	b.mu.Unlock()
	if first && b.Count != nil {
		go b.ask(uid, w)
	}
	if done {
		b.finish(uid, w)
	}
	return nil
}

// ask fetches the expected count for a newly watched study.
func (b *AutoBurn) ask(uid string, w *watched) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := b.Count(ctx, uid)
	if err != nil || n <= 0 {
		return // the quiet time decides
	}
	b.mu.Lock()
	w.expected = n
	done := len(w.instances) >= n
	b.mu.Unlock()
	if done {
		b.finish(uid, w)
	}
}

// finish reports a study once, whichever of count and quiet time came first.
func (b *AutoBurn) finish(uid string, w *watched) {
	b.mu.Lock()
	if b.studies[uid] != w {
		b.mu.Unlock()
		return // already reported
	}
	delete(b.studies, uid)
	w.timer.Stop()
	b.mu.Unlock()
	if b.OnComplete != nil {
		b.OnComplete(uid)
	}
}

// Watching returns the studies still waiting to complete and their
// received instance counts.
func (b *AutoBurn) Watching() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(b.studies))
	for uid, w := range b.studies {
		out[uid] = len(w.instances)
	}
	return out
}
