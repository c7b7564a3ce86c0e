package study

import (
	"fmt"
	"sync"

	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
)

// DefaultMaxCache caps a Stack's decoded-frame cache when no budget is
// given: the whole series is kept when it fits.
const DefaultMaxCache = 1 << 30

// A Stack is the frames of a series' images in instance order (every frame
// of a multi-frame instance in turn), loaded on demand and in the
// background into a cache of decoded frames bounded by a byte budget.
// Its methods are safe for concurrent use.
type Stack struct {
	disc   *Disc
	insts  []*Instance
	budget int64 // 0: derived from the first frame's size

	mu      sync.Mutex
	counts  []int // frames per instance (1 until known)
	starts  []int // flat index of each instance's first frame
	infos   map[int]*FrameInfo
	held    map[int]*dcm.File // parsed multi-frame files kept for their frames
	heldOrd []int
	heldSz  map[int]int64
	cache   map[int]*Frame // by flat index
	used    int64
	cursor  int
	failed  map[int]error
	closed  bool
	wake    chan struct{}
	done    chan struct{}

	// OnLoad, when set before Start, is called from the background loader
	// after each frame it loads (never with the Stack's lock held).
	OnLoad func(index int)
	// OnLayout, when set, is called when the number of frames changes
	// (a multi-frame instance was found while loading).
	OnLayout func(n int)
}

// NewStack makes the stack of images. budget bounds the bytes of decoded
// frames kept (plus multi-frame files held while their frames are
// decoded); 0 means the series' decoded size, capped at DefaultMaxCache.
func NewStack(d *Disc, images []*Instance, budget int64) *Stack {
	s := &Stack{disc: d, insts: images, budget: budget, infos: map[int]*FrameInfo{}, held: map[int]*dcm.File{},
		heldSz: map[int]int64{}, cache: map[int]*Frame{}, failed: map[int]error{}, wake: make(chan struct{}, 1)}
	s.counts = make([]int, len(images))
	for i, in := range images {
		s.counts[i] = max(1, in.Frames)
	}
	s.layout()
	return s
}

func (s *Stack) layout() {
	s.starts = make([]int, len(s.counts)+1)
	for i, c := range s.counts {
		s.starts[i+1] = s.starts[i] + c
	}
}

// Len is the number of frames (it can grow once multi-frame instances
// are read).
func (s *Stack) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts[len(s.counts)]
}

// Instances returns the stack's instances.
func (s *Stack) Instances() []*Instance { return s.insts }

// locate maps a flat index to (instance, frame). Caller holds mu.
func (s *Stack) locate(i int) (int, int, bool) {
	if i < 0 || i >= s.starts[len(s.counts)] {
		return 0, 0, false
	}
	lo, hi := 0, len(s.counts)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if s.starts[m] <= i {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo, i - s.starts[lo], true
}

// Peek returns frame i when it is cached, else nil. It never blocks on
// I/O.
func (s *Stack) Peek(i int) *Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cache[i]
}

// Cached reports how many frames are cached and their bytes.
func (s *Stack) Cached() (frames int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cache), s.used
}

// Budget is the cache's byte bound (known once a frame was loaded when it
// was derived).
func (s *Stack) Budget() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.budget
}

// SetCursor says which frame is on screen: the background loader works
// outward from it and eviction drops the farthest frames first.
func (s *Stack) SetCursor(i int) {
	s.mu.Lock()
	s.cursor = i
	s.mu.Unlock()
	s.poke()
}

func (s *Stack) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Get returns frame i, loading it on the calling goroutine when it is not
// cached.
func (s *Stack) Get(i int) (*Frame, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if f := s.cache[i]; f != nil {
		s.mu.Unlock()
		return f, nil
	}
	s.mu.Unlock()
	return s.load(i)
}

// load decodes frame i and caches it.
func (s *Stack) load(i int) (*Frame, error) {
	s.mu.Lock()
	ii, fr, ok := s.locate(i)
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("stack frame %d of %d: %w", i, s.starts[len(s.counts)], render.ErrNoFrame)
	}
	if err := s.failed[i]; err != nil {
		s.mu.Unlock()
		return nil, err
	}
	in := s.insts[ii]
	file := s.held[ii]
	info := s.infos[ii]
	s.mu.Unlock()

	var (
		data []byte
		err  error
	)
	if file == nil || info == nil {
		file, err = s.disc.Parse(in)
		if err == nil {
			var d *render.Description
			d, err = render.Describe(file.DataSet, file.Syntax.UID)
			if err == nil {
				info = infoOf(in, file.DataSet, d)
			}
		}
	}
	if err == nil {
		var d render.Description = *info.Desc
		data, err = render.Frame(file, &d, fr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("load %s frame %d: %w", in.Path, fr, err)
		s.failed[i] = err
		return nil, err
	}
	if s.infos[ii] == nil {
		s.infos[ii] = info
	} else {
		info = s.infos[ii]
	}
	n := info.Desc.NumberOfFrames
	if n != s.counts[ii] {
		s.counts[ii] = n
		s.layout()
		s.rekey()
		i = s.starts[ii] + fr
		if s.OnLayout != nil {
			go s.OnLayout(s.starts[len(s.counts)])
		}
	}
	if s.budget == 0 {
		s.budget = min(int64(len(data))*int64(s.starts[len(s.counts)]), DefaultMaxCache)
	}
	if n > 1 && s.held[ii] == nil {
		s.hold(ii, file)
	}
	f := &Frame{Info: &FrameInfo{}, Data: data}
	*f.Info = *info
	f.Info.Frame = fr
	if old := s.cache[i]; old != nil {
		return old, nil
	}
	s.cache[i] = f
	s.used += int64(len(data))
	s.evict(i)
	return f, nil
}

// hold keeps a parsed multi-frame file (at most two), counting its pixel
// bytes against the budget.
func (s *Stack) hold(ii int, f *dcm.File) {
	var sz int64
	if pix := f.DataSet.Get(dcm.PixelData); pix != nil {
		sz = int64(len(pix.Value))
		for _, fr := range pix.Fragments {
			sz += int64(len(fr.Data))
		}
	}
	s.held[ii], s.heldSz[ii] = f, sz
	s.heldOrd = append(s.heldOrd, ii)
	s.used += sz
	for len(s.heldOrd) > 2 {
		old := s.heldOrd[0]
		s.heldOrd = s.heldOrd[1:]
		s.used -= s.heldSz[old]
		delete(s.held, old)
		delete(s.heldSz, old)
	}
}

// rekey re-files cached frames after the layout changed. Caller holds mu.
func (s *Stack) rekey() {
	old := s.cache
	s.cache = make(map[int]*Frame, len(old))
	for _, f := range old {
		for ii, in := range s.insts {
			if in == f.Info.Instance {
				s.cache[s.starts[ii]+f.Info.Frame] = f
			}
		}
	}
	s.failed = map[int]error{}
}

// evict drops the frames farthest from the cursor until the cache fits its
// budget, never the frame just loaded. Caller holds mu.
func (s *Stack) evict(keep int) {
	for s.used > s.budget && len(s.cache) > 1 {
		far, fd := -1, -1
		for i := range s.cache {
			if i == keep {
				continue
			}
			if d := abs(i - s.cursor); d > fd {
				far, fd = i, d
			}
		}
		if far < 0 {
			return
		}
		s.used -= int64(len(s.cache[far].Data))
		delete(s.cache, far)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// next picks the frame the background loader should load, or -1 when the
// cache is full of frames nearer the cursor than any missing one.
// Caller holds mu.
func (s *Stack) next() int {
	n := s.starts[len(s.counts)]
	far := -1
	for i := range s.cache {
		far = max(far, abs(i-s.cursor))
	}
	for d := 0; d < n; d++ {
		for _, i := range [2]int{s.cursor + d, s.cursor - d} {
			if i < 0 || i >= n || s.cache[i] != nil || s.failed[i] != nil {
				continue
			}
			if s.budget > 0 && s.used >= s.budget && d >= far {
				return -1
			}
			if s.budget > 0 && s.used+s.frameSize() > s.budget && d >= far {
				return -1
			}
			return i
		}
	}
	return -1
}

func (s *Stack) frameSize() int64 {
	for _, f := range s.cache {
		return int64(len(f.Data))
	}
	return 0
}

// Start runs the background loader until Close. It loads frames outward
// from the cursor while the budget allows.
func (s *Stack) Start() {
	s.mu.Lock()
	if s.done != nil || s.closed {
		s.mu.Unlock()
		return
	}
	s.done = make(chan struct{})
	s.mu.Unlock()
	go func() {
		defer close(s.done)
		for {
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				return
			}
			i := s.next()
			s.mu.Unlock()
			if i < 0 {
				<-s.wake
				continue
			}
			if _, err := s.load(i); err == nil && s.OnLoad != nil {
				s.OnLoad(i)
			}
		}
	}()
}

// Close stops the background loader and drops the cache.
func (s *Stack) Close() {
	s.mu.Lock()
	s.closed = true
	s.cache, s.held, s.used = map[int]*Frame{}, map[int]*dcm.File{}, 0
	done := s.done
	s.mu.Unlock()
	s.poke()
	if done != nil {
		<-done
	}
}
