package handoff

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// filler sets every exported field of a value at random, by reflection, so
// a field added to Event or Request is exercised without touching the test.
// wild adds times json.Marshal refuses (years outside 0..9999).
type filler struct {
	r    *rand.Rand
	wild bool
}

var fillStrings = []string{
	"", "plain", "Doe, Jane", "Smith & Jones <clinic>", `quote " and \ backslash`,
	"tab\tnew\nline", "Zoë Müller", "山田 太郎", "line\u2028sep\u2029", "bad\xffutf8\xc3",
	"nul\x00ctl\x1f", "\ufffd", "1.2.840.113619.2.55.3.604688119.969.1268071029.320",
}

func (f *filler) str() string {
	if f.r.IntN(3) == 0 {
		b := make([]byte, f.r.IntN(12))
		for i := range b {
			b[i] = byte(' ' + f.r.IntN(95))
		}
		return string(b)
	}
	return fillStrings[f.r.IntN(len(fillStrings))]
}

func (f *filler) int() int64 {
	switch f.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return math.MaxInt64
	case 2:
		return math.MinInt64
	case 3:
		return -f.r.Int64N(1e6)
	}
	return f.r.Int64N(1 << 40)
}

func (f *filler) time() time.Time {
	switch f.r.IntN(5) {
	case 0:
		return time.Time{}
	case 1:
		if f.wild {
			return time.Date(10000+f.r.IntN(10), 1, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	loc := time.UTC
	if f.r.IntN(2) == 0 {
		loc = time.FixedZone("Z", (f.r.IntN(28*60)-14*60)*60)
	}
	return time.Date(1+f.r.IntN(9998), time.Month(1+f.r.IntN(12)), 1+f.r.IntN(28),
		f.r.IntN(24), f.r.IntN(60), f.r.IntN(60), f.r.IntN(3)*f.r.IntN(1e9), loc)
}

func (f *filler) fill(t *testing.T, v reflect.Value) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(f.time()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Int, reflect.Int64:
		v.SetInt(f.int())
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	case reflect.Pointer:
		if f.r.IntN(3) > 0 {
			p := reflect.New(v.Type().Elem())
			f.fill(t, p.Elem())
			v.Set(p)
		}
	case reflect.Slice:
		switch n := f.r.IntN(5); n {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				f.fill(t, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && f.r.IntN(4) > 0 {
				f.fill(t, v.Field(i))
			}
		}
	default:
		t.Fatalf("filler: %s has kind %s: teach eventjson.go/viewjson.go and this filler about it", v.Type(), v.Kind())
	}
}

// TestReadEventJSONMatchesUnmarshal: whatever json.Marshal writes for an
// Event, the fast reader takes without falling back and gets exactly what
// json.Unmarshal gets.
func TestReadEventJSONMatchesUnmarshal(t *testing.T) {
	f := &filler{r: rand.New(rand.NewPCG(1, 2))}
	for i := range 3000 {
		var ev Event
		f.fill(t, reflect.ValueOf(&ev).Elem())
		body, err := json.Marshal(&ev)
		if err != nil {
			t.Fatalf("case %d: marshal: %v", i, err)
		}
		var got, want Event
		if !readEventJSON(body, &got) {
			t.Fatalf("case %d: fast reader refused json.Marshal output %s", i, body)
		}
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: %s\n%s", i, body, cmp.Diff(want, got))
		}
	}
}

// TestMarshalRequestMatchesMarshal: the view writer produces json.Marshal's
// bytes (and its errors) for any Request.
func TestMarshalRequestMatchesMarshal(t *testing.T) {
	for _, wild := range []bool{false, true} {
		f := &filler{r: rand.New(rand.NewPCG(3, 4)), wild: wild}
		var buf []byte
		for i := range 3000 {
			var r Request
			f.fill(t, reflect.ValueOf(&r).Elem())
			want, werr := json.Marshal(&r)
			var err error
			buf, err = marshalRequest(buf, &r)
			if (err == nil) != (werr == nil) {
				t.Fatalf("case %d: error %v, json.Marshal %v", i, err, werr)
			}
			if werr == nil && string(buf) != string(want) {
				t.Fatalf("case %d:\n got %s\nwant %s", i, buf, want)
			}
			if !wild {
				w := jsonWriter{}
				if w.request(&r); !w.ok {
					t.Fatalf("case %d: fast writer fell back", i)
				}
			}
		}
	}
}

func TestKeyIsMatchesKeyID(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		var k [16]byte
		for i := range k {
			k[i] = byte(r.IntN(256))
		}
		id, _ := keyID(k[:])
		if !keyIs(k[:], id) {
			t.Fatalf("keyIs(%x, %q) = false", k, id)
		}
		u := uuid.UUID(k)
		for _, other := range []string{u.URN(), "{" + id + "}", id[:35], id + "0"} {
			if keyIs(k[:], other) {
				t.Fatalf("keyIs(%x, %q) = true", k, other)
			}
		}
		j := r.IntN(36)
		b := []byte(id)
		b[j] ^= 0x20 // case flip or '-' <-> '\r'
		if keyIs(k[:], string(b)) {
			t.Fatalf("keyIs(%x, %q) = true", k, b)
		}
	}
}

// FuzzDecodeEventJSON: on any bytes, decodeEventJSON succeeds exactly when
// json.Unmarshal does, with the same Event.
func FuzzDecodeEventJSON(f *testing.F) {
	for _, kr := range seedRecords(f) {
		_, _, body, _ := splitRecord(kr[1])
		f.Add(append([]byte(nil), body...))
	}
	for _, s := range []string{
		`{"id":"a","kind":"burned","burn":{"studies":[],"n":1,"verified":true}}`,
		`{"id":"a","id":"b"}`,                       // repeated key: json keeps the last
		`{"ID":"a"}`,                                // case-insensitive match
		`{"id":"\u0041\n\u2028<&>"}`,                // escapes
		`{"i\u0064":"a"}`,                           // escaped key
		`{"id": "a"}`,                               // white space
		`{"id":"a"} `,                               // trailing space
		`{"id":"a"}x`,                               // trailing garbage
		`{"input":{"copies":1.0}}`,                  // fraction into int
		`{"input":{"copies":9223372036854775808}}`,  // overflow
		`{"input":{"copies":-9223372036854775808}}`, // the smallest int64
		`{"input":{"copies":01}}`,                   // leading zero
		`{"input":null,"fee":{"items":null,"rule":null}}`,
		`{"time":"2024-01-02T08:17:00+01:00","due":null}`,
		`{"time":"2024-13-02T08:17:00Z"}`,
		`{"text":"bad \xff byte"}`,
		`{"text":"ctl ` + "\x01" + `"}`,
		`{"intake":{"mappings":[{"attribute":"PatientID","outside":"1","local":"2"}],"received":"2024-01-02T08:17:00Z"}}`,
		`{"unknown":1}`,
		`[]`, `null`, ``, `{`, `{"id":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got, want Event
		gerr := decodeEventJSON(data, &got)
		werr := json.Unmarshal(data, &want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("decodeEventJSON error %v, json.Unmarshal %v", gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q\n%s", data, cmp.Diff(want, got))
		}
	})
}

// TestVerifyReportsFirstProblemInLogOrder: with an edited body at event 2
// and a broken link at event 4, Verify names event 2, although the link walk
// meets event 4 while event 2 may still be in a worker's batch.
func TestVerifyReportsFirstProblemInLogOrder(t *testing.T) {
	s, _ := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	if _, err := s.RecordBurn(r.ID, burn(1, 1), desk); err != nil {
		t.Fatal(err)
	}
	mustRequest(t, s, mailInput())
	mustRequest(t, s, mailInput())
	mustVerify(t, s)
	tamper(t, s, func(b *buckets) error {
		k := nthKey(b, 1)
		rec := append([]byte(nil), b.events.Get(k)...)
		rec[len(rec)-3] ^= 1
		if err := b.events.Put(k, rec); err != nil {
			return err
		}
		k = nthKey(b, 3)
		rec = append([]byte(nil), b.events.Get(k)...)
		rec[1] ^= 1 // previous hash
		return b.events.Put(k, rec)
	})
	_, err := s.Verify()
	if !errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), "verify event 2 ") || !strings.Contains(err.Error(), "edited event") {
		t.Fatalf("Verify: %v, want the edited event 2", err)
	}
}
