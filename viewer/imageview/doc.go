// Package imageview owns the Fyne viewer widget that shows DICOM images on
// screen: a Viewer for one stack of frames (stack scrolling by wheel, keys
// and drag; window/level by right-drag and presets, the VOI LUT of PS3.3
// C.11.2; zoom, pan and fit; cine; patient and study overlay; orientation
// markers from Image Orientation (Patient), C.7.6.2.1.1; distance
// measurement from Pixel Spacing, PS3.3 10.7.1.3), a strip of series
// thumbnails, and a report view (SR text, PS3.3 C.17.3; encapsulated PDF,
// C.24.2, opened with the system's viewer).
//
// Widgets follow Fyne's split: the exported widget holds public state and
// the unexported renderer owns the canvas objects and re-reads that state on
// Refresh. Pixels come from viewer/study (loading) and viewer/render (VOI and
// colour); the widget only scales them into the raster it draws, so a frame
// on screen costs one table lookup and one nearest-neighbour pass. Work on
// other goroutines (thumbnails, cine, background loading) reaches the UI only
// through fyne.Do, or the Viewer's Do where its screen gives one.
//
// The overlay's words come from the viewer's Words (English, the staff's
// abbreviations, when nil); the same hook chooses its lines, so a screen
// for patients shows its own lines in its own language and nothing it did
// not name. The stack's length can change after layout (a multi-frame
// image read late): OnCountChanged says so, apart from OnIndexChanged,
// which synchronises viewers.
//
// # Caveats
//
//   - Pixel Aspect Ratio other than 1 is not applied; pixels are shown square.
//   - Presentation states, overlays and shutters in the objects are ignored.
//   - Fyne delivers no drag events for the secondary button, so right-drag
//     window/level is driven from mouse-move events while the button is down.
package imageview
