package info

import (
	"context"
	"strconv"
	"strings"
)

// Queries the supervision checks (internal/supervise) make of published
// records. Each counts only what the portal shows (published, 主动公开) and
// only what was published by the day asked about, so a check "as of" a day
// sees what the public saw then.

// GenreStat is how much an org has published in one 体裁 (a portal column).
type GenreStat struct {
	OrgID, Genre string
	Total        int
	Last         string // YYYY-MM-DD of the newest publication
}

// inClause appends ids as placeholders after args; nil ids adds nothing.
func inClause(col string, ids []string, args *[]any) string {
	if ids == nil {
		return ""
	}
	if len(ids) == 0 {
		return " AND 1=0"
	}
	ph := make([]string, len(ids))
	for i, id := range ids {
		*args = append(*args, id)
		ph[i] = "$" + strconv.Itoa(len(*args))
	}
	return " AND " + col + " IN (" + strings.Join(ph, ", ") + ")"
}

// GenreStats counts the public records of orgIDs (nil = all) per org and
// genre, published on or before until (YYYY-MM-DD), in one query.
func (s *Service) GenreStats(ctx context.Context, orgIDs []string, until string) ([]GenreStat, error) {
	args := []any{until}
	q := `SELECT org_id, genre, COUNT(*), MAX(published_on) FROM info_records
		WHERE status = 'published' AND attribute = 'proactive' AND published_on <= $1` + inClause("org_id", orgIDs, &args) +
		` GROUP BY org_id, genre ORDER BY org_id, genre`
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GenreStat
	for rows.Next() {
		var g GenreStat
		if err := rows.Scan(&g.OrgID, &g.Genre, &g.Total, &g.Last); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// CatalogPublications lists, per org and catalog item key, the days the
// item's public records were published (ascending), up to until.
func (s *Service) CatalogPublications(ctx context.Context, orgIDs []string, until string) (map[string]map[string][]string, error) {
	args := []any{until}
	q := `SELECT org_id, catalog_key, published_on FROM info_records
		WHERE status = 'published' AND attribute = 'proactive' AND catalog_key <> '' AND published_on <= $1` +
		inClause("org_id", orgIDs, &args) + ` ORDER BY org_id, catalog_key, published_on`
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string][]string{}
	for rows.Next() {
		var orgID, key, on string
		if err := rows.Scan(&orgID, &key, &on); err != nil {
			return nil, err
		}
		if out[orgID] == nil {
			out[orgID] = map[string][]string{}
		}
		out[orgID][key] = append(out[orgID][key], on)
	}
	return out, rows.Err()
}

// LateRecords lists the public records of orgIDs (nil = all) published
// between from and until (YYYY-MM-DD, inclusive) whose lag, computed at
// publication against the catalog item's limit or the statutory 20 working
// days, was over the limit.
func (s *Service) LateRecords(ctx context.Context, orgIDs []string, from, until string) ([]Record, error) {
	args := []any{from, until}
	return s.query(ctx, `WHERE status = 'published' AND attribute = 'proactive' AND late AND published_on >= $1
		AND published_on <= $2`+inClause("org_id", orgIDs, &args)+` ORDER BY published_on, id`, args...)
}
