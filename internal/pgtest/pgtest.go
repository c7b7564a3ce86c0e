package pgtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Admin is the superuser the server is created with; it signs in over the
// socket without a password. Every other role needs its password
// (scram-sha-256).
const Admin = "postgres"

// A Server is one running test cluster.
type Server struct {
	Dir    string // the cluster's folder (data, socket, log)
	bin    string
	runAs  *[2]int // uid, gid of the postgres user when we are root
	socket string
	port   int
	tls    bool
	// CAFile is the PEM certificate of the authority that signed the
	// server's certificate (TLS servers only).
	CAFile string
}

// Bin returns the folder of initdb and pg_ctl, newest version first, or "".
func Bin() string {
	if b := os.Getenv("DISCDESK_PG_BIN"); b != "" {
		return b
	}
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(ms, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(ms[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(ms[j]))))
		return vi > vj
	})
	if len(ms) == 0 {
		return ""
	}
	return filepath.Dir(ms[0])
}

// Start creates and starts a cluster for tb; it is stopped and removed in
// tb's cleanup.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if Bin() == "" {
		// Never a skip: a test that needs the facility database fails
		// where PostgreSQL is missing, as CI (which installs it) would.
		tb.Fatal("pgtest: PostgreSQL (initdb, pg_ctl) not installed; packaging/install-deps.sh installs it")
	}
	s, err := Launch()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Launch creates and starts a cluster outside a test (a TestMain's shared
// server); the caller calls Close.
func Launch() (*Server, error) {
	bin := Bin()
	if bin == "" {
		return nil, errors.New("pgtest: PostgreSQL (initdb, pg_ctl) not installed; packaging/install-deps.sh installs it")
	}
	return launch(false)
}

// StartTLS is Start with a TCP listener on 127.0.0.1 (a free port chosen
// by the OS) that takes only TLS connections, with a certificate for
// 127.0.0.1 and localhost signed by a fresh CA (Server.CAFile).
func StartTLS(tb testing.TB) *Server {
	tb.Helper()
	if Bin() == "" {
		// Never a skip: a test that needs the facility database fails
		// where PostgreSQL is missing, as CI (which installs it) would.
		tb.Fatal("pgtest: PostgreSQL (initdb, pg_ctl) not installed; packaging/install-deps.sh installs it")
	}
	s, err := launch(true)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

func launch(withTLS bool) (*Server, error) {
	s := &Server{bin: Bin(), port: 5432, tls: withTLS}
	if withTLS {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		s.port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s.Dir = dir
	if err := s.create(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) create() error {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("pgtest: running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.runAs = &[2]int{uid, gid}
		if err := os.Chown(s.Dir, uid, gid); err != nil {
			return err
		}
	}
	if err := os.Chmod(s.Dir, 0o711); err != nil {
		return err
	}
	s.socket = filepath.Join(s.Dir, "sock")
	if err := s.run("mkdir", "-m", "0755", s.socket); err != nil {
		return err
	}
	if err := s.run(filepath.Join(s.bin, "initdb"), "-D", s.data(), "-U", Admin, "-E", "UTF8", "--locale=C",
		"--auth-local=scram-sha-256", "--auth-host=reject", "-N"); err != nil {
		return err
	}
	// The superuser signs in over the socket without a password; every other role by password.
	hba := "local all " + Admin + " trust\nlocal all all scram-sha-256\n"
	if s.tls {
		if err := s.writeCerts(); err != nil {
			return err
		}
		hba += "hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all all reject\n"
	}
	hbaPath := filepath.Join(s.data(), "pg_hba.conf")
	if err := os.WriteFile(hbaPath, []byte(hba), 0o600); err != nil {
		return err
	}
	if s.runAs != nil {
		if err := os.Chown(hbaPath, s.runAs[0], s.runAs[1]); err != nil {
			return err
		}
	}
	return s.start()
}

// Close stops the server and removes its folder.
func (s *Server) Close() {
	s.Stop()
	os.RemoveAll(s.Dir)
}

func (s *Server) data() string { return filepath.Join(s.Dir, "data") }

// run runs a command as the server's user.
func (s *Server) run(name string, args ...string) error {
	if out, err := s.cmd(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: %s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return nil
}

func (s *Server) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Dir = s.Dir
	c.Env = append(os.Environ(), "LC_ALL=C")
	if s.runAs != nil {
		runAs(c, s.runAs[0], s.runAs[1])
	}
	return c
}

// StartAgain starts the stopped server again, failing tb on error.
func (s *Server) StartAgain(tb testing.TB) {
	tb.Helper()
	if err := s.start(); err != nil {
		tb.Fatal(err)
	}
}

func (s *Server) start() error {
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c unix_socket_permissions=0777 -c max_connections=60 -c port=%d", s.socket, s.port)
	if s.tls {
		opts = fmt.Sprintf("-c listen_addresses=127.0.0.1 -k %s -c unix_socket_permissions=0777 -c max_connections=60 -c port=%d -c ssl=on -c ssl_cert_file=%s -c ssl_key_file=%s",
			s.socket, s.port, filepath.Join(s.Dir, "server.crt"), filepath.Join(s.Dir, "server.key"))
	}
	return s.run(filepath.Join(s.bin, "pg_ctl"), "-D", s.data(), "-l", filepath.Join(s.Dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
}

// Stop stops the server (fast shutdown: clients are disconnected). It is
// safe to call when the server is already stopped.
func (s *Server) Stop() {
	c := s.cmd(filepath.Join(s.bin, "pg_ctl"), "-D", s.data(), "-w", "-t", "60", "-m", "fast", "stop")
	c.Run()
}

// Socket is the folder holding the server's Unix socket (the libpq "host").
func (s *Server) Socket() string { return s.socket }

// URL returns a keyword/value connection string for user on database db
// (empty: the superuser on "postgres"). password may be empty.
func (s *Server) URL(userName, password, db string) string {
	if userName == "" {
		userName = Admin
	}
	if db == "" {
		db = "postgres"
	}
	u := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", s.socket, s.port, userName, db)
	if password != "" {
		u += " password=" + password
	}
	return u
}

// TCPURL is the connection string of user on db over the TLS listener
// (StartTLS servers), without a password and without TLS settings: the
// client brings the CA.
func (s *Server) TCPURL(userName, db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s", s.port, userName, db)
}

// writeCerts makes a CA and a server certificate signed by it.
func (s *Server) writeCerts() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pgtest CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	caCert, _ := x509.ParseCertificate(caDER)
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return err
	}
	s.CAFile = filepath.Join(s.Dir, "ca.crt")
	files := []struct {
		name string
		typ  string
		der  []byte
	}{{"ca.crt", "CERTIFICATE", caDER}, {"server.crt", "CERTIFICATE", srvDER}, {"server.key", "EC PRIVATE KEY", keyDER}}
	for _, f := range files {
		path := filepath.Join(s.Dir, f.name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			return err
		}
		if s.runAs != nil {
			if err := os.Chown(path, s.runAs[0], s.runAs[1]); err != nil {
				return err
			}
		}
	}
	return os.Chmod(s.CAFile, 0o644)
}

// AdminURL is the superuser's connection string to database db.
func (s *Server) AdminURL(db string) string { return s.URL("", "", db) }

// CreateDB creates database name as the superuser.
func (s *Server) CreateDB(tb testing.TB, name string) {
	tb.Helper()
	s.Psql(tb, "postgres", "CREATE DATABASE "+name)
}

// Psql runs sql through psql as the superuser on db and returns its output.
func (s *Server) Psql(tb testing.TB, db, sql string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, filepath.Join(s.bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", s.socket, "-p", strconv.Itoa(s.port), "-U", Admin, "-d", db, "-c", sql)
	out, err := c.CombinedOutput()
	if err != nil {
		tb.Fatalf("pgtest: psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}
