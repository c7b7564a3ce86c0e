package facility

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
	"discdesk/app/settings"
	"discdesk/app/staff"
)

// Bind makes the desk store db one desk of the facility b: every handoff
// store and staff store opened on db from now on keeps its log and its
// members in b (handoff.Bind, staff.Bind). Settings are shared through
// SharedSettings. The returned func undoes it; call it before closing db.
func Bind(db *bolt.DB, b Backend, timeout time.Duration) (unbind func(), err error) {
	r, err := Remote(b, timeout)
	if err != nil {
		return nil, err
	}
	u1 := handoff.Bind(db, r)
	u2 := staff.Bind(db, staffRemote{b: b, timeout: timeout})
	return func() { u1(); u2() }, nil
}

// SharedSettings pairs the desk's settings with the facility's document.
func SharedSettings(st *settings.Store, b Backend, timeout time.Duration) *settings.Shared {
	return settings.NewShared(st, settingsRemote{b: b, timeout: timeout})
}

func bounded(timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return context.WithTimeout(context.Background(), timeout)
}

type staffRemote struct {
	b       Backend
	timeout time.Duration
}

func (s staffRemote) Members() ([]staff.Member, error) {
	ctx, cancel := bounded(s.timeout)
	defer cancel()
	return s.b.Members(ctx)
}

func (s staffRemote) PutMember(m staff.Member) error {
	ctx, cancel := bounded(s.timeout)
	defer cancel()
	return s.b.PutMember(ctx, m)
}

type settingsRemote struct {
	b       Backend
	timeout time.Duration
}

func (s settingsRemote) LoadShared() ([]byte, int64, error) {
	ctx, cancel := bounded(s.timeout)
	defer cancel()
	return s.b.LoadSettings(ctx)
}

func (s settingsRemote) SaveShared(doc []byte, ifVersion int64) (int64, error) {
	ctx, cancel := bounded(s.timeout)
	defer cancel()
	return s.b.SaveSettings(ctx, doc, ifVersion)
}

// HoldAll records that desk holds each of the studies (Holdings.Hold),
// in one round trip on PostgreSQL.
func HoldAll(ctx context.Context, b Backend, desk string, studies []string) error {
	if o, ok := b.(*Outbox); ok {
		b = o.Backend
	}
	if p, ok := b.(*PG); ok {
		return p.holdAll(ctx, desk, studies)
	}
	for _, uid := range studies {
		if err := b.Hold(ctx, desk, uid); err != nil {
			return err
		}
	}
	return nil
}
