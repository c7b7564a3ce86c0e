package pacs_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"discdesk/app/intake"
	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/store/storetest"
	"discdesk/viewer/dcm/dcmtest"
)

// BenchmarkStoreIntoLibrary is the default receive path end to end: one
// association, C-STORE of 512x512 CT slices (~0.5 MB) over loopback into
// the Storage SCP with the library as its sink (spooled in the data
// folder, durable before each C-STORE-RSP), beside the same into a folder
// (FileSink, no sync) as the floor of this harness. The sender is
// pacs.Client in the same process;
// packaging/bench/receive_vs_storescp.sh measures against dcmtk and
// Orthanc with dcmtk's storescu as the sender. The temp folder must be
// disk-backed for the figures to mean anything.
func BenchmarkStoreIntoLibrary(b *testing.B) {
	b.Run("library", func(b *testing.B) {
		dir := b.TempDir()
		db := storetest.MustOpen(b, dir)
		lib, err := library.Open(db, dir)
		if err != nil {
			b.Fatal(err)
		}
		benchStore(b, intake.SpoolDir(dir), intake.LibrarySink{Lib: lib})
		if err := lib.Flush(); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("folder", func(b *testing.B) {
		dir := b.TempDir()
		benchStore(b, filepath.Join(dir, ".spool"), pacs.FileSink{Dir: dir})
	})
}

func benchStore(b *testing.B, spool string, sink pacs.Sink) {
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{"DISCDESK"}, AnyCaller: true, SpoolDir: spool}, sink)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	src := b.TempDir()
	paths := make([]string, b.N)
	var bytes int64
	for i := range paths {
		paths[i] = filepath.Join(src, fmt.Sprintf("ct%d.dcm", i))
		data := dcmtest.CT(i+1, 512, 512).Bytes()
		bytes += int64(len(data))
		if err := os.WriteFile(paths[i], data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	node := pacs.Node{AETitle: "DISCDESK", Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	c := &pacs.Client{AETitle: "BENCH"}
	b.SetBytes(bytes / int64(b.N))
	b.ResetTimer()
	res, err := c.Store(context.Background(), node, paths)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || r.Status != 0 {
			b.Fatalf("%s: status %04X %v", r.Path, r.Status, r.Err)
		}
	}
}
