// Package changes is the change log of public content. Every transaction
// that changes what the public can see (a record published, withdrawn or
// re-marked; a catalog published; an org renamed; site settings) appends
// one entry in the same transaction. Derived views — the search index and
// the portal page cache — are never the truth: they remember the sequence
// number they last applied and read the log from there, right after a
// commit, at start-up and on other replicas alike.
package changes

import (
	"context"
	"fmt"
	"time"

	"gongkai.dev/gongkai/internal/db"
)

// Kinds of changed objects.
const (
	Info    = "info"    // an info record (ObjectID = record id)
	Catalog = "catalog" // an org's published catalog (ObjectID = org id)
	Org     = "org"     // an org's public data (ObjectID = org id)
	Site    = "site"    // site settings or anything that touches every page
	Report  = "report"  // an org's published annual report (ObjectID = report id)
)

// Change is one entry of the log.
type Change struct {
	Seq      int64
	At       time.Time
	Kind     string
	ObjectID string
	OrgID    string
}

// Append records a change in tx. The UPDATE of the head row serialises
// appends until commit (a row lock on PostgreSQL; SQLite has one writer),
// so sequence numbers become visible in order and without gaps: a reader
// that has seen N has seen everything before N.
func Append(ctx context.Context, tx db.Querier, at time.Time, kind, objectID, orgID string) (int64, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, "UPDATE change_head SET seq = seq + 1 WHERE id = 1 RETURNING seq").Scan(&seq); err != nil {
		return 0, fmt.Errorf("change head: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO changes (seq, at, kind, object_id, org_id) VALUES ($1, $2, $3, $4, $5)",
		seq, db.Time(at), kind, objectID, orgID); err != nil {
		return 0, fmt.Errorf("change insert: %w", err)
	}
	return seq, nil
}

// Last returns the newest sequence number (0 when the log is empty).
func Last(ctx context.Context, q db.Querier) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, "SELECT seq FROM change_head WHERE id = 1").Scan(&seq)
	return seq, err
}

// Since returns up to limit changes after seq, oldest first.
func Since(ctx context.Context, q db.Querier, seq int64, limit int) ([]Change, error) {
	rows, err := q.QueryContext(ctx, "SELECT seq, at, kind, object_id, org_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
		seq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var at string
		if err := rows.Scan(&c.Seq, &at, &c.Kind, &c.ObjectID, &c.OrgID); err != nil {
			return nil, err
		}
		c.At = db.MustTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
