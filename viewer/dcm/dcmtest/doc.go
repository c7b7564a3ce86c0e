// Package dcmtest owns the hostile and damaged DICOM files the tests of
// viewer/dcm and its users are built on: files cut inside an item, a
// sequence or before Pixel Data, files with trailing zero padding, and
// deflate bombs (a few megabytes that declare gigabytes), generated in
// memory so no such file is kept in the repository.
package dcmtest
