package discview

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"discdesk/viewer/study"
)

// AppID is the Fyne application ID: preferences and storage live in the
// user's configuration folder under it, never on the disc.
const AppID = "org.discdesk.discviewer"

// ErrNoDisc means neither the argument nor the executable's folder (or its
// parent) holds a DICOMDIR or DICOM files.
var ErrNoDisc = errors.New("no DICOM disc found")

// Locate returns what to open: args[0] when given, else the folder of the
// executable or its parent (the viewer sits in its own folder on the disc),
// whichever has a DICOMDIR.
func Locate(args []string) (string, error) {
	if len(args) > 0 && args[0] != "" {
		return args[0], nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locate disc: %w", err)
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	dir := filepath.Dir(exe)
	for _, d := range []string{dir, filepath.Dir(dir)} {
		for _, n := range []string{"DICOMDIR", "dicomdir", "DICOMDIR."} {
			if _, err := os.Stat(filepath.Join(d, n)); err == nil {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("locate disc beside %s: %w", dir, ErrNoDisc)
}

// Run opens the disc (see Locate) and runs the viewer window until it is
// closed.
func Run(args []string) error {
	a := fyneapp.NewWithID(AppID)
	w := a.NewWindow("Disc viewer")
	w.Resize(fyne.NewSize(1100, 750))
	src, err := Locate(args)
	var d *study.Disc
	if err == nil {
		d, err = study.Open(src)
	}
	if err != nil {
		msg := widget.NewLabel("No images could be opened.\n\n" + err.Error() +
			"\n\nStart the viewer from the disc, or give it a folder, DICOMDIR or ISO image.")
		msg.Wrapping = fyne.TextWrapWord
		w.SetContent(msg)
		w.ShowAndRun()
		return err
	}
	defer d.Close()
	s := NewScreen(a, d)
	w.SetContent(s.Content)
	w.SetOnClosed(s.Close)
	s.ShowFirst()
	// Keys reach the image without a click first.
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { s.Panes[s.Target].Viewer.TypedKey(ev) })
	w.Canvas().SetOnTypedRune(func(r rune) { s.Panes[s.Target].Viewer.TypedRune(r) })
	s.Focus()
	w.ShowAndRun()
	return nil
}
