package intake

// SendersHeld is how many studies the receiver remembers a sender for.
func SendersHeld(r *Receiver) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.senders)
}
