package handoff

// These two helpers let another storage backend (the facility database,
// package app/facility) keep the same log: the same record bytes and hash
// chain, and the same workflow rules, as this package's bbolt store.

// EncodeRecord returns the stored record of ev under key (the event's
// 16-byte UUID), chained to prev (the previous record's hash, or 32 zero
// bytes for the first), and the record's own hash. DecodeRecord reads it.
func EncodeRecord(prev, key []byte, ev *Event) ([]byte, [32]byte, error) {
	return encodeRecord(prev, key, ev)
}

// Apply returns the state of a request after ev; r is the state before (nil
// for a "requested" or "outside-received" event). It is the rule writes and
// Verify use.
func Apply(r *Request, ev *Event) (*Request, error) { return apply(r, ev) }
