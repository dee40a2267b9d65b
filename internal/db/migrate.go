package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations live in migrations/common (SQL both engines accept) and
// migrations/sqlite, migrations/postgres for what differs. A file is named
// NNNN_name.sql; a version's common and engine files run in one transaction,
// common first, so a failed migration leaves the schema as it was.
//
//go:embed migrations
var migrationFS embed.FS

// Migration is one schema version.
type Migration struct {
	Version   int
	Name      string
	AppliedAt string // empty when pending
	files     []string
}

func (d *DB) migrations() ([]Migration, error) {
	byVersion := map[int]*Migration{}
	for _, dir := range []string{"common", string(d.Engine)} {
		entries, err := fs.ReadDir(migrationFS, "migrations/"+dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue // no engine-specific migrations yet
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".sql") {
				continue
			}
			num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
			v, err := strconv.Atoi(num)
			if !ok || err != nil || v <= 0 {
				return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", name)
			}
			m := byVersion[v]
			if m == nil {
				m = &Migration{Version: v, Name: rest}
				byVersion[v] = m
			}
			m.files = append(m.files, path.Join("migrations", dir, name))
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// Migrate applies pending migrations and returns the ones it applied. On
// PostgreSQL an advisory lock makes replicas starting together take turns.
func (d *DB) Migrate(ctx context.Context) ([]Migration, error) {
	all, err := d.migrations()
	if err != nil {
		return nil, err
	}
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if d.Engine == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7012026)"); err != nil {
			return nil, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7012026)")
	}
	if _, err := conn.ExecContext(ctx, createVersionTable); err != nil {
		return nil, fmt.Errorf("创建版本表失败：%w", err)
	}
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	if latest := all[len(all)-1].Version; current > latest {
		return nil, fmt.Errorf("数据库结构版本 %d 高于本程序支持的版本 %d，请使用更新的 gongkai", current, latest)
	}
	var applied []Migration
	for _, m := range all {
		if m.Version <= current {
			continue
		}
		if err := d.apply(ctx, conn, m); err != nil {
			return applied, err
		}
		applied = append(applied, m)
	}
	return applied, nil
}

func (d *DB) apply(ctx context.Context, conn *sql.Conn, m Migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Re-check inside the transaction: another process may have applied it.
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1", m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, f := range m.files {
		body, err := migrationFS.ReadFile(f)
		if err != nil {
			return err
		}
		for _, stmt := range splitStatements(string(body)) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("迁移 %04d_%s 失败（%s）：%w", m.Version, m.Name, path.Base(f), err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
		m.Version, m.Name, Time(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// splitStatements splits a migration on semicolons at line ends. Migrations
// keep to that style (no semicolons inside string literals at a line end).
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && cur.Len() == 0 {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func schemaVersion(ctx context.Context, q Querier) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// MigrationStatus lists every known migration with when it was applied.
func (d *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	all, err := d.migrations()
	if err != nil {
		return nil, err
	}
	if _, err := d.W.ExecContext(ctx, createVersionTable); err != nil {
		return nil, err
	}
	rows, err := d.R.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		applied[v] = at
	}
	for i := range all {
		all[i].AppliedAt = applied[all[i].Version]
	}
	return all, rows.Err()
}

// SchemaVersion is the highest applied migration (0 on an empty database).
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var exists int
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	if d.Engine == Postgres {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
	}
	if err := d.R.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return 0, err
	}
	if exists == 0 {
		return 0, nil
	}
	return schemaVersion(ctx, d.R)
}

// LatestVersion is the newest migration this binary carries.
func (d *DB) LatestVersion() int {
	all, err := d.migrations()
	if err != nil || len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Version
}
