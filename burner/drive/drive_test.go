package drive_test

import (
	"os"
	"path/filepath"
	"testing"

	"discdesk/burner/drive"
	"discdesk/burner/drive/drivetest"
	"discdesk/burner/drive/iso9660"
)

// flipInImage flips one byte of discPath's data inside the ISO image file.
func flipInImage(t *testing.T, image, discPath string) {
	t.Helper()
	f, err := os.OpenFile(image, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	im, err := iso9660.Open(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range im.Files() {
		if e.Path == discPath {
			b := make([]byte, 1)
			off := e.Offset + e.Size/2
			f.ReadAt(b, off)
			b[0] ^= 0x01
			if _, err := f.WriteAt(b, off); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s not in %s", discPath, image)
}

func open(t *testing.T, spec string, opt drive.Options) drive.Drive {
	t.Helper()
	d, err := drive.Open(spec, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", spec, err)
	}
	return d
}

func TestSuiteXorrisoStdio(t *testing.T) {
	drivetest.Suite(t, drivetest.Harness{
		New: func(t *testing.T, opt drive.Options) drive.Drive {
			return open(t, "stdio:"+filepath.Join(t.TempDir(), "disc.iso"), opt)
		},
		Corrupt: func(t *testing.T, d drive.Drive, p string) {
			flipInImage(t, d.Info().Spec[len("stdio:"):], p)
		},
		Fault: func(t *testing.T, f drivetest.Fault) drive.Drive {
			switch f {
			case drivetest.ToolMissing:
				return open(t, "stdio:"+filepath.Join(t.TempDir(), "disc.iso"), drive.Options{Xorriso: "/nonexistent/xorriso"})
			case drivetest.NoDrive:
				return open(t, "stdio:/nonexistent/folder/disc.iso", drive.Options{})
			case drivetest.WriteError:
				return open(t, "stdio:/dev/full", drive.Options{}) // ENOSPC part way: a real write error
			}
			return nil
		},
	})
}

func TestSuiteISOFile(t *testing.T) {
	drivetest.Suite(t, drivetest.Harness{
		New: func(t *testing.T, opt drive.Options) drive.Drive {
			return open(t, "iso:"+filepath.Join(t.TempDir(), "disc.iso"), opt)
		},
		Corrupt: func(t *testing.T, d drive.Drive, p string) {
			flipInImage(t, d.Info().Spec[len("iso:"):], p)
		},
		Fault: func(t *testing.T, f drivetest.Fault) drive.Drive {
			switch f {
			case drivetest.ToolMissing:
				return open(t, "iso:"+filepath.Join(t.TempDir(), "disc.iso"), drive.Options{Xorriso: "/nonexistent/xorriso"})
			case drivetest.NoDrive:
				return open(t, "iso:/nonexistent/folder/disc.iso", drive.Options{})
			}
			return nil
		},
	})
}

func folderHarness(kind string) drivetest.Harness {
	return drivetest.Harness{
		New: func(t *testing.T, opt drive.Options) drive.Drive {
			p := filepath.Join(t.TempDir(), "target")
			if kind == "usb" {
				os.Mkdir(p, 0o700)
				os.Mkdir(filepath.Join(p, "System Volume Information"), 0o700)
			}
			return open(t, kind+":"+p, opt)
		},
		Corrupt: func(t *testing.T, d drive.Drive, p string) {
			name := filepath.Join(d.Info().Spec[len(kind)+1:], filepath.FromSlash(p))
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 1
			if err := os.WriteFile(name, b, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		Fault: func(t *testing.T, f drivetest.Fault) drive.Drive {
			switch {
			case f == drivetest.NoDrive && kind == "dir":
				return open(t, "dir:/nonexistent/folder/target", drive.Options{})
			case f == drivetest.NoMedia && kind == "usb":
				return open(t, "usb:"+filepath.Join(t.TempDir(), "not-mounted"), drive.Options{})
			}
			return nil
		},
	}
}

func TestSuiteFolder(t *testing.T) { drivetest.Suite(t, folderHarness("dir")) }
func TestSuiteUSB(t *testing.T)    { drivetest.Suite(t, folderHarness("usb")) }

func TestSuiteFake(t *testing.T) {
	drivetest.Suite(t, drivetest.Harness{
		New: func(t *testing.T, opt drive.Options) drive.Drive {
			f := drivetest.NewFake(t.Name(), drivetest.NoFault)
			if opt.Capacity > 0 {
				f.Capacity = opt.Capacity
				f.InsertBlank()
			}
			return f
		},
		Corrupt: func(t *testing.T, d drive.Drive, p string) { d.(*drivetest.Fake).FlipByte(p) },
		Fault: func(t *testing.T, f drivetest.Fault) drive.Drive {
			return drivetest.NewFake(t.Name(), f)
		},
	})
}
