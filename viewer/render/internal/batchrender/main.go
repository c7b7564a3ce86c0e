// Command batchrender renders frame 0 of every DICOM file in a folder to a
// JPEG with its default window, on all cores. It exists for
// packaging/bench/render_vs_dcmtk.sh.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
)

func main() {
	out := flag.String("out", "", "output folder")
	workers := flag.Int("workers", runtime.NumCPU(), "parallel renders")
	decode := flag.Int("decode", 0, "instead: decode frame 0 of the one file given this many times and print ms per decode")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "batchrender:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *decode > 0 {
		if err := timeDecode(flag.Arg(0), *decode); err != nil {
			fmt.Fprintln(os.Stderr, "batchrender:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(flag.Arg(0), *out, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "batchrender:", err)
		os.Exit(1)
	}
}

func timeDecode(path string, n int) error {
	f, err := dcm.ParseFile(path)
	if err != nil {
		return err
	}
	d, err := render.Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		return err
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := render.Frame(f, d, 0); err != nil {
			return err
		}
	}
	fmt.Printf("%.2f\n", float64(time.Since(start).Microseconds())/1000/float64(n))
	return nil
}

func run(in, out string, workers int) error {
	entries, err := os.ReadDir(in)
	if err != nil {
		return err
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := render.NewExporter()
			for name := range jobs {
				err := x.ExportFile(filepath.Join(in, name), 0, filepath.Join(out, strings.TrimSuffix(name, ".dcm")+".jpg"))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, e := range entries {
		if !e.IsDir() {
			jobs <- e.Name()
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}
