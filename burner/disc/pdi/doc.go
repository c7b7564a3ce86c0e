// Package pdi owns the human-readable content of a patient disc under the
// IHE Radiology Portable Data for Imaging profile (IHE RAD TF-1 15, TF-3
// 4.47): README.TXT, the optional AUTORUN.INF, and the web content option
// (INDEX.HTM in the root, every other page and image under IHE_PDI/, XHTML
// and JPEG only, no scripts, relative links that work offline).
//
// It knows nothing of DICOM parsing: the disc package fills a Content value
// (patients, studies, series, key images already encoded as JPEG, reports as
// text or structured-report trees) and Files renders it. Every name is ISO
// 9660 level 1 (8.3, upper case) and every page is well-formed XML, so the
// same bytes read on any operating system and validate with xmllint.
package pdi
