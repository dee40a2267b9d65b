package workday

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
)

// Store keeps the years administrators entered (next year's 调休 is
// announced each November) in the database, on top of the built-in years.
// A stored year replaces a built-in one, so an official correction can be
// entered without a new release. Every replica reads the same table, so all
// deadlines agree.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

const maxYearFile = 64 << 10

// Calendar returns the built-in years plus the stored ones.
func (s *Store) Calendar(ctx context.Context) (*Calendar, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT year, body FROM workday_years ORDER BY year")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cal := Builtin()
	for rows.Next() {
		var year int
		var body string
		if err := rows.Scan(&year, &body); err != nil {
			return nil, err
		}
		y, err := ParseYearFile(strings.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("stored calendar %d: %w", year, err)
		}
		if cal, err = cal.With(y); err != nil {
			return nil, err
		}
	}
	return cal, rows.Err()
}

// Import reads one year in the ParseYearFile format and stores it. Errors
// in the file are Invalid errors naming the line.
func (s *Store) Import(ctx context.Context, actor audit.Actor, r io.Reader) (Year, error) {
	// A year's table is a few hundred bytes; refuse rather than truncate, so
	// a cut-off file can never pass as a shorter year.
	raw, err := io.ReadAll(io.LimitReader(r, maxYearFile+1))
	if err != nil {
		return Year{}, err
	}
	if len(raw) > maxYearFile {
		return Year{}, apperr.Field("body", "节假日安排文件超过 64 KB，不是一年的安排")
	}
	y, err := ParseYearFile(bytes.NewReader(raw))
	if err != nil {
		if e, ok := apperr.As(err); ok && len(e.Fields) == 0 {
			return y, &apperr.Error{Kind: e.Kind, Message: e.Message, Fields: []apperr.FieldError{{Field: "body", Message: e.Message}}}
		}
		return y, err
	}
	body := FormatYearFile(y)
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, "SELECT body FROM workday_years WHERE year = $1", y.Year).Scan(&old)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO workday_years (year, body, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (year) DO UPDATE SET body = $2, updated_at = $3, updated_by = $4`, y.Year, body, db.Time(now), actor.Name); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "calendar.import", ObjectType: "calendar",
			ObjectID: fmt.Sprint(y.Year), Summary: fmt.Sprintf("录入 %d 年节假日安排（%d 个放假日，%d 个调休上班日）", y.Year, len(y.Holidays), len(y.Makeup)),
			Before: map[string]string{"body": old}, After: map[string]string{"body": body}})
		return err
	})
	return y, err
}
