// Package db opens the embedded SQLite database or a PostgreSQL server behind
// one small API, owns the embedded migrations for both engines, and keeps the
// few dialect differences (error codes, locks) in one place. Capability
// packages write one SQL text for both engines: $1 placeholders, TEXT ids made
// by the application, times as fixed-width UTC text (see Time).
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Config says where the database is. URL wins over DataDir.
type Config struct {
	URL     string // postgres://… or sqlite:PATH; empty = DataDir/gongkai.db
	DataDir string
}

// DB is an open database. SQLite gets a single writer connection (SQLite
// allows one writer at a time; queueing in Go is cheaper than busy retries)
// and a pool of read-only connections; PostgreSQL uses one pool for both.
type DB struct {
	Engine Engine
	W      *sql.DB
	R      *sql.DB
	where  string // for messages: file path or host, never a password

	hooksMu sync.RWMutex
	hooks   []func(context.Context)
}

// AfterCommit registers fn to run after every committed Tx, before Tx
// returns. The change-log follower uses it so that derived views (search,
// page cache) reflect a change before the request that made it returns.
func (d *DB) AfterCommit(fn func(context.Context)) {
	d.hooksMu.Lock()
	d.hooks = append(d.hooks, fn)
	d.hooksMu.Unlock()
}

// Querier is what both *sql.DB and *sql.Tx offer; store functions take it
// so they can run inside a caller's transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Open connects and checks the connection. Errors are written for operators:
// they name the file or host and never include a password.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	u := strings.TrimSpace(cfg.URL)
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return openPostgres(ctx, u)
	case u == "":
		dir := cfg.DataDir
		if dir == "" {
			dir = "data"
		}
		if err := ensureWritableDir(dir); err != nil {
			return nil, err
		}
		return openSQLite(ctx, filepath.Join(dir, "gongkai.db"))
	case strings.HasPrefix(u, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if p == "" {
			return nil, fmt.Errorf("数据库地址 %q 缺少文件路径（例：sqlite:/srv/gongkai/gongkai.db）", u)
		}
		if err := ensureWritableDir(filepath.Dir(p)); err != nil {
			return nil, err
		}
		return openSQLite(ctx, p)
	default:
		return nil, fmt.Errorf("不支持的数据库地址 %q：应以 postgres:// 或 sqlite: 开头，或留空使用数据目录中的 SQLite", redact(u))
	}
}

func ensureWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("无法创建数据目录 %s：%v", dir, unwrapPathErr(err))
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("数据目录不可写：%s（%v）", dir, unwrapPathErr(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	base := "file:" + filepath.ToSlash(path) + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	// journal_mode is persistent in the file; set it on the writer only.
	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("无法打开数据库文件 %s：%v", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("无法打开数据库文件 %s：%v", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{Engine: SQLite, W: w, R: r, where: path}, nil
}

func openPostgres(ctx context.Context, u string) (*DB, error) {
	where := redact(u)
	p, err := sql.Open("pgx", u)
	if err != nil {
		return nil, fmt.Errorf("数据库地址无效（%s）：%v", where, err)
	}
	p.SetMaxOpenConns(20)
	p.SetMaxIdleConns(10)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("无法连接数据库 %s：%s", where, pgReason(err))
	}
	return &DB{Engine: Postgres, W: p, R: p, where: where}, nil
}

// pgReason shortens a connection error to its cause without the DSN.
func pgReason(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message + " (" + pe.Code + ")"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		s = s[i+2:]
	}
	return s
}

// redact removes the password from a database URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if strings.Contains(raw, "@") {
			return "(地址格式无法解析)"
		}
		return raw
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// Where describes the database for logs and status output.
func (d *DB) Where() string { return string(d.Engine) + " " + d.where }

// Close closes both pools.
func (d *DB) Close() error {
	err := d.W.Close()
	if d.R != d.W {
		if e := d.R.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers (used by /healthz).
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx runs fn in a write transaction and commits if it returns nil. On SQLite
// the transaction starts with BEGIN IMMEDIATE, so it never fails half-way on
// a lock upgrade. fn must use tx, not d.W: on SQLite d.W has one connection.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	d.hooksMu.RLock()
	hooks := d.hooks
	d.hooksMu.RUnlock()
	for _, h := range hooks {
		h(context.WithoutCancel(ctx))
	}
	return nil
}

// QueryStrings runs a query that returns one text column and collects it.
func QueryStrings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// IsUniqueViolation reports whether err is a unique or primary key conflict.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// TimeLayout is how times are stored: UTC, millisecond, fixed width, so text
// order is time order on both engines and hashes over stored rows are stable.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time formats t for storage.
func Time(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a stored time; an empty string is the zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(TimeLayout, s)
}

// MustTime is ParseTime for values this package wrote.
func MustTime(s string) time.Time {
	t, err := ParseTime(s)
	if err != nil {
		panic(fmt.Sprintf("db: stored time %q: %v", s, err))
	}
	return t
}

var idEnc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a 26-character id: 48 bits of milliseconds then 80 random
// bits, so ids sort roughly by creation and cannot be guessed.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:])
	return idEnc.EncodeToString(b[:])
}
