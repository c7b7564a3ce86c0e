package dicomdir

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"discdesk/viewer/dcm"
)

// An Instance is one file of the file-set as Build sees it.
type Instance struct {
	// FileID is the file's Referenced File ID, one string a component
	// (e.g. DICOM, P0000001, S0000001, I0000001).
	FileID []string
	// MetaSOPClassUID, MetaSOPInstanceUID and TransferSyntaxUID are the
	// file's (0002,0002), (0002,0003) and (0002,0010) as they will be on the
	// medium (after any transcoding). The first two default to the data
	// set's (0008,0016)/(0008,0018); TransferSyntaxUID is required.
	MetaSOPClassUID, MetaSOPInstanceUID, TransferSyntaxUID string
	// DataSet is the object's header, e.g. from
	// dcm.ParseFile(path, dcm.SkipPixelData()).
	DataSet *dcm.DataSet
	// Source names the file in messages (a path); FileID is used when empty.
	Source string
}

// InstanceFromFile parses the header of the Part 10 file at path (pixel data
// skipped) and returns it as an Instance with the given File ID.
func InstanceFromFile(path string, fileID []string) (Instance, error) {
	f, err := dcm.ParseFile(path, dcm.SkipPixelData())
	if err != nil {
		return Instance{}, fmt.Errorf("dicomdir: read header of %s: %w", path, err)
	}
	return Instance{
		FileID:             fileID,
		MetaSOPClassUID:    f.Meta.String(dcm.MediaStorageSOPClassUID),
		MetaSOPInstanceUID: f.Meta.String(dcm.MediaStorageSOPInstanceUID),
		TransferSyntaxUID:  f.Meta.String(dcm.TransferSyntaxUID),
		DataSet:            f.DataSet,
		Source:             path,
	}, nil
}

var (
	fileIDComponent = regexp.MustCompile(`^[A-Z0-9_]{1,8}$`)
	fileSetIDRe     = regexp.MustCompile(`^[A-Z0-9_ ]{0,16}$`)
)

// CheckFileID reports whether id is a valid File ID for general-purpose
// media: 1 to 8 components, each 1 to 8 of A-Z 0-9 _ (PS3.10 8.2, PS3.11).
func CheckFileID(id []string) error {
	if len(id) == 0 || len(id) > 8 {
		return fmt.Errorf("%w %q: %d components (1 to 8 allowed)", ErrBadFileID, strings.Join(id, `\`), len(id))
	}
	for _, c := range id {
		if !fileIDComponent.MatchString(c) {
			return fmt.Errorf("%w %q: component %q is not 1-8 of A-Z 0-9 _", ErrBadFileID, strings.Join(id, `\`), c)
		}
	}
	return nil
}

// inst is an Instance with its resolved identity.
type inst struct {
	*Instance
	index                         int    // in Build's instances
	name                          string // for messages
	sopClass, sopInstance         string
	recordType                    string
	patientID, studyUID, seriesID string
	seriesNum, instNum            int
	hasSeriesNum, hasInstNum      bool
	rank                          int // position in (Series Number, Instance Number, SOP Instance UID) order
}

type entity struct {
	lvl   level
	uid   string // study/series UID (patient: "")
	insts []*inst
	kids  []*entity
	leaf  *inst
}

// builder holds the state of one Build.
type builder struct {
	warnings []Warning
	missing  MissingKeys
	reported map[string]bool // entity+tag already in missing
}

// Build makes a Directory from instance headers (PS3.3 F.4, F.5; MEDIA.md
// section 2): one PATIENT record per Patient ID, one STUDY per Study
// Instance UID, one SERIES per Series Instance UID, one leaf per instance,
// in the order the instances are given. Type 1 keys that no instance of
// their entity has (absent, empty or not valid for the VR) stop Build with
// MissingKeys, which lists every one of them at once: the caller writes
// the values into the objects (so that the directory and the files agree)
// and builds again.
func Build(fileSetID string, instances []Instance) (*Directory, []Warning, error) {
	if !fileSetIDRe.MatchString(fileSetID) {
		return nil, nil, fmt.Errorf("dicomdir: build: %w %q: up to 16 of A-Z 0-9 _", ErrBadFileSetID, fileSetID)
	}
	b := &builder{reported: map[string]bool{}}
	ins := make([]*inst, 0, len(instances))
	byFile := map[string]string{}
	bySOP := map[string]string{}
	for i := range instances {
		in, err := b.resolve(&instances[i])
		var mk *MissingKeyError
		if errors.As(err, &mk) {
			mk.Instance = i
			switch {
			case in == nil:
				b.missing = append(b.missing, mk)
				continue
			case mk.Tag == dcm.PatientID:
				// Reported once per study; the PATIENT record of the empty
				// ID does not report it again.
				b.reported["p|"+dcm.PatientID.String()] = true
				if id := "s" + in.studyUID + "|" + dcm.PatientID.String(); !b.reported[id] {
					b.reported[id] = true
					b.missing = append(b.missing, mk)
				}
			default:
				b.missing = append(b.missing, mk)
				in.patientID = "missing:" + in.sopInstance
			}
			err = nil
		}
		if err != nil {
			return nil, nil, err
		}
		in.index = i
		fid := strings.Join(in.FileID, `\`)
		if prev, ok := byFile[fid]; ok {
			return nil, nil, fmt.Errorf("dicomdir: build: %s and %s: %w: same File ID %s", prev, in.name, ErrDuplicate, fid)
		}
		byFile[fid] = in.name
		if prev, ok := bySOP[in.sopInstance]; ok {
			return nil, nil, fmt.Errorf("dicomdir: build: %s and %s: %w: same SOP Instance UID", prev, in.name, ErrDuplicate)
		}
		bySOP[in.sopInstance] = in.name
		ins = append(ins, in)
	}

	for i, in := range rankOrder(ins) {
		in.rank = i
	}

	// Group into the hierarchy, keeping the order of first appearance.
	var roots []*entity
	patients := map[string]*entity{}
	studies := map[string]*entity{}
	series := map[string]*entity{}
	studyPatient := map[string]string{}
	seriesStudy := map[string]string{}
	for _, in := range ins {
		if topLevel[in.recordType] {
			roots = append(roots, &entity{lvl: levelInstance, leaf: in, insts: []*inst{in}})
			continue
		}
		if p, ok := studyPatient[in.studyUID]; ok && p != in.patientID {
			return nil, nil, fmt.Errorf("dicomdir: build: %s: %w: study is under two Patient IDs", in.name, ErrInconsistentHierarchy)
		}
		studyPatient[in.studyUID] = in.patientID
		if s, ok := seriesStudy[in.seriesID]; ok && s != in.studyUID {
			return nil, nil, fmt.Errorf("dicomdir: build: %s: %w: series %s is in two studies", in.name, ErrInconsistentHierarchy, in.seriesID)
		}
		seriesStudy[in.seriesID] = in.studyUID
		p := patients[in.patientID]
		if p == nil {
			p = &entity{lvl: levelPatient}
			patients[in.patientID] = p
			roots = append(roots, p)
		}
		st := studies[in.studyUID]
		if st == nil {
			st = &entity{lvl: levelStudy, uid: in.studyUID}
			studies[in.studyUID] = st
			p.kids = append(p.kids, st)
		}
		se := series[in.seriesID]
		if se == nil {
			se = &entity{lvl: levelSeries, uid: in.seriesID}
			series[in.seriesID] = se
			st.kids = append(st.kids, se)
		}
		p.insts = append(p.insts, in)
		st.insts = append(st.insts, in)
		se.insts = append(se.insts, in)
		se.kids = append(se.kids, &entity{lvl: levelInstance, leaf: in, insts: []*inst{in}})
	}

	d := &Directory{FileSetID: fileSetID}
	for _, e := range roots {
		r, err := b.record(e)
		if err != nil {
			return nil, nil, err
		}
		d.Records = append(d.Records, r)
	}
	if len(b.missing) > 0 {
		return nil, b.warnings, b.missing
	}
	return d, b.warnings, nil
}

// resolve checks one instance and finds its identity and hierarchy UIDs.
func (b *builder) resolve(in *Instance) (*inst, error) {
	name := in.Source
	if name == "" {
		name = strings.Join(in.FileID, "/")
	}
	if in.DataSet == nil {
		return nil, fmt.Errorf("dicomdir: build: %s: no data set", name)
	}
	if err := CheckFileID(in.FileID); err != nil {
		return nil, fmt.Errorf("dicomdir: build: %s: %w", name, err)
	}
	ds := in.DataSet
	x := &inst{Instance: in, name: name}
	x.sopClass = firstNonEmpty(in.MetaSOPClassUID, ds.String(dcm.SOPClassUID))
	x.sopInstance = firstNonEmpty(in.MetaSOPInstanceUID, ds.String(dcm.SOPInstanceUID))
	if c := ds.String(dcm.SOPClassUID); c != "" && in.MetaSOPClassUID != "" && c != in.MetaSOPClassUID {
		return nil, fmt.Errorf("dicomdir: build: %s: %w: (0002,0002) %s, (0008,0016) %s", name, ErrMetaMismatch, in.MetaSOPClassUID, c)
	}
	if u := ds.String(dcm.SOPInstanceUID); u != "" && in.MetaSOPInstanceUID != "" && u != in.MetaSOPInstanceUID {
		return nil, fmt.Errorf("dicomdir: build: %s: %w: (0002,0003) and (0008,0018) differ", name, ErrMetaMismatch)
	}
	if x.sopClass == "" {
		return nil, &MissingKeyError{File: name, Record: "leaf", Attribute: "SOP Class UID (0008,0016)", Tag: dcm.SOPClassUID}
	}
	if x.sopInstance == "" {
		return nil, &MissingKeyError{File: name, Record: "leaf", Attribute: "SOP Instance UID (0008,0018)", Tag: dcm.SOPInstanceUID}
	}
	if in.TransferSyntaxUID == "" {
		return nil, fmt.Errorf("dicomdir: build: %s: %w", name, ErrNoTransferSyntax)
	}
	rt, err := RecordType(x.sopClass)
	if err != nil {
		return nil, fmt.Errorf("dicomdir: build: %s: %w", name, err)
	}
	x.recordType = rt
	x.seriesNum, x.hasSeriesNum = ds.Int(dcm.SeriesNumber)
	x.instNum, x.hasInstNum = ds.Int(dcm.InstanceNumber)
	if topLevel[rt] {
		return x, nil
	}
	// The hierarchy's UIDs and the Patient ID. An instance without one
	// is reported, and placed under a stand-in so that the rest of its
	// keys are checked in the same Build.
	var missing *MissingKeyError
	x.studyUID = strings.TrimSpace(ds.String(dcm.StudyInstanceUID))
	if x.studyUID == "" {
		x.studyUID = "missing:" + x.sopInstance
		missing = &MissingKeyError{File: name, Record: "STUDY", Attribute: "Study Instance UID (0020,000D)", Tag: dcm.StudyInstanceUID}
	}
	x.seriesID = strings.TrimSpace(ds.String(dcm.SeriesInstanceUID))
	if x.seriesID == "" {
		x.seriesID = "missing:" + x.sopInstance
		if missing == nil {
			missing = &MissingKeyError{File: name, Record: "SERIES", Attribute: "Series Instance UID (0020,000E)", Tag: dcm.SeriesInstanceUID}
		}
	}
	if missing != nil {
		return x, missing
	}
	x.patientID = ds.String(dcm.PatientID)
	if strings.TrimSpace(x.patientID) == "" {
		return x, &MissingKeyError{File: name, Record: "PATIENT", Attribute: "Patient ID (0010,0020)", Tag: dcm.PatientID}
	}
	return x, nil
}

// entityKey names an entity for de-duplicating missing-key reports.
func (e *entity) key() string {
	if e.leaf != nil {
		return "i" + e.leaf.sopInstance
	}
	if e.lvl == levelPatient {
		return "p" + e.insts[0].patientID
	}
	return "e" + e.uid
}

// rankOrder sorts instances by Series Number, Instance Number and SOP
// Instance UID: the first instance of an entity in this order is its
// representative.
func rankOrder(insts []*inst) []*inst {
	s := slices.Clone(insts)
	slices.SortStableFunc(s, func(a, b *inst) int {
		if c := cmpNum(a.seriesNum, a.hasSeriesNum, b.seriesNum, b.hasSeriesNum); c != 0 {
			return c
		}
		if c := cmpNum(a.instNum, a.hasInstNum, b.instNum, b.hasInstNum); c != 0 {
			return c
		}
		return cmpUID(a.sopInstance, b.sopInstance)
	})
	return s
}

// order returns an entity's instances in rank order.
func order(insts []*inst) []*inst {
	s := slices.Clone(insts)
	slices.SortFunc(s, func(a, b *inst) int { return cmp.Compare(a.rank, b.rank) })
	return s
}

func cmpNum(a int, aok bool, b int, bok bool) int {
	switch {
	case aok && bok:
		return cmp.Compare(a, b)
	case aok:
		return -1
	case bok:
		return 1
	}
	return 0
}

// cmpUID compares UIDs component by component as numbers.
func cmpUID(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := cmp.Compare(len(as[i]), len(bs[i])); c != 0 {
			return c
		}
		if c := cmp.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

var levelRecord = map[level]string{levelPatient: "PATIENT", levelStudy: "STUDY", levelSeries: "SERIES"}

// record builds the record of e and its subtree.
func (b *builder) record(e *entity) (*Record, error) {
	r := &Record{}
	if e.leaf != nil {
		in := e.leaf
		r.Type = in.recordType
		r.FileID = slices.Clone(in.FileID)
		r.SOPClassUID = in.sopClass
		r.SOPInstanceUID = in.sopInstance
		r.TransferSyntaxUID = in.TransferSyntaxUID
	} else {
		r.Type = levelRecord[e.lvl]
	}
	keys, err := b.keys(r.Type, e)
	if err != nil {
		return nil, err
	}
	r.Keys = keys
	for _, k := range e.kids {
		c, err := b.record(k)
		if err != nil {
			return nil, err
		}
		r.Children = append(r.Children, c)
	}
	return r, nil
}

// chosen is the value picked for one key: the element and the data set it
// came from (for its character set).
type chosen struct {
	el  *dcm.Element
	src *dcm.DataSet
}

// keys assembles the keys of one record of type rt for entity e.
func (b *builder) keys(rt string, e *entity) (*dcm.DataSet, error) {
	insts := order(e.insts)
	rep := insts[0]
	var picks []chosen
	for _, k := range recordKeys[rt] {
		if rt == "SR DOCUMENT" && k.tag == dcm.VerificationDateTime {
			if c, ok := verificationDateTime(rep.DataSet); ok {
				picks = append(picks, c)
			} else if strings.EqualFold(rep.DataSet.String(dcm.VerificationFlag), "VERIFIED") {
				b.missingKey(rep, rt, k, e)
			}
			continue
		}
		c, ok := b.pick(k, insts, e)
		if !ok {
			switch k.typ {
			case type1:
				b.missingKey(rep, rt, k, e)
			case type2:
				picks = append(picks, chosen{el: emptyElement(k.tag)})
			}
			continue
		}
		picks = append(picks, c)
	}
	return b.assemble(picks, rep.name)
}

// missingKey records that the entity lacks Type 1 key k (once per entity
// and key).
func (b *builder) missingKey(rep *inst, rt string, k keySpec, e *entity) {
	id := e.key() + "|" + k.tag.String()
	if b.reported[id] {
		return
	}
	b.reported[id] = true
	invalid := false
	for _, in := range e.insts {
		invalid = invalid || !isEmpty(in.DataSet.Get(k.tag))
	}
	b.missing = append(b.missing, &MissingKeyError{File: rep.name, Record: rt, Attribute: attrName(k.tag), Tag: k.tag, Instance: rep.index, Invalid: invalid})
}

// pick chooses the value of key k for an entity: the first non-empty value
// among its instances in order (the representative's when it has one).
// Instances that disagree give a Warning.
func (b *builder) pick(k keySpec, insts []*inst, e *entity) (chosen, bool) {
	for _, in := range insts {
		el := in.DataSet.Get(k.tag)
		if isEmpty(el) {
			continue
		}
		if !ValidValue(in.DataSet, el) {
			b.warnings = append(b.warnings, Warning{File: in.name, Attribute: attrName(k.tag),
				Message: fmt.Sprintf("value is not a valid %s; not copied into the DICOMDIR", el.VR)})
			continue
		}
		c := chosen{el: el, src: in.DataSet}
		if len(insts) > 1 && el.VR != "SQ" && el.Items == nil {
			b.checkConsistent(k, insts, c)
		}
		return c, true
	}
	return chosen{}, false
}

// checkConsistent warns when the instances of one entity disagree on a key.
func (b *builder) checkConsistent(k keySpec, insts []*inst, c chosen) {
	want := c.src.ElementString(c.el)
	type group struct {
		value string
		files []string
	}
	var groups []*group
	idx := map[string]*group{}
	for _, in := range insts {
		v := in.DataSet.String(k.tag)
		g := idx[v]
		if g == nil {
			g = &group{value: v}
			idx[v] = g
			groups = append(groups, g)
		}
		g.files = append(g.files, in.name)
	}
	if len(groups) == 1 {
		return
	}
	var parts, files []string
	for _, g := range groups {
		v := g.value
		if v == "" {
			v = "(empty)"
		}
		shown := g.files
		more := ""
		if len(shown) > 3 {
			more = fmt.Sprintf(" and %d more", len(shown)-3)
			shown = shown[:3]
		}
		parts = append(parts, fmt.Sprintf("%q in %d file(s): %s%s", v, len(g.files), strings.Join(shown, ", "), more))
		files = append(files, shown...)
	}
	b.warnings = append(b.warnings, Warning{
		File:      strings.Join(files, ", "),
		Attribute: attrName(k.tag),
		Message:   fmt.Sprintf("instances disagree; using %q (first by Series Number, Instance Number, SOP Instance UID): %s", want, strings.Join(parts, "; ")),
	})
}

// verificationDateTime is the most recent (0040,A030) of the Verifying
// Observer Sequence (PS3.3 F.5.x SR Document Keys).
func verificationDateTime(ds *dcm.DataSet) (chosen, bool) {
	var best chosen
	bestV := ""
	for _, it := range ds.Seq(tagVerifyingObserverSequence) {
		el := it.Get(dcm.VerificationDateTime)
		if el == nil {
			continue
		}
		if v := it.String(dcm.VerificationDateTime); v > bestV {
			bestV, best = v, chosen{el: el, src: it}
		}
	}
	return best, bestV != ""
}

func isEmpty(el *dcm.Element) bool {
	if el == nil {
		return true
	}
	if el.VR == "SQ" || el.Items != nil {
		return len(el.Items) == 0
	}
	return strings.Trim(string(el.Value), " \x00") == ""
}

func emptyElement(t dcm.Tag) *dcm.Element {
	vr := dcm.DictVR(t)
	if vr == "SQ" {
		return &dcm.Element{Tag: t, VR: "SQ", Items: []*dcm.DataSet{}, Length: dcm.UndefinedLength}
	}
	return dcm.NewElement(t, vr, nil)
}

func attrName(t dcm.Tag) string {
	for _, specs := range recordKeys {
		for _, k := range specs {
			if k.tag == t {
				return k.name + " " + t.String()
			}
		}
	}
	switch t {
	case dcm.StudyInstanceUID:
		return "Study Instance UID " + t.String()
	case dcm.SeriesInstanceUID:
		return "Series Instance UID " + t.String()
	case dcm.PatientID:
		return "Patient ID " + t.String()
	}
	return t.Name() + " " + t.String()
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

var (
	daRe = regexp.MustCompile(`^\d{8}$`)
	tmRe = regexp.MustCompile(`^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$`)
	dtRe = regexp.MustCompile(`^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$`)
	uiRe = regexp.MustCompile(`^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$`)
)

// ValidValue reports whether el (of ds) has the format dciodvfy checks for
// the VRs of record keys (PS3.5 6.2): DA, TM, DT and UI values. Other VRs
// pass. A key whose value is not valid is not copied into a record.
func ValidValue(ds *dcm.DataSet, el *dcm.Element) bool {
	var re *regexp.Regexp
	switch el.VR {
	case "DA":
		re = daRe
	case "TM":
		re = tmRe
	case "DT":
		re = dtRe
	case "UI":
		re = uiRe
	default:
		return true
	}
	for _, v := range strings.Split(ds.ElementString(el), `\`) {
		v = strings.TrimSpace(v)
		if !re.MatchString(v) || (el.VR == "UI" && len(v) > 64) {
			return false
		}
	}
	return true
}
