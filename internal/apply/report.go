package apply

import (
	"context"
	"fmt"
	"strings"
)

// What the annual report (internal/report) needs of applications: the
// facts table 三 is counted from and the fees collected (section 六). No
// applicant's personal data leaves this file.

// ReportCase is one received application as table 三 counts it.
//
// A case is finished on RepliedOn: Reply writes replied_on for every
// outcome, including the two 视为放弃 closures (逾期不补正, 逾期未缴费),
// where it is the day staff recorded the closure after the applicant's
// deadline had lapsed. A case without RepliedOn is still being handled.
type ReportCase struct {
	ID, OrgID     string
	ApplicantType string
	ReceivedOn    string // YYYY-MM-DD, per 第三十一条
	RepliedOn     string // YYYY-MM-DD, "" while open
	Outcome       string // an Outcomes code once replied
}

func inList(col string, ids []string, args *[]any) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		*args = append(*args, id)
		ph[i] = fmt.Sprintf("$%d", len(*args))
	}
	return col + " IN (" + strings.Join(ph, ",") + ")"
}

// ReportCases returns the cases of orgs that table 三 of year can count:
// received (received_on set, so unconfirmed online applications are left
// out) on or before 31 December of year and not finished before 1 January
// of year. A transferred case belongs to the org holding it now.
func (s *Service) ReportCases(ctx context.Context, orgIDs []string, year int) ([]ReportCase, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	args := []any{fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, org_id, applicant_type, received_on, replied_on, outcome FROM apply_cases
		WHERE received_on <> '' AND received_on <= $2 AND (replied_on = '' OR replied_on >= $1) AND `+
		inList("org_id", orgIDs, &args)+` ORDER BY received_on, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReportCase
	for rows.Next() {
		var c ReportCase
		if err := rows.Scan(&c.ID, &c.OrgID, &c.ApplicantType, &c.ReceivedOn, &c.RepliedOn, &c.Outcome); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FeeTotal is the information processing fee (信息处理费) collected.
type FeeTotal struct {
	Cases  int   // applications whose fee was paid
	Amount int64 // in 分
}

// FeesPaid sums the fees paid in year to orgs: each 缴费 event dated in the
// year collects the amount of the case's latest fee notice before it (the
// payment records no amount of its own: the applicant pays what the notice
// asked).
func (s *Service) FeesPaid(ctx context.Context, orgIDs []string, year int) (FeeTotal, error) {
	var t FeeTotal
	if len(orgIDs) == 0 {
		return t, nil
	}
	args := []any{EvFeeNotice, EvFeePaid}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT e.case_id, e.kind, e.on_date, e.fee_amount FROM apply_events e
		JOIN apply_cases c ON c.id = e.case_id WHERE e.kind IN ($1, $2) AND `+inList("c.org_id", orgIDs, &args)+`
		ORDER BY e.case_id, e.seq`, args...)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	from, to := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	notice := map[string]int64{}
	paid := map[string]bool{}
	for rows.Next() {
		var id, kind, on string
		var amount int64
		if err := rows.Scan(&id, &kind, &on, &amount); err != nil {
			return t, err
		}
		switch {
		case kind == EvFeeNotice:
			notice[id] = amount
		case on >= from && on <= to && notice[id] > 0:
			t.Amount += notice[id]
			if !paid[id] {
				paid[id] = true
				t.Cases++
			}
		}
	}
	return t, rows.Err()
}
