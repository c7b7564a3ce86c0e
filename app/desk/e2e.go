//go:build e2e

package desk

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// This file is the end-to-end test's automation hook. It is compiled only
// with the build tag e2e (the test builds the binary with -tags e2e); the
// shipped desk has the no-op in e2e_off.go instead, so no environment
// variable can make a released kiosk perform scripted clicks.

// e2eEnv names the test-only automation hook. When set, the desk reads
// commands (from standard input when the value is "stdin", else from the
// file it names) and performs them through the same widget callbacks a
// person's clicks and typing reach, answering each on standard output with
// "e2e ok CMD [VALUE]" or "e2e error CMD: REASON". The end-to-end test
// drives the real binary under Xvfb with it.
const e2eEnv = "DISCDESK_E2E_SCRIPT"

func (d *Desk) runE2E(ctx context.Context, script string, out io.Writer) {
	var in io.Reader = os.Stdin
	if script != "stdin" {
		f, err := os.Open(script)
		if err != nil {
			fmt.Fprintf(out, "e2e error open: %v\n", err)
			return
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() && ctx.Err() == nil {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		val, err := d.e2eStep(ctx, line)
		cmd, _, _ := strings.Cut(line, " ")
		if err != nil {
			fmt.Fprintf(out, "e2e error %s: %v\n", cmd, err)
			continue
		}
		fmt.Fprintf(out, "e2e ok %s %s\n", cmd, val)
	}
}

// e2eStep performs one command.
func (d *Desk) e2eStep(ctx context.Context, line string) (string, error) {
	f := strings.Fields(line)
	arg := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	rest := func(i int) string {
		if i >= len(f) {
			return ""
		}
		return strings.Join(f[i:], " ")
	}
	switch f[0] {
	case "wait": // wait NAME [TEXT]: until the widget exists (and its text contains TEXT)
		deadline := time.Now().Add(180 * time.Second) // a burn on a loaded machine
		for time.Now().Before(deadline) {
			var txt string
			var ok bool
			fyne.DoAndWait(func() { txt, ok = d.textOf(arg(1)) })
			if ok && strings.Contains(txt, rest(2)) {
				return txt, nil
			}
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		return "", fmt.Errorf("timed out waiting for %s %q", arg(1), rest(2))
	case "first": // first PREFIX: the first registered name with the prefix
		keys := d.NamedKeys(arg(1))
		if len(keys) == 0 {
			return "", fmt.Errorf("no widget named %s*", arg(1))
		}
		return keys[0], nil
	case "sleep":
		ms := 0
		fmt.Sscan(arg(1), &ms)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return "", nil
	case "tab": // tab TITLE: show a staff tab
		fyne.DoAndWait(func() { d.selectTab(rest(1)) })
		return "", nil
	case "quit":
		fyne.Do(func() { d.app.Quit() })
		return "", nil
	case "size": // size: the window's canvas and its content's minimum, "WxH MINWxMINH"
		var val string
		fyne.DoAndWait(func() {
			c := d.win.Canvas()
			sz, min := c.Size(), c.Content().MinSize()
			val = fmt.Sprintf("%.0fx%.0f %.0fx%.0f", sz.Width, sz.Height, min.Width, min.Height)
		})
		return val, nil
	case "has": // has NAME: "yes" when the widget is on screen, else "no"
		var ok bool
		fyne.DoAndWait(func() { ok = d.Named(arg(1)) != nil })
		if ok {
			return "yes", nil
		}
		return "no", nil
	}
	var err error
	var val string
	fyne.DoAndWait(func() {
		o := d.Named(arg(1))
		if o == nil {
			err = fmt.Errorf("no widget named %s", arg(1))
			return
		}
		switch f[0] {
		case "tap":
			switch w := o.(type) {
			case *widget.Button:
				if w.Disabled() {
					err = fmt.Errorf("%s is disabled", arg(1))
					return
				}
				w.OnTapped()
			case *widget.Check:
				w.SetChecked(!w.Checked)
			default:
				err = fmt.Errorf("%s cannot be tapped", arg(1))
			}
		case "type":
			e, ok := o.(*widget.Entry)
			if !ok {
				err = fmt.Errorf("%s is not an entry", arg(1))
				return
			}
			e.SetText(strings.ReplaceAll(rest(2), `\n`, "\n"))
		case "select":
			s, ok := o.(*widget.Select)
			if !ok {
				err = fmt.Errorf("%s is not a choice", arg(1))
				return
			}
			s.SetSelected(rest(2))
		case "text":
			val, _ = d.textOf(arg(1))
		case "reveal": // reveal NAME: scroll the widget's scroller so it is on screen
			root := d.win.Canvas().Content()
			if d.tabs != nil && d.tabs.Selected() != nil {
				root = d.tabs.Selected().Content // the tabs are a widget: start below them
			}
			if !reveal(root, o) {
				err = fmt.Errorf("%s is in no scroller", arg(1))
			}
		default:
			err = fmt.Errorf("unknown command %q", f[0])
		}
	})
	return val, err
}

// reveal scrolls the innermost scroller holding target so that target's
// top is in view; false when no scroller holds it. It looks through
// containers and scrollers only (a widget's insides are its renderer's).
func reveal(root, target fyne.CanvasObject) bool {
	var path []fyne.CanvasObject
	var find func(o fyne.CanvasObject) bool
	find = func(o fyne.CanvasObject) bool {
		path = append(path, o)
		if o == target {
			return true
		}
		var kids []fyne.CanvasObject
		switch x := o.(type) {
		case *fyne.Container:
			kids = x.Objects
		case *container.Scroll:
			kids = []fyne.CanvasObject{x.Content}
		case *container.Split:
			kids = []fyne.CanvasObject{x.Leading, x.Trailing}
		case *container.ThemeOverride:
			kids = []fyne.CanvasObject{x.Content}
		}
		for _, k := range kids {
			if find(k) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if !find(root) {
		return false
	}
	for i := len(path) - 1; i >= 0; i-- {
		sc, ok := path[i].(*container.Scroll)
		if !ok {
			continue
		}
		var y float32 // target's top within the scroller's content
		for _, o := range path[i+2:] {
			y += o.Position().Y
		}
		sc.Offset.Y = max(0, min(y-8, sc.Content.MinSize().Height-sc.Size().Height))
		sc.Refresh()
		return true
	}
	return false
}

// textOf is a named widget's visible text.
func (d *Desk) textOf(key string) (string, bool) {
	switch w := d.Named(key).(type) {
	case *widget.Label:
		return w.Text, true
	case *widget.Entry:
		return w.Text, true
	case *widget.Button:
		return w.Text, true
	case *widget.Check:
		return fmt.Sprint(w.Checked), true
	case *widget.Select:
		return w.Selected, true
	case nil:
		return "", false
	default:
		return "", true
	}
}
