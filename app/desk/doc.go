// Package desk is the Fyne application front-desk staff, technologists and the
// kiosk use. Screens only: every rule lives in the domain packages, which the
// screens call and whose results they render.
package desk
