package pacs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"path/filepath"
	"testing"
	"time"

	"discdesk/internal/corpus"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "discdesk test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestTLSEchoAndStore(t *testing.T) {
	cert, pool := selfSigned(t)
	_, n, sink := startServer(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	c := &Client{AETitle: callerAE, TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	ctx := context.Background()
	if err := c.Echo(ctx, n); err != nil {
		t.Fatalf("echo over TLS: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if _, err := c.Store(ctx, n, files[:3]); err != nil {
		t.Fatalf("store over TLS: %v", err)
	}
	checkArrived(t, sink, files[:3])
	// A plain-TCP peer gets nowhere, and a client not trusting the
	// certificate refuses the server.
	if err := (&Client{AETitle: callerAE}).Echo(ctx, n); err == nil {
		t.Error("plain TCP echo succeeded against a TLS listener")
	}
	if err := (&Client{AETitle: callerAE, TLS: &tls.Config{MinVersion: tls.VersionTLS12}}).Echo(ctx, n); err == nil {
		t.Error("TLS client accepted an untrusted certificate")
	}
}
