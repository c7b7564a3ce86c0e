// Command gendocs rewrites the generated tables of docs/*.md from the code
// (see package discdesk/internal/conformance). Run it through
// `go generate ./internal/conformance`.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"discdesk/internal/conformance"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tables, err := conformance.Tables(root)
	if err != nil {
		return err
	}
	for _, name := range conformance.Documents {
		path := filepath.Join(root, "docs", name)
		doc, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		out, err := conformance.Splice(doc, tables)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path, out, fi.Mode().Perm()); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// repoRoot walks up from the working folder to the folder with go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working folder")
		}
		dir = parent
	}
}
