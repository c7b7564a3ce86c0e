package dicomweb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"

	"discdesk/app/pacs"
	"discdesk/app/settings"
)

// Errors of configured nodes.
var (
	// ErrSecretFile: a node's secret file is unusable (empty, or readable
	// by others); the error names the file.
	ErrSecretFile = errors.New("DICOMweb secret file")
	// ErrNoNode: no configured PACS node has the name asked for.
	ErrNoNode = errors.New("no PACS node of that name in the settings")
)

// Environment variables holding a DICOMweb node's secret when its settings
// name no secret file.
const (
	EnvPassword = "DISCDESK_DICOMWEB_PASSWORD"
	EnvToken    = "DISCDESK_DICOMWEB_TOKEN"
)

// Remote is a configured PACS node, reached over DIMSE (C-FIND, C-MOVE,
// C-GET) or, when its settings give a base URL, over DICOMweb (QIDO-RS,
// WADO-RS). The desk, the command line and auto-burn's instance count all
// go through it, so a DICOMweb node works wherever a DIMSE node does.
type Remote struct {
	Name  string
	Web   *Client   // set for a DICOMweb node
	DIMSE pacs.Node // the DIMSE peer when Web is nil
}

// IsWeb reports whether the node is a DICOMweb service.
func (r Remote) IsWeb() bool { return r.Web != nil }

// String names the node for messages (no credentials).
func (r Remote) String() string {
	if r.Web != nil {
		return r.Name + " (DICOMweb " + r.Web.host() + ")"
	}
	return r.Name + " (" + r.DIMSE.String() + ")"
}

// Resolve makes the Remote of a configured node. A DICOMweb node's secret
// (the password of User, or else a bearer token) is read from SecretFile,
// which must not be readable by group or others, or, without one, from
// $DISCDESK_DICOMWEB_PASSWORD or $DISCDESK_DICOMWEB_TOKEN as getenv gives
// them (nil: os.Getenv).
func Resolve(n settings.Node, getenv func(string) string) (Remote, error) {
	if !n.IsDICOMweb() {
		return Remote{Name: n.Name, DIMSE: pacs.Node{AETitle: n.AETitle, Host: n.Host, Port: n.Port}}, nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	password, token := getenv(EnvPassword), getenv(EnvToken)
	if n.SecretFile != "" {
		secret, err := readSecret(n.SecretFile)
		if err != nil {
			return Remote{}, fmt.Errorf("PACS node %s: %w", n.Name, err)
		}
		password, token = "", ""
		if n.User != "" {
			password = secret
		} else {
			token = secret
		}
	}
	if n.User != "" {
		token = ""
	}
	c, err := NewClient(n.URL, n.User, password, token, n.CAFile)
	if err != nil {
		return Remote{}, fmt.Errorf("PACS node %s: %w", n.Name, err)
	}
	return Remote{Name: n.Name, Web: c}, nil
}

// readSecret reads a password or token file: the first line, without its
// line end.
func readSecret(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrSecretFile, err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%w %s: readable by others (mode %04o): chmod 600 it", ErrSecretFile, path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrSecretFile, err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%w %s: empty", ErrSecretFile, path)
	}
	return line, nil
}

// Named resolves the configured node called name (getenv as for Resolve).
func Named(s settings.Settings, name string, getenv func(string) string) (Remote, error) {
	for _, n := range s.Nodes {
		if n.Name == name {
			return Resolve(n, getenv)
		}
	}
	return Remote{}, fmt.Errorf("%w: %q", ErrNoNode, name)
}

// FindStudies searches the node with C-FIND's keys: QIDO-RS /studies for a
// DICOMweb node, C-FIND with model for a DIMSE one (c is the SCU).
func (r Remote) FindStudies(ctx context.Context, c *pacs.Client, model pacs.Model, f pacs.StudyFilter) ([]pacs.Study, error) {
	if r.Web != nil {
		return r.Web.FindStudies(ctx, f)
	}
	return c.FindStudies(ctx, r.DIMSE, model, f)
}

// FindSeries lists the series of a study: QIDO-RS
// /studies/{study}/series, or C-FIND at SERIES level.
func (r Remote) FindSeries(ctx context.Context, c *pacs.Client, model pacs.Model, patientID, studyUID string) ([]pacs.Series, error) {
	if r.Web != nil {
		return r.Web.FindSeries(ctx, studyUID)
	}
	return c.FindSeries(ctx, r.DIMSE, model, patientID, studyUID)
}

// StudyInstanceCount asks the node for a study's Number of Study Related
// Instances (auto-burn's count): QIDO-RS /studies?StudyInstanceUID=, or
// C-FIND.
func (r Remote) StudyInstanceCount(ctx context.Context, c *pacs.Client, studyUID string) (int, error) {
	if r.Web == nil {
		return c.StudyInstanceCount(ctx, r.DIMSE, studyUID)
	}
	return r.Web.StudyInstanceCount(ctx, studyUID)
}

// StudyInstanceCount asks the service for a study's Number of Study
// Related Instances (QIDO-RS, PS3.18 Table 10.6.3-3 includes it for
// studies); pacs.ErrNoCount when the study is not there or the count not
// returned.
func (c *Client) StudyInstanceCount(ctx context.Context, studyUID string) (int, error) {
	res, err := c.SearchStudies(ctx, url.Values{"StudyInstanceUID": {studyUID}, "includefield": {TagNumberOfInstances}})
	if err != nil {
		return 0, err
	}
	for _, a := range res {
		if a.String(TagStudyInstanceUID) == studyUID {
			if n := atoi(a.String(TagNumberOfInstances)); n >= 0 {
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("count instances of a study on DICOMweb %s: %w", c.host(), pacs.ErrNoCount)
}

// Counter returns auto-burn's Count function for a configured node
// (pacs.AutoBurn.Count): ourAE is the calling AE title of C-FIND.
func (r Remote) Counter(ourAE string) func(ctx context.Context, studyUID string) (int, error) {
	c := &pacs.Client{AETitle: ourAE}
	return func(ctx context.Context, studyUID string) (int, error) { return r.StudyInstanceCount(ctx, c, studyUID) }
}
