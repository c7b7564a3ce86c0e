package study

import (
	"fmt"
	"image"
	"strings"

	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
	"discdesk/viewer/srtext"
)

// ReportText renders a structured report as indented plain text: the
// document title, then every content item of the Content Sequence
// (PS3.3 C.17.3) as "concept: value", containers as headings (see
// srtext.Text).
func ReportText(ds *dcm.DataSet) string { return srtext.Text(ds) }

// Report reads an SR instance and renders its text (see ReportText).
func (d *Disc) Report(in *Instance) (string, error) {
	f, err := d.Parse(in)
	if err != nil {
		return "", err
	}
	return ReportText(f.DataSet), nil
}

// Document returns an encapsulated document's bytes (PS3.3 C.24.2) and
// its MIME type.
func (d *Disc) Document(in *Instance) ([]byte, string, error) {
	f, err := d.Parse(in)
	if err != nil {
		return nil, "", err
	}
	ds := f.DataSet
	b := ds.Raw(dcm.EncapsulatedDocument)
	if len(b) == 0 {
		return nil, "", fmt.Errorf("document %s: %w", in.Path, ErrNotImage)
	}
	mime := ds.String(dcm.MIMETypeOfEncapsulatedDocument)
	if mime == "application/pdf" {
		// The value is padded to even length; a PDF ends at %%EOF.
		if i := strings.LastIndex(string(b), "%%EOF"); i >= 0 {
			b = b[:i+5]
		}
	}
	return append([]byte(nil), b...), mime, nil
}

// Thumbnail renders the middle image of a series (its middle frame when it
// is one multi-frame instance) to fit side x side.
func (d *Disc) Thumbnail(se *Series, side int) (image.Image, error) {
	imgs := se.Images()
	if len(imgs) == 0 {
		return nil, fmt.Errorf("thumbnail of series %d: %w", se.Number, ErrNotImage)
	}
	in := imgs[len(imgs)/2]
	f, err := d.Parse(in)
	if err != nil {
		return nil, err
	}
	desc, err := render.Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	frame, err := render.Frame(f, desc, desc.NumberOfFrames/2)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	r, err := render.New(desc)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	img, err := r.Render(frame)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	return render.Thumbnail(img, side), nil
}
