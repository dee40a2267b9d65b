package db_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/dbtest"
)

func TestOpenMigrateIdempotent(t *testing.T) {
	d := dbtest.Open(t)
	want := db.SQLite
	if dbtest.PostgresURL() != "" {
		want = db.Postgres
	}
	if d.Engine != want {
		t.Fatalf("engine %s, want %s", d.Engine, want)
	}
	ctx := context.Background()
	v, err := d.SchemaVersion(ctx)
	if err != nil || v != d.LatestVersion() || v < 1 {
		t.Fatalf("schema version %d (%v), latest %d", v, err, d.LatestVersion())
	}
	applied, err := d.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, %v", applied, err)
	}
	st, err := d.MigrationStatus(ctx)
	if err != nil || len(st) == 0 || st[0].AppliedAt == "" {
		t.Fatalf("status %+v %v", st, err)
	}
	if err := d.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestUniqueViolation(t *testing.T) {
	d := dbtest.Open(t)
	ins := "INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 'x')"
	if _, err := d.W.Exec(ins); err != nil {
		t.Fatal(err)
	}
	_, err := d.W.Exec(ins)
	if !db.IsUniqueViolation(err) {
		t.Fatalf("IsUniqueViolation(%v) = false", err)
	}
	if db.IsUniqueViolation(nil) || db.IsUniqueViolation(os.ErrNotExist) {
		t.Fatal("false positive")
	}
}

func TestSQLiteReadPoolIsReadOnly(t *testing.T) {
	if dbtest.PostgresURL() != "" {
		t.Skip("SQLite only")
	}
	d := dbtest.Open(t)
	if _, err := d.R.Exec("INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 'x')"); err == nil {
		t.Fatal("read pool accepted a write")
	}
	var mode string
	if err := d.W.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v", mode, err)
	}
	var fk int
	if err := d.R.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys %d %v", fk, err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	// A data dir below a regular file cannot be created.
	file := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(file, []byte("x"), 0o600)
	_, err := db.Open(ctx, db.Config{DataDir: filepath.Join(file, "data")})
	if err == nil || !strings.Contains(err.Error(), "数据目录") {
		t.Fatalf("bad data dir: %v", err)
	}
	if os.Geteuid() != 0 { // root can write anywhere
		ro := t.TempDir()
		os.Chmod(ro, 0o500)
		defer os.Chmod(ro, 0o700)
		if _, err := db.Open(ctx, db.Config{DataDir: ro}); err == nil || !strings.Contains(err.Error(), "不可写") {
			t.Fatalf("read-only data dir: %v", err)
		}
	}
	_, err = db.Open(ctx, db.Config{URL: "mysql://x"})
	if err == nil || !strings.Contains(err.Error(), "不支持的数据库地址") {
		t.Fatalf("bad scheme: %v", err)
	}
	// Nothing listens on port 1; the message names the host, not the password.
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err = db.Open(cctx, db.Config{URL: "postgres://app:s3cret@127.0.0.1:1/x?sslmode=disable&connect_timeout=3"})
	if err == nil || !strings.Contains(err.Error(), "无法连接数据库 postgres://127.0.0.1:1/x") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("unreachable postgres: %v", err)
	}
}

func TestNewIDSortsAndDiffers(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 1000; i++ {
		id := db.NewID()
		if len(id) != 26 || seen[id] {
			t.Fatalf("bad or duplicate id %q", id)
		}
		seen[id] = true
		if i%500 == 0 {
			time.Sleep(2 * time.Millisecond)
			if prev != "" && id[:9] < prev[:9] {
				t.Fatalf("ids not time ordered: %s after %s", id, prev)
			}
			prev = id
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	in := time.Date(2026, 10, 23, 9, 30, 1, 123456789, time.FixedZone("CST", 8*3600))
	s := db.Time(in)
	if s != "2026-10-23T01:30:01.123Z" {
		t.Fatalf("Time = %s", s)
	}
	out, err := db.ParseTime(s)
	if err != nil || !out.Equal(in.Truncate(time.Millisecond)) {
		t.Fatalf("ParseTime = %v %v", out, err)
	}
}
