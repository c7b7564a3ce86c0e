package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"discdesk/app/handoff"
	"discdesk/app/store/storetest"
)

const studyUID = "1.2.840.113619.2.55.3.604688119.969.1268071029.320"

func export() Export {
	return Export{
		Time: time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC), SourceID: "DISCDESK@FRONT-1", SiteID: "Lakeside Imaging",
		Staff: "m.rivera", Workstation: "FRONT-1", MediaID: "0195a1b2-0000-7000-8000-000000000001", MediaType: MediaCD,
		Recipient: "Jane Doe", PatientID: "MRN0042", PatientName: "Doe^Jane",
		Studies: []Study{{UID: studyUID, SOPClasses: map[string]int{"1.2.840.10008.5.1.4.1.1.2": 120, "1.2.840.10008.5.1.4.1.1.7": 1}}},
	}
}

func TestExportMessageFields(t *testing.T) {
	raw, err := export().XML()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Fatalf("no XML declaration: %.60s", raw)
	}
	var m Message
	if err := xml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("parse back: %v\n%s", err, raw)
	}
	if m.Event.EventID.Code != "110106" || m.Event.EventID.System != "DCM" || m.Event.EventID.Meaning != "Export" ||
		m.Event.ActionCode != "R" || m.Event.Outcome != "0" || m.Event.DateTime != "2025-03-10T14:30:00.000Z" {
		t.Fatalf("event %+v", m.Event)
	}
	if len(m.Active) != 3 || !m.Active[0].IsRequestor || m.Active[0].UserID != "m.rivera" || m.Active[0].Role.Code != "110153" {
		t.Fatalf("exporting user %+v", m.Active)
	}
	media := m.Active[2]
	if media.Role.Code != "110154" || media.Media == nil || media.Media.MediaType.Code != "110032" || media.UserID != export().MediaID || media.IsRequestor {
		t.Fatalf("media participant %+v", media)
	}
	if m.Source.SourceID != "DISCDESK@FRONT-1" || m.Source.TypeCode.Code != "1" {
		t.Fatalf("source %+v", m.Source)
	}
	if len(m.Participant) != 2 {
		t.Fatalf("participants %+v", m.Participant)
	}
	st, pt := m.Participant[0], m.Participant[1]
	if st.ID != studyUID || st.TypeCode != "2" || st.Role != "3" || st.IDType.Code != "110180" || len(st.Description.SOPClass) != 2 ||
		st.Description.SOPClass[0] != (SOPClass{UID: "1.2.840.10008.5.1.4.1.1.2", Instances: 120}) {
		t.Fatalf("study %+v", st)
	}
	if pt.ID != "MRN0042" || pt.TypeCode != "1" || pt.Role != "1" || pt.IDType.Code != "2" || pt.IDType.System != "RFC-3881" || pt.Name != "Doe^Jane" {
		t.Fatalf("patient %+v", pt)
	}
	// Attribute spelling as in the schema (A.5.1).
	for _, want := range []string{`csd-code="110106"`, `UserIsRequestor="true"`, `<MediaIdentifier><MediaType csd-code="110032"`, `NumberOfInstances="120"`, `ParticipantObjectDataLifeCycle="10"`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("message lacks %s", want)
		}
	}
	e := export()
	e.Failed = "verification failed"
	raw, _ = e.XML()
	if !bytes.Contains(raw, []byte(`EventOutcomeIndicator="4"`)) || !bytes.Contains(raw, []byte("<EventOutcomeDescription>verification failed<")) {
		t.Fatalf("failed outcome: %s", raw)
	}
	e = export()
	e.Studies = nil
	if _, err := e.XML(); err == nil {
		t.Fatal("message without studies accepted")
	}
	e = export()
	e.PatientName = `<script>&"`
	raw, _ = e.XML()
	var esc Message
	if err := xml.Unmarshal(raw, &esc); err != nil || esc.Participant[1].Name != `<script>&"` {
		t.Fatalf("escaping: %v %+v", err, esc.Participant)
	}
}

// collector is a syslog collector on loopback that reads octet-counted
// frames, one connection after another, and hands them to frames.
type collector struct {
	ln     net.Listener
	frames chan []byte
	errs   chan error
}

func startCollector(t *testing.T, cfg *tls.Config) *collector {
	t.Helper()
	var ln net.Listener
	var err error
	if cfg != nil {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", cfg)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{ln: ln, frames: make(chan []byte, 8), errs: make(chan error, 8)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				r := bufio.NewReader(conn)
				for {
					f, err := readFrame(r)
					if errors.Is(err, io.EOF) {
						return
					}
					if err != nil {
						c.errs <- err
						return
					}
					c.frames <- f
				}
			}()
		}
	}()
	return c
}

// readFrame reads "LEN SP MSG" (RFC 6587 3.4.1).
func readFrame(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(' ')
	if err != nil {
		if head == "" {
			return nil, io.EOF
		}
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(head, " "))
	if err != nil || n <= 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad frame length %q", head)
	}
	buf := make([]byte, n)
	_, err = io.ReadFull(r, buf)
	return buf, err
}

func (c *collector) next(t *testing.T) []byte {
	t.Helper()
	select {
	case f := <-c.frames:
		return f
	case err := <-c.errs:
		t.Fatal(err)
	case <-time.After(5 * time.Second):
		t.Fatal("collector got nothing")
	}
	return nil
}

var header5424 = regexp.MustCompile(`^<85>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (\S+) (\S+) (\d+) IHE\+RFC-3881 - \x{FEFF}`)

func checkFrame(t *testing.T, f, msg []byte) {
	t.Helper()
	m := header5424.FindSubmatchIndex(f)
	if m == nil {
		t.Fatalf("not an RFC 5424 audit frame: %.120q", f)
	}
	if host := string(f[m[4]:m[5]]); host != "front-1.example" {
		t.Fatalf("hostname %q", host)
	}
	if !bytes.Equal(f[m[1]:], msg) {
		t.Fatalf("MSG differs from the audit message")
	}
}

func TestSendTCP(t *testing.T) {
	c := startCollector(t, nil)
	msg, _ := export().XML()
	s := &Sender{Addr: c.ln.Addr().String(), Hostname: "front-1.example"}
	for range 2 {
		if err := s.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		checkFrame(t, c.next(t), msg)
	}
	if err := (&Sender{}).Send(context.Background(), msg); !errors.Is(err, ErrNoCollector) {
		t.Fatalf("no address: %v", err)
	}
	if err := (&Sender{Addr: s.Addr, MaxSize: 10}).Send(context.Background(), msg); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
	c.ln.Close()
	if err := s.Send(context.Background(), msg); err == nil {
		t.Fatal("send to a closed collector succeeded")
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestSendTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	c := startCollector(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	msg, _ := export().XML()
	s := &Sender{Addr: c.ln.Addr().String(), Hostname: "front-1.example", TLS: &tls.Config{RootCAs: pool}}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	checkFrame(t, c.next(t), msg)
	// A collector whose certificate is not trusted is refused.
	untrusting := &Sender{Addr: s.Addr, TLS: &tls.Config{RootCAs: x509.NewCertPool()}}
	if err := untrusting.Send(context.Background(), msg); err == nil {
		t.Fatal("untrusted collector accepted")
	}
}

func TestHandoffEventKeepsAuditMessage(t *testing.T) {
	db := storetest.MustOpen(t, t.TempDir())
	s, err := handoff.Open(db, handoff.WithAuditor(ForHandoff(Source{SourceID: "DISCDESK@FRONT-1", SiteID: "Lakeside Imaging"})))
	if err != nil {
		t.Fatal(err)
	}
	by := handoff.Actor{Staff: "m.rivera", Workstation: "FRONT-1"}
	r, err := s.NewRequest(handoff.RequestInput{
		Patient:   handoff.Patient{Name: "Doe, Jane", ID: "MRN0042"},
		Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity:  handoff.IdentityCheck{Method: "driver licence", CheckedBy: "m.rivera"},
		Studies:   handoff.Studies{UIDs: []string{studyUID}}, Format: handoff.FormatDVD, Delivery: handoff.DeliveryPickup,
	}, by)
	if err != nil {
		t.Fatal(err)
	}
	disc := uuid.NewString()
	if _, err := s.RecordBurn(r.ID, handoff.Burn{DiscUUID: disc, N: 1, M: 1, ManifestHash: strings.Repeat("ab", 32), Verified: true, Studies: []string{studyUID}, Instances: 37}, by); err != nil {
		t.Fatal(err)
	}
	ev, err := s.HandOver(disc, false, handoff.Handover{To: "Jane Doe", IdentityCheck: "driver licence"}, by)
	if err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := xml.Unmarshal([]byte(ev.Audit), &m); err != nil {
		t.Fatalf("audit kept with the event: %v", err)
	}
	if m.Active[2].UserID != disc || m.Active[2].Media.MediaType.Code != "110033" || m.Participant[0].Description.SOPClass[0].Instances != 37 || m.Active[2].UserName != "Jane Doe" {
		t.Fatalf("audit message %+v", m)
	}
	stored, err := s.Event(ev.ID)
	if err != nil || stored.Audit != ev.Audit {
		t.Fatalf("stored event lacks the audit message: %v", err)
	}
	if _, err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	c := startCollector(t, nil)
	if err := (&Sender{Addr: c.ln.Addr().String(), Hostname: "front-1.example"}).Send(context.Background(), []byte(stored.Audit)); err != nil {
		t.Fatal(err)
	}
	checkFrame(t, c.next(t), []byte(stored.Audit))

	// 15.12: with the log as anchor, the frame carries the chain's head
	// (this handover's own hash, the head once it is logged) outside the
	// store; the MSG is still byte for byte the message kept in the log.
	rep, err := s.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Head != ev.Hash {
		t.Fatalf("head %s after the handover, its hash %s", rep.Head, ev.Hash)
	}
	if err := (&Sender{Addr: c.ln.Addr().String(), Hostname: "front-1.example", Anchor: s.Head}).Send(context.Background(), []byte(stored.Audit)); err != nil {
		t.Fatal(err)
	}
	f := c.next(t)
	want := fmt.Sprintf(`IHE+RFC-3881 [handoffHead@32473 head="%s" events="%d"] `+"\xEF\xBB\xBF", rep.Head, rep.Events)
	if !bytes.Contains(f, []byte(want)) || !bytes.HasSuffix(f, []byte(stored.Audit)) {
		t.Fatalf("anchored frame %.300q, want %q and the stored message", f, want)
	}
	// A head that cannot be read leaves the frame without it (the message still goes).
	broken := &Sender{Addr: c.ln.Addr().String(), Hostname: "front-1.example", Anchor: func() (string, int, error) { return "", 0, errors.New("no store") }}
	if err := broken.Send(context.Background(), []byte(stored.Audit)); err != nil {
		t.Fatal(err)
	}
	checkFrame(t, c.next(t), []byte(stored.Audit))
}

func BenchmarkExportXML(b *testing.B) {
	e := export()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.XML(); err != nil {
			b.Fatal(err)
		}
	}
}
