package dicomweb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"discdesk/app/pacs"
)

// IsURL reports whether a node argument names a DICOMweb service (an http
// or https base URL) rather than a DIMSE node (AE@HOST:PORT).
func IsURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// ErrNoCertificates means a CA file held no PEM certificate.
var ErrNoCertificates = errors.New("no certificate in CA file")

// NewClient makes a client for a base URL: Token (Bearer) or Username and
// Password (Basic) authenticate; caFile, when set, is the PEM file of the
// certificate authorities a https server must be signed by.
func NewClient(baseURL, username, password, token, caFile string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("DICOMweb node %q: want an http:// or https:// base URL", baseURL)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("DICOMweb TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("DICOMweb TLS CA %s: %w", caFile, ErrNoCertificates)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &Client{BaseURL: baseURL, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Minute},
		Username: username, Password: password, Token: token}, nil
}

// studyQuery turns C-FIND study keys into QIDO-RS parameters: the same
// matching (wildcards, date ranges) and the same return keys. It also
// returns the keys whose values wildcardValue changed, with the values
// asked for, for FindStudies to narrow the matches to.
func studyQuery(f pacs.StudyFilter) (url.Values, map[string]string) {
	q := url.Values{}
	narrow := map[string]string{}
	set := func(k, tag, v string, wild bool) {
		if v == "" {
			return
		}
		if wild {
			if sent, changed := wildcardValue(v); changed {
				narrow[tag] = v
				v = sent
			}
		}
		q.Set(k, v)
	}
	set("PatientID", TagPatientID, f.PatientID, true)
	set("PatientName", TagPatientName, f.PatientName, true)
	set("AccessionNumber", TagAccessionNumber, f.AccessionNumber, true)
	set("StudyInstanceUID", TagStudyInstanceUID, f.StudyInstanceUID, false)
	set("StudyDate", TagStudyDate, f.StudyDate, false)
	for _, t := range []string{"00080020", "00080030", "00080050", "00080061", "00081030", "00100010", "00100020", "00100030", "0020000D", "00201208"} {
		q.Add("includefield", t)
	}
	if f.PatientName != "" {
		// PS3.18 8.3.4.1: fuzzy matching stays off; names match as C-FIND does.
		q.Set("fuzzymatching", "false")
	}
	return q, narrow
}

// FindStudies runs QIDO-RS /studies with the keys of a C-FIND study query
// and returns the matches as C-FIND does.
func (c *Client) FindStudies(ctx context.Context, f pacs.StudyFilter) ([]pacs.Study, error) {
	q, narrow := studyQuery(f)
	res, err := c.SearchStudies(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]pacs.Study, 0, len(res))
next:
	for _, a := range res {
		for tag, want := range narrow {
			if !keep(want, a.String(tag)) {
				continue next
			}
		}
		out = append(out, pacs.Study{
			StudyInstanceUID: a.String(TagStudyInstanceUID), PatientID: a.String(TagPatientID),
			PatientName: a.String(TagPatientName), AccessionNumber: a.String(TagAccessionNumber), PatientBirthDate: a.String("00100030"),
			StudyDate: a.String(TagStudyDate), StudyDescription: a.String("00081030"),
			ModalitiesInStudy: a.Strings("00080061"), Instances: atoi(a.String(TagNumberOfInstances)),
		})
	}
	return out, nil
}

// FindSeries runs QIDO-RS /studies/{study}/series and returns the series
// as C-FIND does.
func (c *Client) FindSeries(ctx context.Context, studyUID string) ([]pacs.Series, error) {
	q := url.Values{"includefield": {"00080060", "0008103E", "0020000E", "00200011", "00201209"}}
	res, err := c.SearchSeries(ctx, studyUID, q)
	if err != nil {
		return nil, err
	}
	out := make([]pacs.Series, 0, len(res))
	for _, a := range res {
		out = append(out, pacs.Series{
			SeriesInstanceUID: a.String(TagSeriesInstanceUID), Modality: a.String(TagModality),
			SeriesNumber: a.String("00200011"), SeriesDescription: a.String("0008103E"),
			Instances: atoi(a.String("00201209")),
		})
	}
	return out, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return n
}

// RetrieveStudyInto retrieves a study with WADO-RS and hands each instance
// to sink as the Storage SCP would, each part first spooled whole (mode
// 0600) in spoolDir. An instance the sink already holds counts as
// completed; one it refuses is counted failed and named, and the others
// carry on.
func (c *Client) RetrieveStudyInto(ctx context.Context, studyUID, spoolDir string, sink pacs.Sink) (pacs.RetrieveResult, error) {
	var res pacs.RetrieveResult
	source := "DICOMweb " + c.host()
	_, err := c.RetrieveStudy(ctx, studyUID, func(part io.Reader) error {
		f, err := pacs.SpoolFile(spoolDir)
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		_, err = io.Copy(f, part)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		obj, err := pacs.ReceivedFile(f.Name(), source)
		if err != nil {
			res.Failed++
			return nil // a part that is not a valid object: counted, the rest go on
		}
		if status, _ := pacs.SinkStatus(sink.Store(ctx, obj)); status != 0 {
			res.Failed++
			res.FailedInstances = append(res.FailedInstances, obj.SOPInstanceUID)
			return nil
		}
		res.Completed++
		return nil
	})
	if err == nil && res.Failed > 0 {
		err = fmt.Errorf("WADO-RS retrieve study: %d of %d instances failed", res.Failed, res.Failed+res.Completed)
	}
	return res, err
}

func (c *Client) host() string {
	if u, err := url.Parse(c.BaseURL); err == nil {
		return u.Host
	}
	return c.BaseURL
}
