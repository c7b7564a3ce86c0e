package disc

import (
	"cmp"
	"encoding/binary"
	"hash/adler32"
	"math/bits"
	"slices"
)

// webZlib appends to dst a zlib stream (RFC 1950/1951) of the parts
// concatenated: one dynamic Huffman block per part, each byte a literal
// except runs of a repeated byte, which are matches at distance 1. It is
// what the browser viewer's frames need and no more: the delta-coded
// planes have little for a general LZ77 search to find beyond runs (air,
// padding), and a general encoder spends most of its time looking. Every
// inflater reads it (DecompressionStream("deflate"), zlib, the page's own
// inflateJS).
func webZlib(dst []byte, z *webDeflater, parts ...[]byte) []byte {
	dst = append(dst, 0x78, 0x01) // deflate, 32K window, no dictionary, fastest
	w := bitWriter{out: dst}
	sum := adler32.New()
	for i, part := range parts {
		sum.Write(part)
		z.block(&w, part, i == len(parts)-1)
	}
	if len(parts) == 0 {
		z.block(&w, nil, true)
	}
	w.flush()
	return binary.BigEndian.AppendUint32(w.out, sum.Sum32())
}

// webDeflater holds one encoder's scratch; not for concurrent use.
type webDeflater struct {
	runs []webRun // the matches at distance 1, in order
	freq [286]int32
	lit  huffCode
	clen huffCode
}

// webRun is a run of the byte before it: a match at distance 1.
type webRun struct{ at, n int32 }

// Deflate's length codes (RFC 1951 3.2.5).
var (
	lenBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	lenCode  [259]uint8 // match length -> index into lenBase
	clOrder  = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

func init() {
	for c := 0; c < 29; c++ {
		end := 259
		if c < 28 {
			end = int(lenBase[c+1])
		}
		for l := int(lenBase[c]); l < end && l < 259; l++ {
			lenCode[l] = uint8(c)
		}
	}
	lenCode[258] = 28
}

// block codes data as one dynamic Huffman block.
func (z *webDeflater) block(w *bitWriter, data []byte, last bool) {
	// Literals are counted, not stored: only the runs are, and the writer
	// below reads the literals from data again.
	runs := z.runs[:0]
	z.freq = [286]int32{}
	freq := &z.freq
	n := len(data)
	for i := 0; i < n; {
		// Eight literals at a time where none of them can start a run (a
		// run follows a byte repeated three more times): byte k of x is
		// zero where data[i+k] == data[i+k+1], and of y where three such
		// pairs in a row could be.
		if i+9 <= n {
			x := binary.LittleEndian.Uint64(data[i:]) ^ binary.LittleEndian.Uint64(data[i+1:])
			y := x | x>>8 | x>>16
			if (y-0x0101010101010101)&^y&0x8080808080808080 == 0 {
				q := data[i : i+8 : i+8]
				freq[q[0]]++
				freq[q[1]]++
				freq[q[2]]++
				freq[q[3]]++
				freq[q[4]]++
				freq[q[5]]++
				freq[q[6]]++
				freq[q[7]]++
				i += 8
				continue
			}
		}
		b := data[i]
		freq[b]++
		i++
		// Runs of b after the literal: eight bytes at a time.
		pat := uint64(b) * 0x0101010101010101
		for i+8 <= n {
			eq := bits.TrailingZeros64(binary.LittleEndian.Uint64(data[i:])^pat) >> 3
			if eq < 3 {
				break
			}
			j := i + eq
			for eq == 8 && j-i < 258 && j+8 <= n {
				eq = bits.TrailingZeros64(binary.LittleEndian.Uint64(data[j:])^pat) >> 3
				j += eq
			}
			r := min(j-i, 258)
			runs = append(runs, webRun{at: int32(i), n: int32(r)})
			freq[257+int(lenCode[r])]++
			i += r
		}
	}
	z.freq[256] = 1
	z.runs = runs
	z.lit.build(z.freq[:], 15)
	nlit := 286
	for nlit > 257 && z.lit.lens[nlit-1] == 0 {
		nlit--
	}
	// Code lengths of the literal/length code, then two distance codes of
	// one bit each (distance 1 is code 0; code 1 is never sent but makes
	// the code complete).
	lens := make([]uint8, 0, nlit+2)
	lens = append(lens, z.lit.lens[:nlit]...)
	lens = append(lens, 1, 1)
	// Run-length code the lengths (codes 16, 17, 18).
	type clTok struct{ sym, extra uint8 }
	var cl []clTok
	var cfreq [19]int32
	for i := 0; i < len(lens); {
		v := lens[i]
		j := i + 1
		for j < len(lens) && lens[j] == v {
			j++
		}
		r := j - i
		switch {
		case v == 0 && r >= 11:
			r = min(r, 138)
			cl = append(cl, clTok{18, uint8(r - 11)})
		case v == 0 && r >= 3:
			r = min(r, 10)
			cl = append(cl, clTok{17, uint8(r - 3)})
		case v != 0 && r >= 4:
			r = min(r, 7)
			cl = append(cl, clTok{v, 0}, clTok{16, uint8(r - 4)})
		default:
			r = 1
			cl = append(cl, clTok{v, 0})
		}
		i += r
	}
	for _, t := range cl {
		cfreq[t.sym]++
	}
	z.clen.build(cfreq[:], 7)
	nclen := 19
	for nclen > 4 && z.clen.lens[clOrder[nclen-1]] == 0 {
		nclen--
	}
	var bfinal uint64
	if last {
		bfinal = 1
	}
	w.bits(bfinal|2<<1, 3)
	w.bits(uint64(nlit-257), 5)
	w.bits(uint64(2-1), 5)
	w.bits(uint64(nclen-4), 4)
	for i := 0; i < nclen; i++ {
		w.bits(uint64(z.clen.lens[clOrder[i]]), 3)
	}
	for _, t := range cl {
		w.bits(uint64(z.clen.codes[t.sym]), uint(z.clen.lens[t.sym]))
		switch t.sym {
		case 16:
			w.bits(uint64(t.extra), 2)
		case 17:
			w.bits(uint64(t.extra), 3)
		case 18:
			w.bits(uint64(t.extra), 7)
		}
	}
	// The symbols, with the writer's state in registers.
	var enc [256 + 259]uint32 // token -> code | bits<<24 (matches: with extra bits and distance code 0)
	for t := 0; t < 256; t++ {
		enc[t] = uint32(z.lit.codes[t]) | uint32(z.lit.lens[t])<<24
	}
	for l := 3; l <= 258; l++ {
		c := lenCode[l]
		sym := 257 + int(c)
		n := uint32(z.lit.lens[sym]) + uint32(lenExtra[c]) + 1
		enc[256+l] = (uint32(z.lit.codes[sym]) | uint32(l-int(lenBase[c]))<<z.lit.lens[sym]) | n<<24
	}
	acc, nb := w.acc, w.n
	p := len(w.out)
	out := slices.Grow(w.out, 2*n+4*len(runs)+8)[:p+2*n+4*len(runs)+8] // at most 15 bits a literal, 27 a match
	from := 0
	for k := 0; k <= len(runs); k++ {
		to := n
		if k < len(runs) {
			to = int(runs[k].at)
		}
		// Two literals a step: a literal's code is at most 15 bits, so
		// below 32 bits pending, two more still fit the 64-bit register.
		lits := data[from:to]
		for len(lits) >= 2 {
			e1, e2 := enc[lits[0]], enc[lits[1]]
			acc |= uint64(e1&0xffffff) << nb
			nb += uint(e1 >> 24)
			acc |= uint64(e2&0xffffff) << nb
			nb += uint(e2 >> 24)
			if nb >= 32 {
				binary.LittleEndian.PutUint32(out[p:], uint32(acc))
				p += 4
				acc >>= 32
				nb -= 32
			}
			lits = lits[2:]
		}
		for _, c := range lits {
			e := enc[c]
			acc |= uint64(e&0xffffff) << nb
			nb += uint(e >> 24)
			if nb >= 32 {
				binary.LittleEndian.PutUint32(out[p:], uint32(acc))
				p += 4
				acc >>= 32
				nb -= 32
			}
		}
		if k == len(runs) {
			break
		}
		e := enc[256+runs[k].n]
		acc |= uint64(e&0xffffff) << nb
		nb += uint(e >> 24)
		if nb >= 32 {
			binary.LittleEndian.PutUint32(out[p:], uint32(acc))
			p += 4
			acc >>= 32
			nb -= 32
		}
		from = to + int(runs[k].n)
	}
	w.acc, w.n, w.out = acc, nb, out[:p]
	codes, clens := &z.lit.codes, &z.lit.lens
	w.bits(uint64(codes[256]), uint(clens[256]))
}

// huffCode is a canonical Huffman code: lengths and bit-reversed codes
// (deflate sends codes from their first bit, the writer from the lowest).
type huffCode struct {
	lens   [286]uint8
	codes  [286]uint16
	nodes  []huffNode
	f      [286]int64
	leaves []int32
	inner  []int32
}

type huffNode struct {
	freq        int64
	sym         int32 // >= 0: a leaf
	left, right int32
}

// build makes a code of at most limit bits for the symbols with freq > 0
// (at least two get a code, so the code is complete).
func (h *huffCode) build(freq []int32, limit int) {
	f := h.f[:len(freq)]
	used := 0
	for i, v := range freq {
		f[i] = int64(v)
		if v > 0 {
			used++
		}
	}
	for i := 0; used < 2 && i < len(f); i++ {
		if f[i] == 0 {
			f[i] = 1
			used++
		}
	}
	for {
		h.lens = [286]uint8{}
		if h.lengths(f) <= limit {
			break
		}
		for i := range f {
			if f[i] > 0 {
				f[i] = (f[i] + 1) / 2 // flatten the distribution until it fits
			}
		}
	}
	// canonical codes (RFC 1951 3.2.2)
	var count [16]uint16
	for _, l := range h.lens[:len(freq)] {
		count[l]++
	}
	count[0] = 0
	var next [16]uint16
	code := uint16(0)
	for b := 1; b < 16; b++ {
		code = (code + count[b-1]) << 1
		next[b] = code
	}
	for s := range freq {
		l := h.lens[s]
		if l == 0 {
			continue
		}
		c := next[l]
		next[l]++
		var r uint16
		for k := uint8(0); k < l; k++ {
			r = r<<1 | (c>>k)&1
		}
		h.codes[s] = r
	}
}

// lengths fills h.lens from a Huffman tree of f and returns the longest.
func (h *huffCode) lengths(f []int64) int {
	h.nodes = h.nodes[:0]
	leaves := h.leaves[:0]
	for s, v := range f {
		if v > 0 {
			h.nodes = append(h.nodes, huffNode{freq: v, sym: int32(s), left: -1, right: -1})
			leaves = append(leaves, int32(len(h.nodes)-1))
		}
	}
	h.leaves = leaves
	nodes := h.nodes
	slices.SortFunc(leaves, func(a, b int32) int {
		na, nb := nodes[a], nodes[b]
		if na.freq != nb.freq {
			return cmp.Compare(na.freq, nb.freq)
		}
		return cmp.Compare(na.sym, nb.sym)
	})
	// Two queues: the sorted leaves and the internal nodes in the order
	// made (their weights never decrease).
	inner := h.inner[:0]
	li, ii := 0, 0
	pick := func() int32 {
		if li < len(leaves) && (ii >= len(inner) || h.nodes[leaves[li]].freq <= h.nodes[inner[ii]].freq) {
			li++
			return leaves[li-1]
		}
		ii++
		return inner[ii-1]
	}
	for len(leaves)-li+len(inner)-ii > 1 {
		a, b := pick(), pick()
		h.nodes = append(h.nodes, huffNode{freq: h.nodes[a].freq + h.nodes[b].freq, sym: -1, left: a, right: b})
		inner = append(inner, int32(len(h.nodes)-1))
	}
	h.inner = inner
	root := int32(len(h.nodes) - 1)
	longest := 0
	var walk func(n int32, depth int)
	walk = func(n int32, depth int) {
		nd := h.nodes[n]
		if nd.sym >= 0 {
			d := max(depth, 1)
			h.lens[nd.sym] = uint8(min(d, 255))
			longest = max(longest, d)
			return
		}
		walk(nd.left, depth+1)
		walk(nd.right, depth+1)
	}
	walk(root, 0)
	return longest
}

// bitWriter writes bits from the lowest, as deflate packs them.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

// bits writes the k (at most 32) low bits of v.
func (w *bitWriter) bits(v uint64, k uint) {
	w.acc |= v << w.n
	w.n += k
	if w.n >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.acc))
		w.acc >>= 32
		w.n -= 32
	}
}

// flush writes the last bits, padded to a byte.
func (w *bitWriter) flush() {
	for w.n > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= min(w.n, 8)
	}
}
