package cli

import (
	"discdesk/app/library"
)

// Library opens the study library of the data folder (once per command).
func (e *Env) Library() (*library.Library, error) {
	if e.lib != nil {
		return e.lib, nil
	}
	db, err := e.DB()
	if err != nil {
		return nil, err
	}
	dir, err := e.DataDir()
	if err != nil {
		return nil, err
	}
	l, err := library.Open(db, dir)
	if err != nil {
		return nil, err
	}
	e.lib = l
	return l, nil
}
