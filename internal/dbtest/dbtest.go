// Package dbtest gives each test a fresh, migrated database: a SQLite file
// in the test's temp dir, or, when GONGKAI_TEST_POSTGRES is set, a schema of
// its own on that PostgreSQL server. So every test that uses Open runs on
// the engine CI selects, and the whole suite runs once per engine.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"gongkai.dev/gongkai/internal/db"
)

// PostgresURL is the throwaway server's URL, or "" to use SQLite.
func PostgresURL() string { return os.Getenv("GONGKAI_TEST_POSTGRES") }

// URL returns a database URL for a fresh, empty database (not migrated):
// "" with a data dir for SQLite, or a postgres URL whose search_path is a
// new schema dropped when the test ends.
func URL(t testing.TB) (dbURL, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	base := PostgresURL()
	if base == "" {
		return "", dataDir
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: GONGKAI_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), dataDir
}

// Open returns a migrated database closed when the test ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	dbURL, dir := URL(t)
	d, err := db.Open(context.Background(), db.Config{URL: dbURL, DataDir: dir})
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("dbtest: migrate: %v", err)
	}
	return d
}
