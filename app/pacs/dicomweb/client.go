package dicomweb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"discdesk/app/pacs"
)

// Errors of the client.
var (
	// ErrHTTP: the server answered with an error status; errors.As gives
	// *HTTPError.
	ErrHTTP = errors.New("DICOMweb request failed")
	// ErrNotMultipart: a WADO-RS response was not multipart/related.
	ErrNotMultipart = errors.New("response is not multipart/related")
	// ErrTooLarge: a QIDO-RS response exceeded MaxJSON.
	ErrTooLarge = errors.New("response larger than the limit")
)

// HTTPError is an unexpected HTTP status.
type HTTPError struct {
	Op     string
	Status int
	Body   string // first 512 bytes
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %s", e.Op, e.Status, e.Body)
}

// Is makes errors.Is(err, ErrHTTP) true.
func (e *HTTPError) Is(t error) bool { return t == ErrHTTP }

// Client talks to one DICOMweb service.
type Client struct {
	// BaseURL is the service root, e.g. http://pacs:8042/dicom-web.
	BaseURL string
	// HTTP is the client to use (nil: http.DefaultClient). Set its
	// Transport for TLS settings and its Timeout for a deadline.
	HTTP *http.Client
	// Username and Password give HTTP Basic authentication; Token, when
	// set, is sent as a Bearer token instead.
	Username, Password string
	Token              string
	// MaxJSON bounds a QIDO-RS response (default 64 MiB).
	MaxJSON int64
}

// Attribute is one attribute in the DICOM JSON model (PS3.18 F.2.2).
type Attribute struct {
	VR          string            `json:"vr"`
	Value       []json.RawMessage `json:"Value,omitempty"`
	InlineBin   string            `json:"InlineBinary,omitempty"`
	BulkDataURI string            `json:"BulkDataURI,omitempty"`
}

// Attributes is one QIDO-RS result, keyed by tag "GGGGEEEE".
type Attributes map[string]Attribute

// String returns the first value of a tag as text ("" if absent); for PN
// the Alphabetic group.
func (a Attributes) String(tag string) string {
	at, ok := a[tag]
	if !ok || len(at.Value) == 0 {
		return ""
	}
	raw := at.Value[0]
	if at.VR == "PN" {
		var pn struct{ Alphabetic string }
		if json.Unmarshal(raw, &pn) == nil {
			return pn.Alphabetic
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.Trim(string(raw), `"`)
}

// Tags used with Attributes.String.
const (
	TagStudyInstanceUID  = "0020000D"
	TagSeriesInstanceUID = "0020000E"
	TagSOPInstanceUID    = "00080018"
	TagPatientID         = "00100020"
	TagPatientName       = "00100010"
	TagAccessionNumber   = "00080050"
	TagStudyDate         = "00080020"
	TagModality          = "00080060"
	TagNumberOfInstances = "00201208"
)

func (c *Client) do(ctx context.Context, op, path string, q url.Values, accept string) (*http.Response, error) {
	u := strings.TrimRight(c.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + EncodeQuery(q)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", accept)
	switch {
	case c.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.Token)
	case c.Username != "":
		req.SetBasicAuth(c.Username, c.Password)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, &HTTPError{Op: op, Status: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	}
	return resp, nil
}

// search runs one QIDO-RS query (PS3.18 10.6).
func (c *Client) search(ctx context.Context, op, path string, q url.Values) ([]Attributes, error) {
	resp, err := c.do(ctx, op, path, q, "application/dicom+json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	max := c.MaxJSON
	if max <= 0 {
		max = 64 << 20
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: %w (%d bytes)", op, ErrTooLarge, max)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, nil
	}
	var out []Attributes
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: DICOM JSON: %w", op, err)
	}
	return out, nil
}

// SearchStudies runs QIDO-RS /studies with matching keys such as
// PatientID=..., AccessionNumber=..., StudyDate=20240101-20240131,
// includefield=..., limit=... (PS3.18 8.3.4).
func (c *Client) SearchStudies(ctx context.Context, q url.Values) ([]Attributes, error) {
	return c.search(ctx, "QIDO-RS search studies", "/studies", q)
}

// SearchSeries runs QIDO-RS /studies/{study}/series.
func (c *Client) SearchSeries(ctx context.Context, studyUID string, q url.Values) ([]Attributes, error) {
	return c.search(ctx, "QIDO-RS search series", "/studies/"+url.PathEscape(studyUID)+"/series", q)
}

// SearchInstances runs QIDO-RS /studies/{study}/series/{series}/instances.
func (c *Client) SearchInstances(ctx context.Context, studyUID, seriesUID string, q url.Values) ([]Attributes, error) {
	return c.search(ctx, "QIDO-RS search instances", "/studies/"+url.PathEscape(studyUID)+"/series/"+url.PathEscape(seriesUID)+"/instances", q)
}

// RetrieveStudy runs WADO-RS /studies/{study} asking for every instance as
// application/dicom in its stored transfer syntax (PS3.18 10.4, 8.7.3) and
// calls fn with each part (a Part 10 file) in turn.
func (c *Client) RetrieveStudy(ctx context.Context, studyUID string, fn func(part io.Reader) error) (int, error) {
	op := "WADO-RS retrieve study"
	resp, err := c.do(ctx, op, "/studies/"+url.PathEscape(studyUID), nil, `multipart/related; type="application/dicom"; transfer-syntax=*`)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/related" || params["boundary"] == "" {
		return 0, fmt.Errorf("%s: %w: %q", op, ErrNotMultipart, resp.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(resp.Body, params["boundary"])
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: part %d: %w", op, n+1, err)
		}
		if ct := part.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/dicom") {
			part.Close()
			return n, fmt.Errorf("%s: part %d has type %q", op, n+1, ct)
		}
		err = fn(part)
		part.Close()
		if err != nil {
			return n, fmt.Errorf("%s: part %d: %w", op, n+1, err)
		}
		n++
	}
}

// RetrieveStudyTo retrieves a study into dir as <SOP Instance UID>.dcm
// files (mode 0600, each written to a temporary file and renamed when
// complete and readable as Part 10) and returns their paths.
func (c *Client) RetrieveStudyTo(ctx context.Context, studyUID, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("WADO-RS retrieve study: %w", err)
	}
	var paths []string
	_, err := c.RetrieveStudy(ctx, studyUID, func(part io.Reader) error {
		tmp, err := os.CreateTemp(dir, ".wado-*.part")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		_, err = io.Copy(tmp, part)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		m, _, err := pacs.ReadMetaFile(tmp.Name())
		if err != nil {
			return err
		}
		if strings.ContainsAny(m.SOPInstanceUID, `/\`) || m.SOPInstanceUID == "" || strings.HasPrefix(m.SOPInstanceUID, ".") {
			return fmt.Errorf("%w: %q", pacs.ErrBadUID, m.SOPInstanceUID)
		}
		dst := filepath.Join(dir, m.SOPInstanceUID+".dcm")
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return err
		}
		paths = append(paths, dst)
		return nil
	})
	return paths, err
}

// Strings returns every value of a tag joined by backslashes, as a
// multi-valued DIMSE value reads.
func (a Attributes) Strings(tag string) string {
	at, ok := a[tag]
	if !ok {
		return ""
	}
	var out []string
	for _, raw := range at.Value {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out = append(out, s)
		}
	}
	return strings.Join(out, `\`)
}
