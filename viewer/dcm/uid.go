package dcm

import (
	"errors"
	"fmt"
)

// ErrBadUID means a UID value breaks PS3.5 9.1: empty, longer than 64
// characters, or not dot-separated decimal components.
var ErrBadUID = errors.New("not a valid UID")

// CheckUID reports whether s is a UID as PS3.5 9.1 defines it: digits in
// dot-separated components, at most 64 characters. Components with a
// leading zero are tolerated (real files carry them, and they still name
// one object uniquely); anything else, such as letters, spaces or bytes
// like 0xFF, is an ErrBadUID naming the first bad character.
func CheckUID(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty", ErrBadUID)
	case len(s) > 64:
		return fmt.Errorf("%w: %d characters, over 64", ErrBadUID, len(s))
	}
	comp := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			comp++
		case c == '.':
			if comp == 0 {
				return fmt.Errorf("%w: empty component at character %d", ErrBadUID, i+1)
			}
			comp = 0
		default:
			return fmt.Errorf("%w: byte 0x%02X at character %d", ErrBadUID, c, i+1)
		}
	}
	if comp == 0 {
		return fmt.Errorf("%w: ends with a dot", ErrBadUID)
	}
	return nil
}
