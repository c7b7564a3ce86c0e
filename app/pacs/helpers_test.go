package pacs

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"discdesk/app/pacs/pacstest"
	"discdesk/internal/corpus"
)

const (
	ourAE    = "DISCDESK"
	callerAE = "MODALITY"
)

// startServer runs a Storage SCP on a free loopback port with a FileSink in
// a temporary folder. Callers default to callerAE.
func startServer(t testing.TB, cfg Config) (*Server, Node, FileSink) {
	t.Helper()
	dir := t.TempDir()
	sink := FileSink{Dir: filepath.Join(dir, "store")}
	if cfg.AETitles == nil {
		cfg.AETitles = []string{ourAE}
	}
	if cfg.Callers == nil && !cfg.AnyCaller {
		cfg.Callers = []Caller{{AETitle: callerAE}, {AETitle: "OTHER"}}
	}
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = filepath.Join(dir, "spool")
	}
	srv, n := startServerSink(t, cfg, sink)
	return srv, n, sink
}

func startServerSink(t testing.TB, cfg Config, sink Sink) (*Server, Node) {
	t.Helper()
	srv, err := NewServer(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, Node{AETitle: cfg.AETitles[0], Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
}

// tool runs a dcmtk (or other) program with a timeout and returns its
// combined output and error.
func tool(t testing.TB, timeout time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// corpusFiles lists the Part 10 storage objects of the corpus (malformed/
// skipped) with their meta.
func corpusFiles(t testing.TB) ([]string, map[string]Meta) {
	t.Helper()
	root := corpus.Dir(t)
	var paths []string
	metas := map[string]Meta{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "malformed" {
				return filepath.SkipDir
			}
			return nil
		}
		m, _, err := ReadMetaFile(p)
		if err != nil || !IsStorageSOPClass(m.SOPClassUID) {
			return nil
		}
		// Objects whose data set lacks SOP Class or Instance UID cannot be
		// sent (TestStoreRefusesMismatchedDataSet covers them).
		if m, _, err = storeMeta(p); err != nil || m.SOPInstanceUID != dataSetInstance(t, p) {
			return nil
		}
		// Objects without a valid Study or Series Instance UID are refused
		// (TestStoreRefusesMissingOrInvalidStudyUID covers them).
		if info := dataSetInfo(t, p); !validUID(info.StudyInstanceUID) || !validUID(info.SeriesInstanceUID) {
			return nil
		}
		if _, dup := metas[m.SOPInstanceUID]; dup {
			return nil // the same instance in two folders
		}
		metas[m.SOPInstanceUID] = m
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 100 {
		t.Fatalf("corpus has only %d storage objects", len(paths))
	}
	return paths, metas
}

// dataSetOf returns the bytes after a Part 10 file's meta header.
func dataSetOf(t testing.TB, path string) []byte {
	t.Helper()
	_, off, err := ReadMetaFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b[off:]
}

// checkArrived compares every sent file's data set with what the sink holds.
func checkArrived(t testing.TB, sink FileSink, paths []string) {
	t.Helper()
	bad := 0
	for _, p := range paths {
		m, _, _ := storeMeta(p)
		study := studyUIDOf(t, p, m)
		got := sink.Path(study, m.SOPInstanceUID)
		gm, _, err := ReadMetaFile(got)
		if err != nil {
			t.Errorf("%s: not stored: %v", p, err)
			bad++
			continue
		}
		if gm.TransferSyntaxUID != m.TransferSyntaxUID || gm.SOPClassUID != m.SOPClassUID {
			t.Errorf("%s: stored meta %+v, sent %+v", p, gm, m)
		}
		if !bytes.Equal(dataSetOf(t, got), dataSetOf(t, p)) {
			t.Errorf("%s: stored data set differs", p)
			bad++
		}
		if st, _ := os.Stat(got); st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", got, st.Mode().Perm())
		}
		if bad > 5 {
			t.Fatal("too many differences")
		}
	}
}

func dataSetInstance(t testing.TB, p string) string { return dataSetInfo(t, p).SOPInstanceUID }

func dataSetInfo(t testing.TB, p string) objectKeys {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	_, _, info, _ := parseObject(f, st.Size())
	return info
}

func studyUIDOf(t testing.TB, path string, m Meta) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	_, _, info, err := parseObject(f, st.Size())
	if err != nil {
		t.Fatalf("%s: corpus data set does not walk: %v", path, err)
	}
	if info.StudyInstanceUID == "" {
		return "unknown-study"
	}
	return info.StudyInstanceUID
}

func portArg(n Node) string { return strconv.Itoa(n.Port) }

func countFiles(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".dcm") {
			n++
		}
		return nil
	})
	return n
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// checkArrivedDump is checkArrived for senders that re-encode (dcmtk pads
// odd-length values): data sets must be byte-identical or, failing that,
// give the same dcmdump listing outside the meta group.
func checkArrivedDump(t testing.TB, sink FileSink, paths []string) {
	t.Helper()
	reencoded := 0
	for _, p := range paths {
		m, _, _ := storeMeta(p)
		got := sink.Path(studyUIDOf(t, p, m), m.SOPInstanceUID)
		if _, err := os.Stat(got); err != nil {
			t.Errorf("%s: not stored: %v", p, err)
			continue
		}
		if bytes.Equal(dataSetOf(t, got), dataSetOf(t, p)) {
			continue
		}
		reencoded++
		a, b := pacstest.DumpDataSet(t, p), pacstest.DumpDataSet(t, got)
		if a != b {
			t.Errorf("%s: stored data set differs:\n%s", p, pacstest.FirstDiff(a, b))
		}
	}
	if reencoded > 0 {
		t.Logf("%d objects re-encoded by the sender; their dcmdump listings match", reencoded)
	}
}
