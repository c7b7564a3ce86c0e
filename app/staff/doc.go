// Package staff owns who may use the desk: staff members with roles (front
// desk, technologist, supervisor), their sign-in PINs hashed with argon2id
// (RFC 9106, the "second recommended" parameters t=1, 64 MiB, p=2 by
// default), the lockout after repeated wrong PINs, and the patient kiosk's
// sign-in with a request code and a birth date, with its own lockout.
//
// What a role may do is one rule, Role.Can, over the actions the desk
// checks; it is not stored with the member, so a new action (ActionWaive:
// waiving a fee or refunding money, a supervisor's) applies to every stored
// member at once. The command line, which has no sign-in screen, proves a
// member's role with SignInName (name and PIN).
//
// It is a domain package: the desk's screens call it, it never imports Fyne.
// Members live in the "staff" bucket of the desk's bbolt store; a PIN is
// never stored, only its salted hash.
//
// # Caveats
//
// A four- to eight-digit PIN is a weak secret on its own: the lockout is what
// makes guessing slow. Five wrong PINs lock the member for five minutes,
// the next five for ten, then twenty and so on up to a day; a right PIN
// clears the count of wrong ones but not the doubling, which starts over
// only after a day without a lock. The lockout state is kept in the store,
// so restarting the desk does not reset it.
//
// The kiosk counts misses per kiosk and per request code (a correct sign-in
// with one's own code resets neither), with locks that double the same way
// (two minutes first). Its staff exit lists no names: the member types name
// and PIN, and wrong tries lock the kiosk's exit, never the member's desk
// sign-in. Kiosk lockouts are kept in memory: a kiosk that staff restart
// starts afresh.
//
// Every "this patient's studies" lookup goes through PatientStudies: Patient
// ID compared exactly, one issuer, name and birth date agreeing; anything
// else is ErrAskStaff, never a partial list.
package staff
