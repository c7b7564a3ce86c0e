package pacs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// AutoBurn is a Sink that passes every object on to Next and watches the
// studies meant for a disc: those sent to BurnAE (e.g. DISCDESK_BURN) or
// matching Rule. A watched study is complete when the number of distinct
// instances received reaches the PACS's Number of Study Related Instances
// (PS3.4 C.3.2.1.1.2 / Table C.6-5), asked through Count at the first
// instance, again while instances arrive, and once more after Settle
// without new instances, right before the study is reported: a PACS that
// forwards a study as it receives it counts only what it has so far.
// Failing a count, the quiet time decides, and the Completion says so.
//
// A study is reported once. Instances arriving after that (the same ones
// sent again, or late ones) never make a second disc by themselves: they
// are logged, and staff ask for another disc if one is needed.
type AutoBurn struct {
	Next   Sink
	BurnAE string
	// Rule selects further studies to burn (nil: only BurnAE).
	Rule func(obj *ReceivedObject) bool
	// Count asks the PACS for a study's instance count (nil: no count node,
	// the quiet time alone decides). Client.StudyInstanceCount fits.
	Count func(ctx context.Context, studyUID string) (int, error)
	// Quiet is how long a study may stay silent before it counts as
	// complete without the PACS's count (default 2 minutes).
	Quiet time.Duration
	// Settle is how long a study whose count was reached must stay without
	// new instances before the count is asked a last time and the study
	// reported (default 3 s, at most Quiet).
	Settle time.Duration
	// OnComplete gets each complete study once; the burn queue takes it
	// from there.
	OnComplete func(Completion)
	// Logger gets a line for every fallback and late instance (no patient
	// data); nil is silent.
	Logger *slog.Logger

	mu      sync.Mutex
	studies map[string]*watched
	done    map[string]map[string]bool // reported studies and their instances
	order   []string                   // reported studies, oldest first
}

// Completion is a study auto-burn found complete.
type Completion struct {
	StudyUID  string
	Instances int // distinct instances received
	Expected  int // the PACS's last count, -1 when it never answered
	// Fallback is empty when the PACS's count was reached; otherwise the
	// reason for staff, shown on the desk as is, e.g. "burned after quiet
	// time: the PACS did not answer".
	Fallback string
}

// maxRemembered bounds the reported studies kept to recognize re-sends.
const maxRemembered = 4096

// askEvery is how often the count is asked again while instances arrive.
const askEvery = 2 * time.Second

type watched struct {
	instances map[string]bool
	expected  int // -1 until the PACS answered
	askErr    error
	asking    bool
	lastAsk   time.Time
	gen       int // bumped by every new instance
	quiet     *time.Timer
	settle    *time.Timer
}

func (b *AutoBurn) log() *slog.Logger {
	if b.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return b.Logger
}

func (b *AutoBurn) quietTime() time.Duration {
	if b.Quiet <= 0 {
		return 2 * time.Minute
	}
	return b.Quiet
}

func (b *AutoBurn) settleTime() time.Duration {
	s := b.Settle
	if s <= 0 {
		s = 3 * time.Second
	}
	return min(s, b.quietTime())
}

// Store implements Sink.
func (b *AutoBurn) Store(ctx context.Context, obj *ReceivedObject) error {
	if err := b.Next.Store(ctx, obj); err != nil {
		return err
	}
	if obj.StudyInstanceUID == "" || !(obj.CalledAE == b.BurnAE && b.BurnAE != "" || b.Rule != nil && b.Rule(obj)) {
		return nil
	}
	uid := obj.StudyInstanceUID
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.studies == nil {
		b.studies, b.done = map[string]*watched{}, map[string]map[string]bool{}
	}
	if seen := b.done[uid]; seen != nil {
		if !seen[obj.SOPInstanceUID] {
			seen[obj.SOPInstanceUID] = true
			b.log().Warn("auto-burn: an instance arrived after its study's disc was queued; no new disc is made", "instances", len(seen))
		}
		return nil
	}
	w := b.studies[uid]
	if w == nil {
		w = &watched{instances: map[string]bool{}, expected: -1}
		b.studies[uid] = w
	}
	if w.instances[obj.SOPInstanceUID] {
		return nil // the same instance again: it does not count twice
	}
	w.instances[obj.SOPInstanceUID] = true
	w.gen++
	if w.quiet != nil {
		w.quiet.Stop()
	}
	w.quiet = time.AfterFunc(b.quietTime(), func() { b.quietDone(uid, w) })
	if w.settle != nil {
		w.settle.Stop()
		w.settle = nil
	}
	reached := w.expected >= 0 && len(w.instances) >= w.expected
	if b.Count != nil && !w.asking && (w.expected < 0 || reached || time.Since(w.lastAsk) >= askEvery) {
		w.asking = true
		go b.ask(uid, w)
	}
	if reached {
		b.armSettle(uid, w)
	}
	return nil
}

// ask refreshes the expected count of a watched study.
func (b *AutoBurn) ask(uid string, w *watched) {
	n, err := b.askCount(uid)
	b.mu.Lock()
	defer b.mu.Unlock()
	w.asking, w.lastAsk = false, time.Now()
	if err != nil {
		w.askErr = err
		return
	}
	w.expected, w.askErr = n, nil
	if b.studies[uid] == w && len(w.instances) >= n && w.settle == nil {
		b.armSettle(uid, w)
	}
}

func (b *AutoBurn) askCount(uid string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := b.Count(ctx, uid)
	if err == nil && n <= 0 {
		err = fmt.Errorf("%w (it answered %d)", ErrNoCount, n)
	}
	return n, err
}

// armSettle waits Settle without new instances, then asks the count a last
// time. Called with b.mu held.
func (b *AutoBurn) armSettle(uid string, w *watched) {
	gen := w.gen
	w.settle = time.AfterFunc(b.settleTime(), func() { b.settled(uid, w, gen) })
}

func (b *AutoBurn) settled(uid string, w *watched, gen int) {
	n, err := -1, error(nil)
	if b.Count != nil {
		n, err = b.askCount(uid)
	}
	b.mu.Lock()
	if b.studies[uid] != w || w.gen != gen {
		b.mu.Unlock()
		return // reported already, or new instances re-armed it
	}
	w.settle = nil
	if err == nil && n >= 0 {
		w.expected = n
	} else if err != nil {
		b.log().Warn("auto-burn: the last count before burning failed; the count asked before stands", "err", err)
	}
	if len(w.instances) < w.expected {
		b.mu.Unlock()
		return // the PACS has more now: wait for them (or the quiet time)
	}
	c := b.finishLocked(uid, w, "")
	b.mu.Unlock()
	b.report(c)
}

// quietDone completes a study that stayed silent for the quiet time.
func (b *AutoBurn) quietDone(uid string, w *watched) {
	b.mu.Lock()
	if b.studies[uid] != w {
		b.mu.Unlock()
		return
	}
	var why string
	switch {
	case b.Count == nil:
		why = "burned after quiet time: no PACS is set to count the study's instances"
	case w.expected < 0:
		why = "burned after quiet time: the PACS did not answer"
	case len(w.instances) < w.expected:
		why = fmt.Sprintf("burned after quiet time: %d of the %d instances the PACS counted arrived", len(w.instances), w.expected)
	default:
		why = ""
	}
	if why != "" {
		args := []any{"why", why, "instances", len(w.instances)}
		if w.askErr != nil {
			args = append(args, "err", w.askErr)
		}
		b.log().Warn("auto-burn: count fallback", args...)
	}
	c := b.finishLocked(uid, w, why)
	b.mu.Unlock()
	b.report(c)
}

// finishLocked stops watching a study and remembers it as reported.
func (b *AutoBurn) finishLocked(uid string, w *watched, fallback string) Completion {
	delete(b.studies, uid)
	if w.quiet != nil {
		w.quiet.Stop()
	}
	if w.settle != nil {
		w.settle.Stop()
	}
	b.done[uid] = w.instances
	b.order = append(b.order, uid)
	if len(b.order) > maxRemembered {
		delete(b.done, b.order[0])
		b.order = b.order[1:]
	}
	return Completion{StudyUID: uid, Instances: len(w.instances), Expected: w.expected, Fallback: fallback}
}

func (b *AutoBurn) report(c Completion) {
	if b.OnComplete != nil {
		b.OnComplete(c)
	}
}

// Forget lets a reported study be watched (and burned) again, when staff
// ask for another disc of it through auto-burn.
func (b *AutoBurn) Forget(studyUID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.done, studyUID)
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
