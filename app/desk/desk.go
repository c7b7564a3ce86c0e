package desk

import (
	"context"

	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/cli"
)

func init() {
	cli.GUI = Run
}

// Run opens the desk window and blocks until it is closed.
func Run(ctx context.Context, env *cli.Env, args []string) error {
	a := fyneapp.NewWithID("org.discdesk.desk")
	w := a.NewWindow("DiscDesk")
	w.SetContent(widget.NewLabel("DiscDesk"))
	w.ShowAndRun()
	return nil
}
