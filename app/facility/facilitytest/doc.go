// Package facilitytest owns the storage contract's conformance suite: one
// set of tests every facility backend (bbolt, PostgreSQL) must pass, as
// package burner/drive/drivetest does for drives.
package facilitytest
