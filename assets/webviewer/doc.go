// Package webviewer embeds the browser viewer a patient disc carries in
// VIEWER/WEB: a page, its script and its style, in plain JavaScript with
// no dependencies, that opens the disc's images from file:// with no
// network. The burner (burner/disc) adds the data files the page loads.
package webviewer
