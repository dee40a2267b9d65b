// Package audit owns the evidence chain (证据链): an append-only log of every
// state change, each event carrying the hash of the one before it. Events are
// appended inside the transaction of the change they record, so a change and
// its evidence commit or vanish together. Verify proves no event was altered,
// removed, inserted or reordered, and that none was cut off the end.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gongkai.dev/gongkai/internal/db"
)

// Actor is who did something. System actors (CLI, scheduler) have an id
// starting with "system:".
type Actor struct {
	ID   string
	Name string
	IP   string
}

// System is the actor for operator commands and background jobs: id is
// stable ("cli:root", "demo"), label is what staff read (命令行（root）).
func System(id, label string) Actor { return Actor{ID: "system:" + id, Name: label} }

// Event is a state change to record. Before and After are summaries of the
// object (marshalled to JSON), not necessarily whole rows.
type Event struct {
	Actor      Actor
	OrgID      string
	Action     string // e.g. "org.create", "user.disable"
	ObjectType string
	ObjectID   string
	Summary    string // one line for people, zh-CN
	Before     any
	After      any
}

// Record is a stored event.
type Record struct {
	Seq        int64
	At         time.Time
	ActorID    string
	ActorName  string
	OrgID      string
	Action     string
	ObjectType string
	ObjectID   string
	Summary    string
	BeforeJSON string
	AfterJSON  string
	IP         string
	PrevHash   string
	Hash       string
}

// Append records e in tx at time at. The UPDATE of the head row is the lock
// that serialises appends (a row lock on PostgreSQL; SQLite has one writer).
func Append(ctx context.Context, tx db.Querier, at time.Time, e Event) (int64, error) {
	before, err := marshal(e.Before)
	if err != nil {
		return 0, err
	}
	after, err := marshal(e.After)
	if err != nil {
		return 0, err
	}
	r := Record{
		At: at.UTC().Truncate(time.Millisecond), ActorID: e.Actor.ID, ActorName: e.Actor.Name, OrgID: e.OrgID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Summary: e.Summary,
		BeforeJSON: before, AfterJSON: after, IP: e.Actor.IP,
	}
	if err := tx.QueryRowContext(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").
		Scan(&r.Seq, &r.PrevHash); err != nil {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	r.Hash = r.computeHash()
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events
		(seq, at, actor_id, actor_name, org_id, action, object_type, object_id, summary, before_json, after_json, ip, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.Seq, db.Time(r.At), r.ActorID, r.ActorName, r.OrgID, r.Action, r.ObjectType, r.ObjectID, r.Summary,
		r.BeforeJSON, r.AfterJSON, r.IP, r.PrevHash, r.Hash); err != nil {
		return 0, fmt.Errorf("audit insert: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE audit_head SET hash = $1 WHERE id = 1", r.Hash); err != nil {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	return r.Seq, nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	return string(b), nil
}

// computeHash hashes every stored field but the hash itself, in a fixed JSON
// array, so the same row gives the same hash on both engines.
func (r *Record) computeHash() string {
	fields := []any{r.Seq, db.Time(r.At), r.ActorID, r.ActorName, r.OrgID, r.Action, r.ObjectType, r.ObjectID,
		r.Summary, r.BeforeJSON, r.AfterJSON, r.IP, r.PrevHash}
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Result is the outcome of Verify.
type Result struct {
	Events   int64
	HeadSeq  int64
	HeadHash string
	// BadSeq is the first event that fails (0 when the chain is intact);
	// Problem says what is wrong with it, in Chinese.
	BadSeq  int64
	Problem string
}

// OK reports whether the chain verified.
func (r Result) OK() bool { return r.Problem == "" }

// Verify walks the whole chain in order.
func Verify(ctx context.Context, q db.Querier) (Result, error) {
	var res Result
	if err := q.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&res.HeadSeq, &res.HeadHash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			res.Problem = "证据链头记录缺失"
			return res, nil
		}
		return res, err
	}
	rows, err := q.QueryContext(ctx, selectCols+" ORDER BY seq")
	if err != nil {
		return res, err
	}
	defer rows.Close()
	prev := ""
	var want int64 = 1
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return res, err
		}
		res.Events++
		switch {
		case r.Seq != want:
			res.BadSeq, res.Problem = want, fmt.Sprintf("第 %d 号事件缺失（下一条是第 %d 号）：事件被删除或编号被改动", want, r.Seq)
		case r.PrevHash != prev:
			res.BadSeq, res.Problem = r.Seq, fmt.Sprintf("第 %d 号事件的前序哈希与第 %d 号事件不符：事件被删除、插入或重排", r.Seq, r.Seq-1)
		case r.computeHash() != r.Hash:
			res.BadSeq, res.Problem = r.Seq, fmt.Sprintf("第 %d 号事件的内容与其哈希不符：事件被改动", r.Seq)
		}
		if res.Problem != "" {
			return res, nil
		}
		prev = r.Hash
		want++
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if res.HeadSeq != want-1 || res.HeadHash != prev {
		res.BadSeq = want
		res.Problem = fmt.Sprintf("证据链头指向第 %d 号事件，但链上最后一条是第 %d 号：链尾事件被删除或头记录被改动", res.HeadSeq, want-1)
	}
	return res, nil
}

const selectCols = `SELECT seq, at, actor_id, actor_name, org_id, action, object_type, object_id, summary,
	before_json, after_json, ip, prev_hash, hash FROM audit_events`

func scan(rows *sql.Rows) (Record, error) {
	var r Record
	var at string
	err := rows.Scan(&r.Seq, &at, &r.ActorID, &r.ActorName, &r.OrgID, &r.Action, &r.ObjectType, &r.ObjectID,
		&r.Summary, &r.BeforeJSON, &r.AfterJSON, &r.IP, &r.PrevHash, &r.Hash)
	if err != nil {
		return r, err
	}
	r.At, err = db.ParseTime(at)
	return r, err
}

// Filter selects events for listing. Empty OrgIDs means all orgs.
type Filter struct {
	OrgIDs     []string
	ObjectType string
	ObjectID   string
	BeforeSeq  int64 // paging: events older than this; 0 = newest
	Limit      int
}

// List returns events newest first.
func List(ctx context.Context, q db.Querier, f Filter) ([]Record, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	query := selectCols + " WHERE 1=1"
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		query += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	if f.OrgIDs != nil {
		if len(f.OrgIDs) == 0 {
			return nil, nil
		}
		query += " AND org_id IN ("
		for i, id := range f.OrgIDs {
			args = append(args, id)
			if i > 0 {
				query += ", "
			}
			query += fmt.Sprintf("$%d", len(args))
		}
		query += ")"
	}
	args = append(args, f.Limit)
	query += fmt.Sprintf(" ORDER BY seq DESC LIMIT $%d", len(args))
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
