// Package staff owns who may use the desk: staff members with roles (front
// desk, technologist, supervisor), their sign-in PINs hashed with argon2id
// (RFC 9106, the "second recommended" parameters t=1, 64 MiB, p=2 by
// default), the lockout after repeated wrong PINs, and the patient kiosk's
// sign-in with a request code and a birth date, with its own lockout.
//
// It is a domain package: the desk's screens call it, it never imports Fyne.
// Members live in the "staff" bucket of the desk's bbolt store; a PIN is
// never stored, only its salted hash.
//
// # Caveats
//
// A four- to eight-digit PIN is a weak secret on its own: the lockout (five
// wrong PINs lock the member for five minutes by default) is what makes
// guessing slow. The lockout state is kept in the store, so restarting the
// desk does not reset it. Kiosk lockouts are kept in memory: a kiosk that is
// restarted by staff starts afresh.
package staff
