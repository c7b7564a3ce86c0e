package dcm

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// UndefinedLength is the 0xFFFFFFFF length of sequences, items and
// encapsulated pixel data (PS3.5 7.1.1).
const UndefinedLength = 0xFFFFFFFF

// Bounds for input of unknown size (deflated data sets), where a declared
// length cannot be checked against the file: DefaultMaxInflated bounds the
// whole inflated stream (so a small file cannot make a reader inflate
// gigabytes), DefaultMaxHeld the bytes of values kept in memory (so a few
// huge declared values cannot exhaust memory; skipped pixel data is read
// through, not held).
const (
	DefaultMaxInflated = 2 << 30
	DefaultMaxHeld     = 128 << 20
)

// An Element is one data element with its raw value.
type Element struct {
	Tag    Tag
	VR     VR
	Length uint32 // length as encoded (UndefinedLength for undefined)
	Offset int64  // offset of the tag in the (inflated) stream
	// Value holds the raw value bytes in the data set's byte order. It is
	// nil for sequences, for encapsulated pixel data and for skipped pixel
	// data.
	Value []byte
	// Items are the items of a sequence.
	Items []*DataSet
	// Fragments are the items of encapsulated pixel data: the first is the
	// Basic Offset Table (possibly empty), the rest the fragments.
	Fragments []Fragment
	// Skipped is set on pixel data read with SkipPixelData: the value's
	// bytes (or fragments' bytes) were not loaded; ValueOffset and Length
	// (or the Fragments' offsets) locate them in the file.
	Skipped     bool
	ValueOffset int64
}

// A Fragment is one item of encapsulated pixel data.
type Fragment struct {
	Offset int64  // offset of the fragment's bytes in the file
	Length uint32 // byte count
	Data   []byte // nil when skipped
}

// A DataSet is an ordered list of elements.
type DataSet struct {
	Elements  []*Element
	BigEndian bool
	// Offset of the item tag for a sequence item (0 for top level).
	Offset int64
	parent *DataSet
	cs     *Charset // decoded (0008,0005), nil = inherit / default
}

// A File is a parsed Part 10 file.
type File struct {
	Meta    *DataSet
	Syntax  Syntax
	DataSet *DataSet
	// DataSetOffset is where the data set starts (after the meta group).
	DataSetOffset int64
	// Size is the input's size in bytes (-1 when unknown).
	Size int64
	// NoMeta is set for a raw data set without preamble and File Meta
	// Information (PS3.10 7.1 not met): Syntax was inferred from its first
	// bytes and Meta is empty. Writers must add a proper meta group.
	NoMeta bool
	// Padding counts zero bytes after the last element, ignored (seen in
	// real files; dcmtk, GDCM and pydicom read them with a warning).
	Padding int64
	// Inflated is the size of the inflated data set of a deflated file.
	Inflated int64
}

// An Option changes how Parse reads.
type Option func(*options)

type options struct {
	skipPixels  bool
	stopAt      Tag
	maxInflated int64
	maxHeld     int64
	budget      *atomic.Int64
}

// SkipPixelData leaves pixel data (and its fragments) unread: their location
// is recorded so they can be read later from the file.
func SkipPixelData() Option { return func(o *options) { o.skipPixels = true } }

// StopAt stops reading the data set before the first top-level element whose
// tag is >= t.
func StopAt(t Tag) Option { return func(o *options) { o.stopAt = t } }

// MaxInflated bounds the inflated size of a deflated data set (default
// DefaultMaxInflated); a larger stream fails with ErrInflateLimit.
func MaxInflated(n int64) Option { return func(o *options) { o.maxInflated = n } }

// InflateBudget charges every inflated byte to b, shared by several
// parses (an import's files): once it is spent, inflating fails with
// ErrInflateLimit.
func InflateBudget(b *atomic.Int64) Option { return func(o *options) { o.budget = b } }

// ParseFile parses the Part 10 file at path.
func ParseFile(path string, opts ...Option) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return Parse(f, fi.Size(), opts...)
}

// ParseBytes parses a Part 10 file held in memory.
func ParseBytes(b []byte, opts ...Option) (*File, error) {
	return Parse(bytes.NewReader(b), int64(len(b)), opts...)
}

// Parse reads a Part 10 file of size bytes from r (size < 0: unknown). When
// r is an io.Seeker, skipped pixel data is seeked over rather than read.
func Parse(r io.Reader, size int64, opts ...Option) (*File, error) {
	o := options{maxInflated: DefaultMaxInflated, maxHeld: DefaultMaxHeld}
	for _, fn := range opts {
		fn(&o)
	}
	rd := newReader(r, size)
	head, _ := rd.br.Peek(136)
	p := &parser{rd: rd, opts: o}
	switch {
	case len(head) >= 136 && string(head[128:132]) == "DICM" && head[132] == 0x02 && head[133] == 0x00:
		if _, err := rd.br.Discard(132); err != nil {
			return nil, &ParseError{Offset: 0, Err: ErrNotPart10}
		}
		rd.pos = 132
	case len(head) >= 8 && string(head[0:4]) == "DICM" && head[4] == 0x02 && head[5] == 0x00:
		// No preamble, but the prefix and meta group are there.
		rd.br.Discard(4)
		rd.pos = 4
	default:
		if syn, ok := sniffRawDataSet(head); ok {
			return p.rawDataSet(syn, size)
		}
		return nil, &ParseError{Offset: 128, Err: ErrNotPart10}
	}
	meta := &DataSet{}
	// Group 0002 is explicit VR little endian. Its group length is not
	// trusted (real files get it wrong): read while the group is 0002.
	for {
		g, err := rd.peekGroup()
		if err != nil || g != 0x0002 {
			break
		}
		e, err := p.element(meta, false, false, 0)
		if err != nil {
			return nil, err
		}
		meta.Elements = append(meta.Elements, e)
	}
	f := &File{Meta: meta, DataSetOffset: rd.pos, Size: size}
	ts := meta.String(TransferSyntaxUID)
	if ts == "" {
		return nil, &ParseError{Offset: rd.pos, Tag: TransferSyntaxUID, Err: ErrNoTransferSyntax}
	}
	f.Syntax = SyntaxOf(ts)
	var inflated *limitReader
	if f.Syntax.Deflated {
		inflated = &limitReader{r: flate.NewReader(rd.src()), limit: o.maxInflated, budget: o.budget}
		rd = newReader(inflated, -1)
		rd.pos = 0
		rd.maxHeld = o.maxHeld
		p.rd = rd
	}
	ds := &DataSet{BigEndian: f.Syntax.BigEndian}
	err := p.dataSet(ds, f.Syntax.Implicit, f.Syntax.BigEndian, -1, 0, true)
	f.Padding = p.padding
	if inflated != nil {
		f.Inflated = inflated.n
	}
	if err != nil {
		return f, err
	}
	f.DataSet = ds
	return f, nil
}

// limitReader fails with ErrInflateLimit once more than limit bytes came
// through.
type limitReader struct {
	r      io.Reader
	limit  int64
	n      int64
	budget *atomic.Int64
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.n >= l.limit {
		// one byte more tells a stream that ends exactly at the limit
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%w (%d bytes)", ErrInflateLimit, l.limit)
	}
	if int64(len(b)) > l.limit-l.n {
		b = b[:l.limit-l.n]
	}
	n, err := l.r.Read(b)
	l.n += int64(n)
	if l.budget != nil && l.budget.Add(-int64(n)) < 0 {
		return n, fmt.Errorf("%w (the shared budget is spent)", ErrInflateLimit)
	}
	return n, err
}

type parser struct {
	rd      *reader
	opts    options
	padding int64
}

// dataSet reads elements into ds until length bytes are consumed (length < 0:
// until the end of input, or until an item delimiter when inItem).
func (p *parser) dataSet(ds *DataSet, implicit, big bool, length int64, depth int, top bool) error {
	if depth > MaxDepth {
		return &ParseError{Offset: p.rd.pos, Err: ErrTooDeep}
	}
	end := int64(-1)
	if length >= 0 {
		end = p.rd.pos + length
	}
	for {
		if end >= 0 && p.rd.pos >= end {
			if p.rd.pos > end {
				return &ParseError{Offset: p.rd.pos, Err: fmt.Errorf("%w: item overran its length", ErrBadLength)}
			}
			return nil
		}
		if top && p.opts.stopAt != 0 {
			t, err := p.rd.peekTag(big)
			if err == nil && t >= p.opts.stopAt {
				return nil
			}
		}
		if top && end < 0 {
			if b, err := p.rd.br.Peek(4); err == nil && b[0]|b[1]|b[2]|b[3] == 0 {
				// Tag (0000,0000) cannot start a data set element: zero
				// padding after the last element, if zeros run to the end.
				return p.trailingZeros()
			}
		}
		e, err := p.element(ds, implicit, big, depth)
		if err != nil {
			if errors.Is(err, io.EOF) {
				if end < 0 && top {
					return nil // clean end of file between elements
				}
				what := "an undefined-length item"
				if end >= 0 {
					what = fmt.Sprintf("an item declared to end at byte %d", end)
				}
				return &ParseError{Offset: p.rd.pos, Err: fmt.Errorf("%w: end of file inside %s", ErrTruncated, what)}
			}
			return err
		}
		if e.Tag == ItemDelimitationItem {
			if length >= 0 || top {
				return &ParseError{Offset: e.Offset, Tag: e.Tag, Err: fmt.Errorf("%w: item delimiter outside an undefined-length item", ErrBadSequence)}
			}
			return nil
		}
		if e.Tag == SequenceDelimitationItem {
			if top {
				// Stray delimiter at top level (seen in real files): ignore.
				continue
			}
			return &ParseError{Offset: e.Offset, Tag: e.Tag, Err: fmt.Errorf("%w: sequence delimiter inside an item", ErrBadSequence)}
		}
		if e.Tag == SpecificCharacterSet {
			ds.cs = NewCharset(splitValues(trimValue(string(e.Value), e.VR)))
		}
		ds.Elements = append(ds.Elements, e)
	}
}

// trailingZeros reads the rest of the input, which must be zero bytes, and
// records it as padding.
func (p *parser) trailingZeros() error {
	start := p.rd.pos
	buf := make([]byte, 64<<10)
	for {
		n, err := p.rd.Read(buf)
		for i, c := range buf[:n] {
			if c != 0 {
				return &ParseError{Offset: start, Err: fmt.Errorf("%w: zero bytes, then a non-zero byte at %d", ErrTrailingData, p.rd.pos-int64(n)+int64(i))}
			}
		}
		if err == io.EOF {
			p.padding = p.rd.pos - start
			return nil
		}
		if err != nil {
			return &ParseError{Offset: p.rd.pos, Err: err}
		}
	}
}

// element reads one element (and, for sequences, everything inside it).
// At the very start of the input an io.EOF is returned unwrapped.
func (p *parser) element(ds *DataSet, implicit, big bool, depth int) (*Element, error) {
	rd := p.rd
	off := rd.pos
	var hdr [8]byte
	n, err := io.ReadFull(rd, hdr[:4])
	if err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, &ParseError{Offset: off, Err: truncated(err)}
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if big {
		bo = binary.BigEndian
	}
	tag := Tag(uint32(bo.Uint16(hdr[0:2]))<<16 | uint32(bo.Uint16(hdr[2:4])))
	e := &Element{Tag: tag, Offset: off}
	fail := func(err error) (*Element, error) { return nil, &ParseError{Offset: off, Tag: tag, Err: err} }

	if tag.Group() == 0xFFFE {
		// Item, item delimiter, sequence delimiter: always tag + 4-byte length.
		if err := rd.full(hdr[4:8]); err != nil {
			return fail(ErrTruncated)
		}
		e.Length = bo.Uint32(hdr[4:8])
		return e, nil
	}
	if implicit {
		if err := rd.full(hdr[4:8]); err != nil {
			return fail(ErrTruncated)
		}
		e.Length = bo.Uint32(hdr[4:8])
		e.VR = DictVR(tag)
		if e.Length == UndefinedLength && e.VR != "SQ" && tag != PixelData {
			e.VR = "SQ"
		}
	} else {
		if err := rd.full(hdr[4:6]); err != nil {
			return fail(ErrTruncated)
		}
		if !validVR(hdr[4], hdr[5]) {
			return fail(fmt.Errorf("%w %q", ErrBadVR, hdr[4:6]))
		}
		e.VR = VR(hdr[4:6])
		if e.VR.longVR() {
			var l [6]byte
			if err := rd.full(l[:]); err != nil {
				return fail(ErrTruncated)
			}
			e.Length = bo.Uint32(l[2:6])
		} else {
			var l [2]byte
			if err := rd.full(l[:]); err != nil {
				return fail(ErrTruncated)
			}
			e.Length = uint32(bo.Uint16(l[:]))
		}
	}
	e.ValueOffset = rd.pos

	switch {
	case tag == PixelData && e.Length == UndefinedLength:
		if err := p.fragments(e, big); err != nil {
			return nil, err
		}
		return e, nil
	case implicit && e.VR == "SQ" && e.Length != UndefinedLength && e.Length > 0 && !p.startsWithItem(big):
		// The dictionary says SQ but the value is not items (a private or
		// mis-encoded element, seen in real files): keep it as bytes.
		e.VR = "UN"
	case e.VR == "SQ" || (e.VR == "UN" && e.Length == UndefinedLength):
		// A UN of undefined length is a sequence in implicit VR LE (PS3.5 6.2.2).
		childImplicit, childBig := implicit, big
		if e.VR == "UN" {
			childImplicit, childBig = true, false
			e.VR = "SQ"
		}
		if err := p.sequence(ds, e, childImplicit, childBig, depth); err != nil {
			return nil, err
		}
		return e, nil
	case e.Length == UndefinedLength:
		return fail(fmt.Errorf("%w: undefined length on a %s element", ErrBadLength, e.VR))
	}
	if err := rd.fits(int64(e.Length)); err != nil {
		return fail(fmt.Errorf("%w: %d bytes declared, %w", ErrBadLength, e.Length, err))
	}
	if (tag == PixelData || tag == FloatPixelData || tag == DoubleFloatPixelData) && p.opts.skipPixels {
		if err := rd.skip(int64(e.Length)); err != nil {
			return fail(truncated(err))
		}
		e.Skipped = true
		return e, nil
	}
	v, err := rd.read(int64(e.Length))
	if err != nil {
		return fail(truncated(err))
	}
	e.Value = v
	return e, nil
}

func (p *parser) sequence(ds *DataSet, e *Element, implicit, big bool, depth int) error {
	rd := p.rd
	end := int64(-1)
	if e.Length != UndefinedLength {
		if err := rd.fits(int64(e.Length)); err != nil {
			return &ParseError{Offset: e.Offset, Tag: e.Tag, Err: fmt.Errorf("%w: sequence of %d bytes, %w", ErrBadLength, e.Length, err)}
		}
		end = rd.pos + int64(e.Length)
	}
	for {
		if end >= 0 && rd.pos >= end {
			if rd.pos > end {
				return &ParseError{Offset: rd.pos, Tag: e.Tag, Err: fmt.Errorf("%w: items overran the sequence length", ErrBadSequence)}
			}
			return nil
		}
		it, err := p.element(ds, true, big, depth) // item tags read like implicit
		if err != nil {
			if errors.Is(err, io.EOF) {
				return &ParseError{Offset: rd.pos, Tag: e.Tag, Err: ErrTruncated}
			}
			return err
		}
		switch it.Tag {
		case SequenceDelimitationItem:
			if end >= 0 {
				return &ParseError{Offset: it.Offset, Tag: e.Tag, Err: fmt.Errorf("%w: delimiter in a defined-length sequence", ErrBadSequence)}
			}
			return nil
		case Item:
			item := &DataSet{BigEndian: big, Offset: it.Offset, parent: ds}
			l := int64(-1)
			if it.Length != UndefinedLength {
				l = int64(it.Length)
				if err := rd.fits(l); err != nil {
					return &ParseError{Offset: it.Offset, Tag: e.Tag, Err: fmt.Errorf("%w: item of %d bytes, %w", ErrBadLength, it.Length, err)}
				}
			}
			if err := p.dataSet(item, implicit, big, l, depth+1, false); err != nil {
				return err
			}
			e.Items = append(e.Items, item)
		default:
			return &ParseError{Offset: it.Offset, Tag: e.Tag, Err: fmt.Errorf("%w: found %s where an item was expected", ErrBadSequence, it.Tag)}
		}
	}
}

func (p *parser) fragments(e *Element, big bool) error {
	rd := p.rd
	for {
		var hdr [8]byte
		off := rd.pos
		if err := rd.full(hdr[:]); err != nil {
			return &ParseError{Offset: off, Tag: e.Tag, Err: ErrTruncated}
		}
		var bo binary.ByteOrder = binary.LittleEndian
		if big {
			bo = binary.BigEndian
		}
		t := Tag(uint32(bo.Uint16(hdr[0:2]))<<16 | uint32(bo.Uint16(hdr[2:4])))
		l := bo.Uint32(hdr[4:8])
		switch t {
		case SequenceDelimitationItem:
			if p.opts.skipPixels {
				e.Skipped = true
			}
			return nil
		case Item:
		default:
			return &ParseError{Offset: off, Tag: e.Tag, Err: fmt.Errorf("%w: found %s where a pixel data fragment was expected", ErrBadSequence, t)}
		}
		if l == UndefinedLength {
			return &ParseError{Offset: off, Tag: e.Tag, Err: fmt.Errorf("%w: fragment of undefined length", ErrBadLength)}
		}
		if err := rd.fits(int64(l)); err != nil {
			return &ParseError{Offset: off, Tag: e.Tag, Err: fmt.Errorf("%w: fragment of %d bytes, %w", ErrBadLength, l, err)}
		}
		fr := Fragment{Offset: rd.pos, Length: l}
		if p.opts.skipPixels {
			if err := rd.skip(int64(l)); err != nil {
				return &ParseError{Offset: off, Tag: e.Tag, Err: truncated(err)}
			}
		} else {
			b, err := rd.read(int64(l))
			if err != nil {
				return &ParseError{Offset: off, Tag: e.Tag, Err: truncated(err)}
			}
			fr.Data = b
		}
		e.Fragments = append(e.Fragments, fr)
	}
}

// truncated is the error for a read that came up short: the inflate limit
// when that was the cause, else ErrTruncated.
func truncated(err error) error {
	if errors.Is(err, ErrInflateLimit) {
		return err
	}
	return ErrTruncated
}

// reader tracks the position in the stream and the bytes left.
type reader struct {
	br   *bufio.Reader
	raw  io.Reader
	pos  int64
	size int64 // -1 unknown
	// for unknown sizes: bytes of values held so far, and the bound
	held, maxHeld int64
}

func newReader(r io.Reader, size int64) *reader {
	return &reader{br: bufio.NewReaderSize(r, 64<<10), raw: r, size: size}
}

func (r *reader) Read(b []byte) (int, error) {
	n, err := r.br.Read(b)
	r.pos += int64(n)
	return n, err
}

func (r *reader) full(b []byte) error {
	_, err := io.ReadFull(r, b)
	return err
}

// src is the rest of the stream, buffered bytes first.
func (r *reader) src() io.Reader { return r.br }

func (r *reader) fits(n int64) error {
	if r.size >= 0 {
		if left := r.size - r.pos; n > left {
			return fmt.Errorf("only %d bytes left", left)
		}
		return nil
	}
	return nil
}

func (r *reader) read(n int64) ([]byte, error) {
	if err := r.fits(n); err != nil {
		return nil, err
	}
	if r.maxHeld > 0 && n > r.maxHeld-r.held {
		return nil, fmt.Errorf("%w: its values would hold over %d MiB in memory", ErrInflateLimit, r.maxHeld>>20)
	}
	if r.size < 0 {
		// Unknown size: grow with what arrives, so a declared length the
		// stream never delivers allocates nothing.
		r.held += n
		var buf bytes.Buffer
		if n > 1<<20 {
			buf.Grow(1 << 20)
		}
		m, err := io.CopyN(&buf, r, n)
		if err == nil && m < n {
			err = io.ErrUnexpectedEOF
		}
		return buf.Bytes(), err
	}
	b := make([]byte, n)
	if err := r.full(b); err != nil {
		return nil, err
	}
	return b, nil
}

func (r *reader) skip(n int64) error {
	if n <= int64(r.br.Buffered()) {
		_, err := r.br.Discard(int(n))
		r.pos += n
		return err
	}
	if s, ok := r.raw.(io.Seeker); ok && r.size >= 0 {
		target := r.pos + n
		if _, err := s.Seek(target, io.SeekStart); err == nil {
			r.br.Reset(r.raw)
			r.pos = target
			return nil
		}
	}
	d, err := io.CopyN(io.Discard, r.br, n)
	r.pos += d
	return err
}

func (r *reader) peekGroup() (uint16, error) {
	b, err := r.br.Peek(2)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

func (r *reader) peekTag(big bool) (Tag, error) {
	b, err := r.br.Peek(4)
	if err != nil {
		return 0, err
	}
	if big {
		return Tag(uint32(binary.BigEndian.Uint16(b))<<16 | uint32(binary.BigEndian.Uint16(b[2:]))), nil
	}
	return Tag(uint32(binary.LittleEndian.Uint16(b))<<16 | uint32(binary.LittleEndian.Uint16(b[2:]))), nil
}

// sniffRawDataSet recognises a data set written without preamble and meta:
// its first element is in group 0008 (or 0000-0010) with a plausible
// encoding.
func sniffRawDataSet(b []byte) (Syntax, bool) {
	if len(b) < 8 {
		return Syntax{}, false
	}
	gLE := binary.LittleEndian.Uint16(b)
	gBE := binary.BigEndian.Uint16(b)
	explicit := validVR(b[4], b[5])
	switch {
	case gLE >= 0x0008 && gLE <= 0x0010 && explicit:
		return SyntaxOf(ExplicitVRLittleEndian), true
	case gLE >= 0x0008 && gLE <= 0x0010:
		return SyntaxOf(ImplicitVRLittleEndian), true
	case gBE >= 0x0008 && gBE <= 0x0010 && explicit:
		return SyntaxOf(ExplicitVRBigEndian), true
	}
	return Syntax{}, false
}

func (p *parser) rawDataSet(syn Syntax, size int64) (*File, error) {
	f := &File{Meta: &DataSet{}, Syntax: syn, Size: size, NoMeta: true}
	ds := &DataSet{BigEndian: syn.BigEndian}
	if err := p.dataSet(ds, syn.Implicit, syn.BigEndian, -1, 0, true); err != nil {
		return nil, err
	}
	if ds.String(SOPClassUID) == "" || ds.String(SOPInstanceUID) == "" {
		return nil, &ParseError{Offset: 0, Err: fmt.Errorf("%w; the raw data set has no SOP Class/Instance UID", ErrNotPart10)}
	}
	f.DataSet = ds
	return f, nil
}

func (p *parser) startsWithItem(big bool) bool {
	t, err := p.rd.peekTag(big)
	return err == nil && t == Item
}
