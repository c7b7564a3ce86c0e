package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"discdesk/app/intake"
)

// ReceiveHooks are what the screens do when the receiver reports: an
// object joined the library, a study was queued for a disc, a complete
// study could not be queued. They are called from receiver goroutines.
type ReceiveHooks struct {
	Stored  func(studyUID string)
	Queued  func(intake.Queued)
	Problem func(studyUID string, err error)
}

// receiving is the desk's DICOM receiver, when it runs.
type receiving struct {
	ctx    context.Context // the desk's lifetime
	hooks  ReceiveHooks
	r      *intake.Receiver
	status string
}

// StartReceiver starts the DICOM receiver when the settings enable it
// (Settings, Receive from PACS) and runs it until ctx ends or
// StopReceiver. Settings saved later take effect through RestartReceiver.
// An error (no PACS node, port in use, unreadable certificate) leaves the
// desk running without a receiver; ReceiverStatus says why.
func (s *Services) StartReceiver(ctx context.Context, hooks ReceiveHooks) error {
	s.mu.Lock()
	s.recv = &receiving{ctx: ctx, hooks: hooks}
	s.mu.Unlock()
	return s.RestartReceiver()
}

// RestartReceiver stops the receiver and starts it again with the current
// settings (after they were saved).
func (s *Services) RestartReceiver() error {
	s.mu.Lock()
	rc := s.recv
	s.mu.Unlock()
	if rc == nil {
		return nil // the desk has not started receiving (tests, kiosk-only use)
	}
	s.StopReceiver()
	cur, err := s.Settings.Get()
	if err != nil {
		return s.setReceiveStatus(nil, "", err)
	}
	if !cur.Receive.Enabled {
		return s.setReceiveStatus(nil, "Not receiving from PACS (off in the settings).", nil)
	}
	opt, err := intake.FromSettings(cur, s.DataDir)
	if err != nil {
		return s.setReceiveStatus(nil, "", err)
	}
	if s.ReceiveHost != "" {
		opt.Listen = net.JoinHostPort(s.ReceiveHost, fmt.Sprint(cur.Receive.Port))
	}
	r := &intake.Receiver{Options: opt, Lib: s.Lib, Station: s.Station,
		Logger: slog.New(slog.NewTextHandler(s.Log, nil)),
		Stored: rc.hooks.Stored, Queued: rc.hooks.Queued, Problem: rc.hooks.Problem}
	if err := r.Start(rc.ctx); err != nil {
		return s.setReceiveStatus(nil, "", err)
	}
	status := fmt.Sprintf("Receiving on port %d as %s", r.Addr().(*net.TCPAddr).Port, cur.LocalAE)
	if opt.BurnAE != "" {
		status += fmt.Sprintf("; studies sent to %s are burned when complete", opt.BurnAE)
	}
	s.Logger.Printf("DICOM receiver started on %s", r.Addr())
	return s.setReceiveStatus(r, status+".", nil)
}

func (s *Services) setReceiveStatus(r *intake.Receiver, status string, err error) error {
	if err != nil {
		s.Logger.Printf("DICOM receiver did not start: %v", err)
		msg := err.Error()
		for _, p := range []string{"intake: start: ", "intake: "} {
			msg = strings.TrimPrefix(msg, p)
		}
		status = "Not receiving from PACS: " + plain(errors.New(msg))
	}
	s.mu.Lock()
	if s.recv != nil {
		s.recv.r, s.recv.status = r, status
	}
	s.mu.Unlock()
	return err
}

// StopReceiver stops the receiver (aborting open associations) and waits
// for studies being queued.
func (s *Services) StopReceiver() {
	s.mu.Lock()
	var r *intake.Receiver
	if s.recv != nil {
		r, s.recv.r = s.recv.r, nil
	}
	s.mu.Unlock()
	if r == nil {
		return
	}
	if err := r.Stop(); err != nil {
		s.Logger.Printf("DICOM receiver stopped: %v", err)
	}
}

// ReceiverStatus says whether the desk receives from PACS, on which port,
// or why not.
func (s *Services) ReceiverStatus() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recv == nil {
		return "Not receiving from PACS."
	}
	return s.recv.status
}

// ReceiverAddr is where the receiver listens (nil when it does not run).
func (s *Services) ReceiverAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recv == nil || s.recv.r == nil {
		return nil
	}
	return s.recv.r.Addr()
}
