package pgtest

import (
	"context"
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
	tb     testing.TB
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
	bin := Bin()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("pgtest: PostgreSQL (initdb, pg_ctl) not installed; packaging/install-deps.sh installs it")
		}
		tb.Skip("pgtest: PostgreSQL not installed")
	}
	s := &Server{bin: bin, tb: tb}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		tb.Fatal(err)
	}
	s.Dir = dir
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("pgtest: running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		tb.Fatal(err)
	}
	s.socket = filepath.Join(dir, "sock")
	s.run("mkdir", "-m", "0755", s.socket)
	s.run(filepath.Join(bin, "initdb"), "-D", s.data(), "-U", Admin, "-E", "UTF8", "--locale=C",
		"--auth-local=scram-sha-256", "--auth-host=reject", "-N")
	// The superuser signs in over the socket by peer trust; every other role by password.
	hba := "local all " + Admin + " trust\nlocal all all scram-sha-256\n"
	hbaPath := filepath.Join(s.data(), "pg_hba.conf")
	if err := os.WriteFile(hbaPath, []byte(hba), 0o600); err != nil {
		tb.Fatal(err)
	}
	if s.cred != nil {
		if err := os.Chown(hbaPath, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			tb.Fatal(err)
		}
	}
	s.StartAgain()
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) data() string { return filepath.Join(s.Dir, "data") }

// run runs a command as the server's user and fails the test on error.
func (s *Server) run(name string, args ...string) {
	s.tb.Helper()
	if out, err := s.cmd(name, args...).CombinedOutput(); err != nil {
		s.tb.Fatalf("pgtest: %s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
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

// StartAgain starts the (stopped) server; Start calls it once.
func (s *Server) StartAgain() {
	s.tb.Helper()
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c unix_socket_permissions=0777 -c max_connections=60", s.socket)
	s.run(filepath.Join(s.bin, "pg_ctl"), "-D", s.data(), "-l", filepath.Join(s.Dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
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
func (s *Server) CreateDB(name string) {
	s.tb.Helper()
	s.Psql("postgres", "CREATE DATABASE "+name)
}

// Psql runs sql through psql as the superuser on db and returns its output.
func (s *Server) Psql(db, sql string) string {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, filepath.Join(s.bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", s.socket, "-U", Admin, "-d", db, "-c", sql)
	out, err := c.CombinedOutput()
	if err != nil {
		s.tb.Fatalf("pgtest: psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}
