package disc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"discdesk/burner"
	"discdesk/viewer/dcm"
)

// cacheStudy copies n slices of a corpus CT and a 30-frame JPEG ultrasound
// into a folder of the test (the cache keys files by identity, and some tests
// rewrite one in place).
func cacheStudy(t *testing.T, n int) []string {
	t.Helper()
	src := files(t, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")[:n]
	src = append(src, files(t, "multiframe/us_30f_jpeg_baseline.dcm")...)
	dir := t.TempDir()
	var out []string
	for i, f := range src {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(f)+"_"+string(rune('a'+i)))
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, dst)
	}
	return out
}

// cachedPlan plans in on a DVD that keeps JPEG, with the browser viewer
// and cache c (nil: none). Every object is copied as it is: transcoded
// objects are packed by every Build (their bytes exist only then).
func cachedPlan(t *testing.T, in []string, c *FrameCache) *Plan {
	t.Helper()
	p, _ := supplyMissing(t, Input{Files: in, Facility: testFacility}, Options{FrameCache: c, Media: DVD, Profile: JPEGProfile(DVD)})
	if m := p.WebViewer().Mode; m != WebViewerData {
		t.Fatalf("browser viewer mode %s, want data", m)
	}
	for _, o := range p.Objects {
		if o.Action != Copy {
			t.Fatalf("%s: %s (%s), want every object copied", o.Name, o.Action, o.Reason)
		}
	}
	return p
}

// treeBytes is every file of a tree with its bytes and digest, which a
// disc built through the cache must reproduce exactly.
func treeBytes(t *testing.T, tree *burner.Tree) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range tree.Files {
		b := f.Data
		if f.Source != "" {
			var err error
			if b, err = os.ReadFile(f.Source); err != nil {
				t.Fatal(err)
			}
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
			t.Fatalf("%s: tree says sha256 %s, its bytes are %s", f.Path, f.SHA256, got)
		}
		out[f.Path] = f.SHA256
	}
	return out
}

func sameTree(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d files, want %d", what, len(got), len(want))
	}
	for p, sum := range want {
		if got[p] != sum {
			t.Fatalf("%s: %s differs (%q, want %q)", what, p, got[p], sum)
		}
	}
}

func openCache(t *testing.T) *FrameCache {
	t.Helper()
	c, err := OpenFrameCache(filepath.Join(t.TempDir(), "cache", "frames"), 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func cacheEntries(t *testing.T, c *FrameCache) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(c.Dir(), "*"+frameEntryExt))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A disc built from the cache is byte for byte the disc built without it,
// and packs nothing again; the entries are private.
func TestFrameCacheSameDisc(t *testing.T) {
	in := cacheStudy(t, 6)
	want := treeBytes(t, build(t, cachedPlan(t, in, nil))[0])
	c := openCache(t)
	first := treeBytes(t, build(t, cachedPlan(t, in, c))[0])
	sameTree(t, "first disc through the cache", first, want)
	if n := c.packed.Load(); n != int64(len(in)) {
		t.Fatalf("first disc packed %d objects, want %d", n, len(in))
	}
	second := treeBytes(t, build(t, cachedPlan(t, in, c))[0])
	sameTree(t, "second disc from the cache", second, want)
	if n := c.packed.Load(); n != int64(len(in)) {
		t.Fatalf("second disc packed again: %d packs for %d objects", n, len(in))
	}
	if fi, err := os.Stat(c.Dir()); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache folder: %v %v, want 0700", fi.Mode(), err)
	}
	ents := cacheEntries(t, c)
	if len(ents) != len(in) {
		t.Fatalf("%d entries for %d objects", len(ents), len(in))
	}
	for _, e := range ents {
		fi, err := os.Stat(e)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("entry %s: %v %v, want 0600", e, fi.Mode(), err)
		}
		if strings.Contains(filepath.Base(e), "PID") || strings.Contains(filepath.Base(e), "S2010") {
			t.Fatalf("entry name %s names the file", e)
		}
	}
}

// A file rewritten in place (same size, modification time set back) is a
// new entry: the disc carries its new bytes and digest.
func TestFrameCacheRewrittenFile(t *testing.T) {
	in := cacheStudy(t, 4)
	c := openCache(t)
	before := treeBytes(t, build(t, cachedPlan(t, in, c))[0])
	victim := in[1]
	fi, err := os.Stat(victim)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(b) - 4096; i < len(b); i += 2 { // pixels near the end: other values
		b[i] ^= 0x5a
	}
	time.Sleep(10 * time.Millisecond) // a later change time than the entry's
	if err := os.WriteFile(victim, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(victim, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	p := cachedPlan(t, in, c)
	after := treeBytes(t, build(t, p)[0])
	if n := c.packed.Load(); n != int64(len(in))+1 {
		t.Fatalf("%d packs, want the rewritten file packed again (%d)", n, len(in)+1)
	}
	sum := sha256.Sum256(b)
	var id string
	for _, o := range p.Objects {
		if o.Source == victim {
			id = o.FileID
		}
	}
	if after[id] != hex.EncodeToString(sum[:]) {
		t.Fatalf("disc has %s for the rewritten file, its bytes are %x", after[id], sum)
	}
	changed := 0
	for path, s := range after {
		if strings.HasPrefix(path, webDataFolder+"/S") && before[path] != s {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("the browser viewer's data did not change with the pixels")
	}
}

// A damaged entry is packed again; the disc is the same.
func TestFrameCacheDamagedEntry(t *testing.T) {
	in := cacheStudy(t, 3)
	c := openCache(t)
	want := treeBytes(t, build(t, cachedPlan(t, in, c))[0])
	ents := cacheEntries(t, c)
	b, err := os.ReadFile(ents[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(ents[0], b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(ents[1], 100); err != nil {
		t.Fatal(err)
	}
	got := treeBytes(t, build(t, cachedPlan(t, in, c))[0])
	sameTree(t, "disc after damaged entries", got, want)
	if n := c.packed.Load(); n != int64(len(in))+2 {
		t.Fatalf("%d packs, want the two damaged entries packed again (%d)", n, len(in)+2)
	}
}

// PrepareViewer fills the cache so Build packs nothing, also while the two
// run at once (each object is packed once).
func TestPrepareViewer(t *testing.T) {
	in := cacheStudy(t, 6)
	want := treeBytes(t, build(t, cachedPlan(t, in, nil))[0])

	c := openCache(t)
	p := cachedPlan(t, in, c)
	if err := p.PrepareViewer(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := c.packed.Load(); n != int64(len(in)) {
		t.Fatalf("PrepareViewer packed %d of %d objects", n, len(in))
	}
	if err := p.PrepareViewer(context.Background()); err != nil || c.packed.Load() != int64(len(in)) {
		t.Fatalf("a second PrepareViewer packed again (%d) or failed: %v", c.packed.Load(), err)
	}
	sameTree(t, "disc after PrepareViewer", treeBytes(t, build(t, p)[0]), want)
	if n := c.packed.Load(); n != int64(len(in)) {
		t.Fatalf("Build packed again after PrepareViewer: %d packs", n)
	}

	c2 := openCache(t)
	p2 := cachedPlan(t, in, c2)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = p2.PrepareViewer(context.Background()) }()
	got := treeBytes(t, build(t, p2)[0])
	wg.Wait()
	sameTree(t, "disc built while PrepareViewer ran", got, want)
	if n := c2.packed.Load(); n != int64(len(in)) {
		t.Fatalf("Build and PrepareViewer at once packed %d times for %d objects", n, len(in))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := cachedPlan(t, in, openCache(t)).PrepareViewer(ctx); err == nil {
		t.Fatal("PrepareViewer went on after its context ended")
	}
}

// Trim removes old formats, unused entries, leftovers of interrupted
// writes, then the least recently used until the cache fits its limit; it
// leaves files that are not its own.
func TestFrameCacheTrim(t *testing.T) {
	c := openCache(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	c.max = 3000
	put := func(name string, size int, age time.Duration) string {
		p := filepath.Join(c.Dir(), name)
		if err := os.WriteFile(p, bytes.Repeat([]byte{1}, size), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	newest := put("v1-aa"+frameEntryExt, 1000, time.Minute)
	middle := put("v1-bb"+frameEntryExt, 1000, time.Hour)
	oldest := put("v1-cc"+frameEntryExt, 1500, 2*time.Hour)
	unused := put("v1-dd"+frameEntryExt, 10, DefaultFrameCacheAge+time.Hour)
	format := put("v0-ee"+frameEntryExt, 10, time.Minute)
	leftover := put(".tmp-123", 10, 2*time.Hour)
	fresh := put(".tmp-456", 10, time.Minute) // a write under way
	other := put("notes.txt", 5000, 100*24*time.Hour)
	n, err := c.Trim()
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("Trim removed %d files, want 4", n)
	}
	for _, p := range []string{oldest, unused, format, leftover} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s kept", filepath.Base(p))
		}
	}
	for _, p := range []string{newest, middle, fresh, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed", filepath.Base(p))
		}
	}
}

// An entry round-trips; no bytes make decodeFrameEntry panic or return
// frames beyond its buffer.
func FuzzFrameEntry(f *testing.F) {
	e := frameEntry{Digest: strings.Repeat("ab", 32), Size: 9, Images: []webFrame{{Rows: 2, Columns: 2}, {Rows: 2, Columns: 2}}, frames: [][]byte{[]byte("eJw="), []byte("AAAA")}}
	good, err := encodeFrameEntry(e)
	if err != nil {
		f.Fatal(err)
	}
	got, err := decodeFrameEntry(good)
	if err != nil || got.Digest != e.Digest || len(got.frames) != 2 || string(got.frames[1]) != "AAAA" || got.Images[1].Rows != 2 {
		f.Fatalf("round trip: %+v %v", got, err)
	}
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte("DDVF\x01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeFrameEntry(b)
		if err != nil {
			return
		}
		if len(e.frames) > len(e.Images) {
			t.Fatalf("%d frames for %d images", len(e.frames), len(e.Images))
		}
		for _, fr := range e.frames {
			if cap(fr) > len(b) {
				t.Fatal("a frame reaches beyond the entry")
			}
		}
		again, err := encodeFrameEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeFrameEntry(again); err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
	})
}

// A transcoded object's frames are cached by its source and the rewrite:
// the second CD of a JPEG ultrasound (decompressed for STD-GEN-CD) packs
// nothing again, its bytes on the disc are hashed as this build wrote them,
// and the disc is the disc built without the cache.
func TestFrameCacheTranscoded(t *testing.T) {
	in := cacheStudy(t, 2)
	plan := func(c *FrameCache) *Plan {
		p, _ := supplyMissing(t, Input{Files: in, Facility: testFacility}, Options{FrameCache: c})
		transcoded := 0
		for _, o := range p.Objects {
			if o.Action == Transcode {
				transcoded++
			}
		}
		if transcoded != 1 {
			t.Fatalf("%d objects transcoded, want the JPEG one", transcoded)
		}
		return p
	}
	want := treeBytes(t, build(t, plan(nil))[0])
	c := openCache(t)
	sameTree(t, "first CD", treeBytes(t, build(t, plan(c))[0]), want)
	sameTree(t, "second CD", treeBytes(t, build(t, plan(c))[0]), want)
	if n := c.packed.Load(); n != int64(len(in)) {
		t.Fatalf("two CDs packed %d times for %d objects", n, len(in))
	}
	// PrepareViewer packs the transcoded object from its rewrite in memory.
	c2 := openCache(t)
	p2 := plan(c2)
	if err := p2.PrepareViewer(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameTree(t, "CD after PrepareViewer", treeBytes(t, build(t, p2)[0]), want)
	if n := c2.packed.Load(); n != int64(len(in)) {
		t.Fatalf("PrepareViewer and Build packed %d times for %d objects", n, len(in))
	}
	// Another rewrite of the same source (a value staff supply) is another entry.
	p, _ := supplyMissing(t, Input{Files: in, Facility: testFacility}, Options{FrameCache: c,
		Supplied: []Supplied{{File: in[len(in)-1], Tag: dcm.InstitutionName, Value: "Elsewhere", By: "test"}}})
	build(t, p)
	if n := c.packed.Load(); n != int64(len(in))+1 {
		t.Fatalf("a different rewrite did not pack again: %d packs", n)
	}
}

// readPooled reads whole files of any size, reusing its buffers.
func TestReadPooled(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	for _, n := range []int{100000, 0, 1, 4096, 100001} {
		b := bytes.Repeat([]byte{byte(n)}, n)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readPooled(p)
		if err != nil || !bytes.Equal(*got, b) {
			t.Fatalf("%d bytes: read %d, %v", n, len(*got), err)
		}
		putReadBuf(got)
	}
	if _, err := readPooled(p + ".missing"); err == nil {
		t.Fatal("a missing file read")
	}
}
