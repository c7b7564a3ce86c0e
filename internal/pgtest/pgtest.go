package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
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
	cred   *syscall.Credential
	socket string
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
		if os.Getenv("CI") == "true" {
			tb.Fatal("pgtest: PostgreSQL (initdb, pg_ctl) not installed; packaging/install-deps.sh installs it")
		}
		tb.Skip("pgtest: PostgreSQL not installed")
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
	s := &Server{bin: bin}
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
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
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
	hbaPath := filepath.Join(s.data(), "pg_hba.conf")
	if err := os.WriteFile(hbaPath, []byte(hba), 0o600); err != nil {
		return err
	}
	if s.cred != nil {
		if err := os.Chown(hbaPath, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
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
	if s.cred != nil {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
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
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c unix_socket_permissions=0777 -c max_connections=60", s.socket)
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
	u := fmt.Sprintf("host=%s port=5432 user=%s dbname=%s sslmode=disable", s.socket, userName, db)
	if password != "" {
		u += " password=" + password
	}
	return u
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
		"-h", s.socket, "-U", Admin, "-d", db, "-c", sql)
	out, err := c.CombinedOutput()
	if err != nil {
		tb.Fatalf("pgtest: psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}
