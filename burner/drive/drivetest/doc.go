// Package drivetest owns the test suite every drive backend must pass
// (Suite), a fault-injecting fake drive that passes it too (Fake), and
// helpers that build disc trees for tests from the shared DICOM corpus plus a
// generated DICOMDIR-like file.
package drivetest
