package apply

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Administrative review and litigation brought against a case's handling:
// the source of annual report table 四 (国办公开办函〔2021〕30号).

// Remedy kinds: the table's three groups.
const (
	RemedyReview          = "review"            // 行政复议
	RemedySuitDirect      = "suit_direct"       // 行政诉讼：未经复议直接起诉
	RemedySuitAfterReview = "suit_after_review" // 行政诉讼：复议后起诉
)

// Remedy results: the table's columns before 总计.
const (
	ResultMaintained = "maintained" // 结果维持
	ResultCorrected  = "corrected"  // 结果纠正
	ResultOther      = "other"      // 其他结果
	ResultPending    = "pending"    // 尚未审结
)

// RemedyKinds and RemedyResults in table order, with labels.
var (
	RemedyKinds = []struct{ Code, Label string }{
		{RemedyReview, "行政复议"}, {RemedySuitDirect, "行政诉讼（未经复议直接起诉）"}, {RemedySuitAfterReview, "行政诉讼（复议后起诉）"},
	}
	RemedyResults = []struct{ Code, Label string }{
		{ResultMaintained, "结果维持"}, {ResultCorrected, "结果纠正"}, {ResultOther, "其他结果"}, {ResultPending, "尚未审结"},
	}
)

// Remedy is one review or lawsuit about a case.
type Remedy struct {
	ID, CaseID, Kind, FiledOn, Result, DecidedOn, Note string
}

func label(list []struct{ Code, Label string }, code string) string {
	for _, x := range list {
		if x.Code == code {
			return x.Label
		}
	}
	return code
}

// RemedyKindLabel and RemedyResultLabel name codes in Chinese.
func RemedyKindLabel(code string) string   { return label(RemedyKinds, code) }
func RemedyResultLabel(code string) string { return label(RemedyResults, code) }

func validateRemedy(r *Remedy, today workday.Date, repliedOn string) error {
	r.FiledOn, r.DecidedOn, r.Note = strings.TrimSpace(r.FiledOn), strings.TrimSpace(r.DecidedOn), strings.TrimSpace(r.Note)
	var fs apperr.Fields
	if !oneOf(r.Kind, RemedyKinds, func(x struct{ Code, Label string }) string { return x.Code }) {
		fs.Add("kind", "请选择行政复议或行政诉讼的类别")
	}
	if !oneOf(r.Result, RemedyResults, func(x struct{ Code, Label string }) string { return x.Code }) {
		fs.Add("result", "请选择审理结果（尚未审结的选“尚未审结”）")
	}
	filed, err := workday.ParseDate(r.FiledOn)
	switch {
	case err != nil:
		fs.Add("filed_on", "申请复议或起诉日期应为 YYYY-MM-DD 格式")
	case filed.After(today):
		fs.Add("filed_on", "申请复议或起诉日期不能晚于今天")
	case repliedOn != "" && filed.Before(optDate(repliedOn)):
		fs.Add("filed_on", "申请复议或起诉日期不能早于答复日期 "+repliedOn)
	}
	if r.Result == ResultPending {
		if r.DecidedOn != "" {
			fs.Add("decided_on", "尚未审结的不填审结日期")
		}
	} else if d, err := workday.ParseDate(r.DecidedOn); err != nil {
		fs.Add("decided_on", "已审结的请填写审结日期（YYYY-MM-DD）")
	} else if d.After(today) || (err == nil && d.Before(filed)) {
		fs.Add("decided_on", "审结日期应在申请复议或起诉日期与今天之间")
	}
	if utf8.RuneCountInString(r.Note) > 1000 {
		fs.Add("note", "说明最多 1000 字")
	}
	return fs.Err()
}

// SaveRemedy records a review or lawsuit against a replied case, or
// updates one (its result, once decided). r.ID empty adds a new one.
func (s *Service) SaveRemedy(ctx context.Context, p *org.Principal, ip, caseID string, r Remedy) (Case, error) {
	return s.update(ctx, p, caseID, org.PermApplyHandle, func(tx *sql.Tx, c Case, now time.Time) error {
		if c.Status != StatusClosed && c.Status != StatusArchived {
			return apperr.New(apperr.Conflict, "申请尚未办结，不能登记行政复议或行政诉讼")
		}
		if err := validateRemedy(&r, workday.DateOf(now), c.RepliedOn); err != nil {
			return err
		}
		r.CaseID = c.ID
		action, before := "apply.remedy_add", map[string]any{}
		if r.ID == "" {
			r.ID = db.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO apply_remedies (id, case_id, kind, filed_on, result, decided_on, note,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, r.ID, c.ID, r.Kind, r.FiledOn, r.Result,
				r.DecidedOn, r.Note, db.Time(now)); err != nil {
				return err
			}
		} else {
			var old Remedy
			err := tx.QueryRowContext(ctx, `SELECT kind, filed_on, result, decided_on FROM apply_remedies WHERE id = $1 AND case_id = $2`,
				r.ID, c.ID).Scan(&old.Kind, &old.FiledOn, &old.Result, &old.DecidedOn)
			if err == sql.ErrNoRows {
				return apperr.NotFoundf("该复议或诉讼记录不存在")
			} else if err != nil {
				return err
			}
			action, before = "apply.remedy_update", map[string]any{"kind": old.Kind, "filed_on": old.FiledOn, "result": old.Result,
				"decided_on": old.DecidedOn}
			if _, err := tx.ExecContext(ctx, `UPDATE apply_remedies SET kind = $2, filed_on = $3, result = $4, decided_on = $5,
				note = $6, updated_at = $7 WHERE id = $1`, r.ID, r.Kind, r.FiledOn, r.Result, r.DecidedOn, r.Note, db.Time(now)); err != nil {
				return err
			}
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: action, ObjectType: "apply",
			ObjectID: c.ID, Summary: fmt.Sprintf("申请 %s：%s（%s）%s", c.TrackingNo, RemedyKindLabel(r.Kind), r.FiledOn, RemedyResultLabel(r.Result)),
			Before: before, After: map[string]any{"id": r.ID, "kind": r.Kind, "filed_on": r.FiledOn, "result": r.Result, "decided_on": r.DecidedOn}})
		return err
	})
}

// Remedies lists a case's reviews and lawsuits.
func (s *Service) Remedies(ctx context.Context, caseID string) ([]Remedy, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, case_id, kind, filed_on, result, decided_on, note FROM apply_remedies
		WHERE case_id = $1 ORDER BY filed_on, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Remedy
	for rows.Next() {
		var r Remedy
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Kind, &r.FiledOn, &r.Result, &r.DecidedOn, &r.Note); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RemedyTable is annual report table 四 for orgs and a year: per kind (the
// table's three groups, in RemedyKinds order) the count per result (in
// RemedyResults order) and the total. A review or lawsuit counts in the year
// it was filed; one not decided by the end of that year counts as 尚未审结
// (the report states the position at year end).
type RemedyTable [3][5]int

func (s *Service) RemedyTable(ctx context.Context, orgIDs []string, year int) (RemedyTable, error) {
	var t RemedyTable
	if len(orgIDs) == 0 {
		return t, nil
	}
	args := []any{fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)}
	var ph []string
	for _, id := range orgIDs {
		args = append(args, id)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT r.kind, r.result, r.decided_on FROM apply_remedies r
		JOIN apply_cases c ON c.id = r.case_id WHERE r.filed_on BETWEEN $1 AND $2 AND c.org_id IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	end := fmt.Sprintf("%04d-12-31", year)
	for rows.Next() {
		var kind, result, decided string
		if err := rows.Scan(&kind, &result, &decided); err != nil {
			return t, err
		}
		if result != ResultPending && decided > end {
			result = ResultPending
		}
		k, r := -1, -1
		for i, x := range RemedyKinds {
			if x.Code == kind {
				k = i
			}
		}
		for i, x := range RemedyResults {
			if x.Code == result {
				r = i
			}
		}
		if k < 0 || r < 0 {
			return t, fmt.Errorf("apply_remedies: unknown kind %q or result %q", kind, result)
		}
		t[k][r]++
		t[k][4]++
	}
	return t, rows.Err()
}
