package disc

import (
	"context"
	"strings"

	"discdesk/burner/disc/pdi"
	"discdesk/viewer/dcm"
)

// content gathers what README.TXT and the pages say about disc d, rendering
// the web images when the web option is on.
func (p *Plan) content(ctx context.Context, d *Disc, progress ProgressFunc) (pdi.Content, error) {
	c := pdi.Content{
		FacilityName: p.Facility.Name, FacilityAddress: p.Facility.Address, FacilityPhone: p.Facility.Phone,
		FacilityEmail: p.Facility.Email, FacilityContact: p.Facility.Contact,
		Software: p.Options.Software, Version: p.Options.Version, Created: p.Options.Now(),
		FileSetID: d.FileSetID, DiscIndex: d.Index, DiscCount: d.Count, Profile: p.profileName(),
		Web: !p.Options.NoWeb,
	}
	if p.web.mode != "" && p.web.mode != WebViewerOff {
		c.WebViewer = WebViewerPage
	}
	if len(p.viewer) > 0 {
		c.ViewerFolder = ViewerFolder
		c.ViewerPrograms = viewerPrograms(p.viewer)
	}
	type seriesRef struct {
		pi, si, ri int
		objs       []*Object
	}
	var order []*seriesRef
	readers := p.radiologists()
	patIdx, studyIdx, seriesIdx := map[string]int{}, map[string][2]int{}, map[string]*seriesRef{}
	for _, o := range d.Objects {
		h := o.header
		pi, ok := patIdx[o.PatientID]
		if !ok {
			pi = len(c.Patients)
			patIdx[o.PatientID] = pi
			c.Patients = append(c.Patients, pdi.Patient{
				Name: dcm.PersonName(h.String(dcm.PatientName)), ID: o.PatientID,
				BirthDate: dcm.FormatDate(h.String(dcm.PatientBirthDate)), Sex: h.String(dcm.PatientSex),
			})
		}
		pat := &c.Patients[pi]
		si, ok := studyIdx[o.StudyUID]
		if !ok {
			si = [2]int{pi, len(pat.Studies)}
			studyIdx[o.StudyUID] = si
			pat.Studies = append(pat.Studies, pdi.Study{
				Date: dcm.FormatDate(h.String(dcm.StudyDate)), Time: h.String(dcm.StudyTime),
				Description: h.String(dcm.StudyDescription), Accession: h.String(dcm.AccessionNumber), ID: h.String(dcm.StudyID),
				Radiologists: readers[o.StudyUID],
			})
		}
		st := &pat.Studies[si[1]]
		if o.Kind == KindSR || o.Kind == KindPDF {
			r, err := reportOf(o, d.FileID(o))
			if err != nil {
				return c, err
			}
			st.Reports = append(st.Reports, r)
		}
		ref := seriesIdx[o.SeriesUID]
		if ref == nil {
			ref = &seriesRef{pi: pi, si: si[1], ri: len(st.Series)}
			seriesIdx[o.SeriesUID] = ref
			order = append(order, ref)
			fid := d.FileID(o)
			st.Series = append(st.Series, pdi.Series{
				Number: o.SeriesNumber, Modality: o.Modality, Description: h.String(dcm.SeriesDescription),
				Folder: fid[:strings.LastIndexByte(fid, '/')],
			})
		}
		ref.objs = append(ref.objs, o)
		st.Series[ref.ri].Instances++
		if o.Kind == KindImage {
			st.Series[ref.ri].Frames += o.Frames
		}
	}
	if p.Options.NoWeb {
		return c, nil
	}
	// Web images of every series, rendered in parallel.
	type job struct {
		ref   *seriesRef
		obj   *Object
		frame int
	}
	var jobs []job
	for _, ref := range order {
		se := &c.Patients[ref.pi].Studies[ref.si].Series[ref.ri]
		var frames []job
		for _, o := range ref.objs {
			if o.Kind != KindImage {
				continue
			}
			for f := 0; f < o.Frames; f++ {
				frames = append(frames, job{ref, o, f})
			}
		}
		switch {
		case len(frames) == 0 && (ref.objs[0].Kind == KindSR || ref.objs[0].Kind == KindPDF):
			se.Note = "report, see the study page"
		case len(frames) == 0:
			se.Note = "no images (" + strings.ToLower(string(ref.objs[0].Kind)) + " objects)"
		}
		for _, k := range keyIndexes(len(frames), p.Options.MaxWebImages) {
			jobs = append(jobs, frames[k])
		}
	}
	images := make([]*pdi.Image, len(jobs))
	errs := make([]error, len(jobs))
	err := parallel(ctx, len(jobs), func(i int) error {
		j := jobs[i]
		images[i], errs[i] = webImage(j.obj.Source, j.frame)
		if images[i] != nil {
			images[i].Instance = j.obj.InstanceNumber
			if j.obj.Frames > 1 {
				images[i].Frame = j.frame + 1
			}
		}
		progress.emit(Progress{Disc: d.Index, Phase: PhaseWeb, Done: i + 1, Total: len(jobs)})
		return nil
	})
	if err != nil {
		return c, err
	}
	for i, j := range jobs {
		se := &c.Patients[j.ref.pi].Studies[j.ref.si].Series[j.ref.ri]
		if errs[i] != nil {
			// A frame the renderer cannot show (an unsupported colour
			// model) costs the page an image, never the disc.
			se.Note = "some images cannot be shown as JPEG; use a DICOM viewer"
			continue
		}
		se.Images = append(se.Images, *images[i])
	}
	return c, nil
}

// profileName is the application profile the disc conforms to, as
// README.TXT states it. STD-GEN-CD is a CD-R profile: a DVD, BD or USB
// disc with every object in Explicit VR Little Endian conforms to the
// medium's JPEG profile, which allows that syntax too (PS3.11 D.3, D.5).
func (p *Plan) profileName() string {
	if p.Profile == ProfileCD && p.Options.Media != CD {
		return string(JPEGProfile(p.Options.Media)) + " (every object uncompressed, Explicit VR Little Endian)"
	}
	return string(p.Profile)
}

// keyIndexes picks max evenly spaced indexes of n (all when n <= max),
// always including the first and the last.
func keyIndexes(n, max int) []int {
	if n <= max {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	if max == 1 {
		return []int{n / 2}
	}
	out := make([]int, max)
	for k := range out {
		out[k] = (k*(n-1) + (max-1)/2) / (max - 1)
	}
	return out
}

// viewerPrograms finds the start program for each platform among the
// viewer files: an .EXE for Windows, a file under a MAC or MACOS folder or
// ending in .APP for macOS, a file without extension under LINUX.
func viewerPrograms(files []viewerFile) []pdi.Program {
	var out []pdi.Program
	var win, mac, lin string
	for _, f := range files {
		up := strings.ToUpper(f.path)
		switch {
		case strings.HasSuffix(up, ".EXE") && win == "":
			win = f.path
		case (strings.Contains(up, "/MAC") || strings.Contains(up, ".APP")) && mac == "" && !strings.Contains(up[strings.LastIndexByte(up, '/'):], "."):
			mac = f.path
		case lin == "" && !strings.Contains(up[strings.LastIndexByte(up, '/'):], ".") &&
			(strings.Contains(up, "/LINUX") || strings.HasSuffix(up, "/DISCVIEW")):
			// packaging's Linux build is VIEWER/DISCVIEW; a LINUX/ sub-folder also counts
			lin = f.path
		}
	}
	if win != "" {
		out = append(out, pdi.Program{Platform: "Windows", Path: win})
	}
	if mac != "" {
		out = append(out, pdi.Program{Platform: "macOS", Path: mac})
	}
	if lin != "" {
		out = append(out, pdi.Program{Platform: "Linux", Path: lin})
	}
	return out
}
