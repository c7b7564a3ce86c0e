package pdi

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// Web content layout (all names ISO 9660 level 1):
//
//	INDEX.HTM                       patients and studies
//	IHE_PDI/STUDY001.HTM            a study: reports, series with thumbnails
//	IHE_PDI/SER00001.HTM            a series: its JPEG images
//	IHE_PDI/SER00001/IMG00001.JPG   image; THM00001.JPG its thumbnail
//	IHE_PDI/RPT00001.HTM            a report
const webFolder = "IHE_PDI"

type pageBase struct {
	Title, Facility, Footer string
	// Contact is the sentence inviting the patient to talk with the
	// radiologist, shown above the footer ("" = none).
	Contact string
}

type imgRef struct {
	Src, Alt, Page string
	W, H           int
}

type seriesView struct {
	Series
	Page   string
	Thumbs []imgRef
	Images []imgRef
}

type reportView struct {
	Report
	Page string
}

type studyView struct {
	Study
	Page, ReportNote string
	SeriesCount      int
	Series           []seriesView
	Reports          []reportView
}

type patientView struct {
	Patient
	Studies []studyView
}

func webFiles(t *template.Template, c Content) ([]File, error) {
	base := pageBase{
		Facility: facilityLine(c),
		Footer:   fmt.Sprintf("Made %s%s with %s %s; %s; volume %s.", c.Created.Format("2006-01-02"), by(c.FacilityName), c.Software, c.Version, c.discOf(), c.FileSetID),
		Contact:  c.contactSentence(),
	}
	var out []File
	var patients []patientView
	nStudy, nSeries, nReport := 0, 0, 0
	for _, p := range c.Patients {
		pv := patientView{Patient: p}
		for _, st := range p.Studies {
			nStudy++
			sv := studyView{Study: st, Page: fmt.Sprintf("%s/STUDY%03d.HTM", webFolder, nStudy), SeriesCount: len(st.Series), ReportNote: "none on this disc"}
			for _, se := range st.Series {
				nSeries++
				dir := fmt.Sprintf("SER%05d", nSeries)
				v := seriesView{Series: se, Page: dir + ".HTM"}
				for i, im := range se.Images {
					alt := fmt.Sprintf("Image %d", im.Instance)
					if im.Frame > 0 {
						alt += fmt.Sprintf(" frame %d", im.Frame)
					}
					img := fmt.Sprintf("%s/IMG%05d.JPG", dir, i+1)
					thm := fmt.Sprintf("%s/THM%05d.JPG", dir, i+1)
					out = append(out, File{Path: webFolder + "/" + img, Data: im.JPEG})
					v.Images = append(v.Images, imgRef{Src: img, Alt: alt, W: im.Width, H: im.Height})
					if len(v.Thumbs) < 6 && im.Thumb != nil {
						out = append(out, File{Path: webFolder + "/" + thm, Data: im.Thumb})
						v.Thumbs = append(v.Thumbs, imgRef{Src: thm, Alt: alt, Page: v.Page, W: im.ThumbW, H: im.ThumbH})
					}
				}
				sv.Series = append(sv.Series, v)
				page, err := render(t, "series.htm.tmpl", struct {
					pageBase
					Series    seriesView
					StudyPage string
					Shown     string
				}{pageBase: withTitle(base, strings.TrimSpace(fmt.Sprintf("Series %d %s", se.Number, se.Description))), Series: v,
					StudyPage: strings.TrimPrefix(sv.Page, webFolder+"/"), Shown: shown(se)})
				if err != nil {
					return nil, err
				}
				out = append(out, File{Path: webFolder + "/" + v.Page, Data: page})
			}
			for _, r := range st.Reports {
				nReport++
				rv := reportView{Report: r, Page: fmt.Sprintf("RPT%05d.HTM", nReport)}
				sv.Reports = append(sv.Reports, rv)
				// The report page says who reported and how to ask, so its
				// footer does not repeat the contact sentence.
				rb := withTitle(base, r.Title)
				rb.Contact = ""
				page, err := render(t, "report.htm.tmpl", struct {
					pageBase
					Report                 reportView
					StudyPage              string
					PatientName, PatientID string
					ReportedBy, Questions  string
				}{pageBase: rb, Report: rv, StudyPage: strings.TrimPrefix(sv.Page, webFolder+"/"), PatientName: p.Name, PatientID: p.ID,
					ReportedBy: st.ReadBy(), Questions: c.reach()})
				if err != nil {
					return nil, err
				}
				out = append(out, File{Path: webFolder + "/" + rv.Page, Data: page})
			}
			if len(st.Reports) > 0 {
				sv.ReportNote = fmt.Sprintf("%d report(s)", len(st.Reports))
			}
			page, err := render(t, "study.htm.tmpl", struct {
				pageBase
				Study                  studyView
				PatientName, PatientID string
				Base                   string
			}{pageBase: withTitle(base, strings.TrimSpace(st.Title()+" "+st.Date)), Study: sv, PatientName: p.Name, PatientID: p.ID})
			if err != nil {
				return nil, err
			}
			out = append(out, File{Path: sv.Page, Data: page})
			pv.Studies = append(pv.Studies, sv)
		}
		patients = append(patients, pv)
	}
	viewerNote := ""
	if w := c.program("Windows"); w != "" {
		viewerNote = fmt.Sprintf("To see every image at full quality, start the viewer on this disc: %s (Windows)", w)
		if m := c.program("macOS"); m != "" {
			viewerNote += ", " + strings.ReplaceAll(m, `\`, "/") + " (macOS)"
		}
		if l := c.program("Linux"); l != "" {
			viewerNote += ", " + strings.ReplaceAll(l, `\`, "/") + " (Linux)"
		}
		viewerNote += "; see README.TXT."
	} else {
		viewerNote = "No viewer program is on this disc: open the DICOMDIR file with any DICOM viewer (see README.TXT)."
	}
	index, err := render(t, "index.htm.tmpl", struct {
		pageBase
		DiscOf, ViewerNote, WebViewer string
		Patients                      []patientView
	}{pageBase: withTitle(base, "Patient images, "+c.discOf()), DiscOf: c.discOf(), ViewerNote: viewerNote, WebViewer: c.WebViewer, Patients: patients})
	if err != nil {
		return nil, err
	}
	return append([]File{{Path: "INDEX.HTM", Data: index}}, out...), nil
}

func shown(s Series) string {
	total := s.Frames
	if total == 0 {
		total = s.Instances
	}
	switch {
	case len(s.Images) == 0 && s.Note != "":
		return s.Note
	case len(s.Images) == 0:
		return "No images of this series are shown here."
	case len(s.Images) < total:
		return fmt.Sprintf("%d evenly spaced key images of the %d in this series are shown; the disc holds all of them in DICOM.", len(s.Images), total)
	}
	return fmt.Sprintf("All %d images of this series.", len(s.Images))
}

// facilityLine is the facility on one line for the top of every page:
// name | address | Tel. phone | e-mail, leaving out what is not known.
func facilityLine(c Content) string {
	var parts []string
	add := func(prefix, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, prefix+v)
		}
	}
	add("", c.FacilityName)
	var addr []string
	for _, l := range strings.Split(c.FacilityAddress, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			addr = append(addr, l)
		}
	}
	add("", strings.Join(addr, ", "))
	add("Tel. ", c.FacilityPhone)
	add("", c.FacilityEmail)
	if len(parts) == 0 {
		return "Facility details were not configured at this station."
	}
	return strings.Join(parts, " | ")
}

// by is " by NAME", or "" when the facility has no name.
func by(name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return " by " + name
	}
	return ""
}

func withTitle(b pageBase, title string) pageBase {
	b.Title = strings.TrimSpace(title)
	if b.Title == "" {
		b.Title = "Patient images"
	}
	return b
}

func render(t *template.Template, name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	// html/template would escape an XML declaration in the template text.
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("pdi: page %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
