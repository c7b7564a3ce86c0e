package pacs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/pacs/dimse"
)

func TestEchoscuAgainstOurSCP(t *testing.T) {
	_, n, _ := startServer(t, Config{})
	out, err := tool(t, 10*time.Second, "echoscu", "-aet", callerAE, "-aec", ourAE, n.Host, portArg(n))
	if err != nil {
		t.Fatalf("echoscu: %v\n%s", err, out)
	}
	out, err = tool(t, 10*time.Second, "echoscu", "-aet", "STRANGER", "-aec", ourAE, n.Host, portArg(n))
	if err == nil || !strings.Contains(out, "Calling AE Title Not Recognized") {
		t.Fatalf("echoscu from unknown AE: err %v, output:\n%s", err, out)
	}
	out, err = tool(t, 10*time.Second, "echoscu", "-aet", callerAE, "-aec", "WRONG", n.Host, portArg(n))
	if err == nil || !strings.Contains(out, "Called AE Title Not Recognized") {
		t.Fatalf("echoscu to unknown called AE: err %v, output:\n%s", err, out)
	}
}

func TestOurEchoAndRejections(t *testing.T) {
	_, n, _ := startServer(t, Config{Callers: []Caller{{AETitle: callerAE, Host: "127.0.0.1"}, {AETitle: "ELSEWHERE", Host: "192.0.2.7"}}})
	ctx := context.Background()
	c := &Client{AETitle: callerAE}
	if err := c.Echo(ctx, n); err != nil {
		t.Fatalf("echo: %v", err)
	}
	cases := []struct {
		name    string
		calling string
		called  string
		reason  byte
	}{
		{"unknown calling AE", "STRANGER", ourAE, dimse.ReasonCallingAENotRecognized},
		{"allowed AE from the wrong host", "ELSEWHERE", ourAE, dimse.ReasonCallingAENotRecognized},
		{"unknown called AE", callerAE, "NOTUS", dimse.ReasonCalledAENotRecognized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{AETitle: tc.calling}
			m := n
			m.AETitle = tc.called
			err := c.Echo(ctx, m)
			var rj *dimse.RejectError
			if !errors.As(err, &rj) {
				t.Fatalf("echo: %v, want rejection", err)
			}
			want := dimse.Reject{Result: dimse.RejectPermanent, Source: dimse.SourceServiceUser, Reason: tc.reason}
			if rj.Reject != want {
				t.Fatalf("rejected with %+v (%s), want %+v", rj.Reject, rj.Reject.Describe(), want)
			}
		})
	}
}

// storescuFlag is the storescu option that proposes a transfer syntax.
var storescuFlag = map[string]string{
	"1.2.840.10008.1.2":      "-xi",
	"1.2.840.10008.1.2.1":    "-xe",
	"1.2.840.10008.1.2.2":    "-xb",
	"1.2.840.10008.1.2.1.99": "-xd",
	"1.2.840.10008.1.2.4.50": "-xy",
	"1.2.840.10008.1.2.4.51": "-xx",
	"1.2.840.10008.1.2.4.70": "-xs",
	"1.2.840.10008.1.2.4.80": "-xt",
	"1.2.840.10008.1.2.4.81": "-xu",
	"1.2.840.10008.1.2.4.90": "-xv",
	"1.2.840.10008.1.2.4.91": "-xw",
	"1.2.840.10008.1.2.5":    "-xr",
}

func TestStorescuCorpusArrivesIdentical(t *testing.T) {
	paths, _ := corpusFiles(t)
	_, n, sink := startServer(t, Config{})
	byTS := map[string][]string{}
	for _, p := range paths {
		m, _, _ := ReadMetaFile(p)
		byTS[m.TransferSyntaxUID] = append(byTS[m.TransferSyntaxUID], p)
	}
	var sent []string
	for ts, group := range byTS {
		flag, ok := storescuFlag[ts]
		if !ok {
			t.Logf("storescu 3.6.7 cannot propose %s: %d files left to TestOurStoreCorpusArrivesIdentical", ts, len(group))
			continue
		}
		start := time.Now()
		args := append([]string{"-R", flag, "-aet", callerAE, "-aec", ourAE, n.Host, portArg(n)}, group...)
		if out, err := tool(t, 60*time.Second, "storescu", args...); err != nil {
			t.Fatalf("storescu %s: %v\n%s", flag, err, lastLines(out, 15))
		}
		sent = append(sent, group...)
		t.Logf("storescu %s: %d files in %v", flag, len(group), time.Since(start))
	}
	start := time.Now()
	defer func() { t.Logf("compare: %v", time.Since(start)) }()
	if len(sent) < len(paths)-5 {
		t.Fatalf("storescu sent only %d of %d files", len(sent), len(paths))
	}
	checkArrivedDump(t, sink, sent)
	if got := countFiles(t, sink.Dir); got != len(sent) {
		t.Errorf("sink holds %d files, sent %d", got, len(sent))
	}
	t.Logf("%d of %d corpus objects sent by storescu arrived identical", len(sent), len(paths))
}

func TestOurStoreCorpusArrivesIdentical(t *testing.T) {
	paths, _ := corpusFiles(t)
	_, n, sink := startServer(t, Config{})
	c := &Client{AETitle: callerAE}
	res, err := c.Store(context.Background(), n, paths)
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	for _, r := range res {
		if r.Err != nil || r.Status != 0 {
			t.Errorf("%s: status %04X, %v", r.Path, r.Status, r.Err)
		}
	}
	checkArrived(t, sink, paths)
	spool, _ := os.ReadDir(filepath.Join(filepath.Dir(sink.Dir), "spool"))
	if len(spool) != 0 {
		t.Errorf("spool folder not empty: %d entries", len(spool))
	}
}
