package info

import (
	"context"
	"fmt"
	"strings"

	"gongkai.dev/gongkai/internal/workday"
)

// What the annual report (internal/report) counts from the records: table
// 二's 规章 and 行政规范性文件 rows, and the year's proactive disclosures by
// genre for the draft of section 一.

// ReportGenres are the genres of table 二's 第二十条第（一）项 rows, in
// table order.
var ReportGenres = []string{"规章", GenreNormative}

// PolicyCounts are one table 二 row: 本年制发件数, 本年废止件数, 现行有效件数.
type PolicyCounts struct {
	Made      int `json:"made"`
	Abolished int `json:"abolished"`
	InForce   int `json:"in_force"`
}

// endOf is the day a published document stopped being in force: the date
// it was marked 已废止 or 已失效, or the day after its 有效期至 when it has
// one that passed without anyone marking it (the sweep lists those; the
// report states the legal position, not the bookkeeping). 已修改 keeps a
// document in force as amended.
func endOf(validity, validityOn, validUntil string) string {
	if (validity == ValidAbolished || validity == ValidExpired) && validityOn != "" {
		return validityOn
	}
	if validUntil != "" {
		if d, err := workday.ParseDate(validUntil); err == nil {
			return d.AddDays(1).String()
		}
	}
	return ""
}

// PolicyReport counts, per ReportGenres genre, the published proactive
// documents of orgs for table 二 of year:
//
//   - 本年制发: issued in the year. Issued means the 成文日期 (the 形成日期
//     when none is recorded), not the day the record went online: the
//     policy library is filled back with older documents (应入尽入), and a
//     2019 document published on the portal in 2026 was not made in 2026.
//   - 本年废止: stopped being in force in the year (see endOf).
//   - 现行有效: issued on or before 31 December and still in force then.
//
// Withdrawn records are not counted: withdrawal takes a record off the
// portal because it should not have been there.
func (s *Service) PolicyReport(ctx context.Context, orgIDs []string, year int) (map[string]PolicyCounts, error) {
	out := map[string]PolicyCounts{}
	for _, g := range ReportGenres {
		out[g] = PolicyCounts{}
	}
	if len(orgIDs) == 0 {
		return out, nil
	}
	args := []any{ReportGenres[0], ReportGenres[1]}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT genre, written_on, formed_on, validity, validity_on, valid_until FROM info_records
		WHERE status = 'published' AND attribute = 'proactive' AND genre IN ($1, $2) AND `+inOrgs(orgIDs, &args), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	from, to := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	for rows.Next() {
		var genre, written, formed, validity, validityOn, validUntil string
		if err := rows.Scan(&genre, &written, &formed, &validity, &validityOn, &validUntil); err != nil {
			return nil, err
		}
		issued, ended := written, endOf(validity, validityOn, validUntil)
		if issued == "" {
			issued = formed
		}
		c := out[genre]
		if issued >= from && issued <= to {
			c.Made++
		}
		if ended >= from && ended <= to {
			c.Abolished++
		}
		if issued <= to && (ended == "" || ended > to) {
			c.InForce++
		}
		out[genre] = c
	}
	return out, rows.Err()
}

// ProactiveCounts counts the proactive records orgs published in year (by
// publication date), per genre.
func (s *Service) ProactiveCounts(ctx context.Context, orgIDs []string, year int) (map[string]int, error) {
	out := map[string]int{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	args := []any{fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT genre, COUNT(*) FROM info_records WHERE status = 'published'
		AND attribute = 'proactive' AND published_on BETWEEN $1 AND $2 AND `+inOrgs(orgIDs, &args)+` GROUP BY genre`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return nil, err
		}
		out[g] = n
	}
	return out, rows.Err()
}

func inOrgs(ids []string, args *[]any) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		*args = append(*args, id)
		ph[i] = fmt.Sprintf("$%d", len(*args))
	}
	return "org_id IN (" + strings.Join(ph, ",") + ")"
}
