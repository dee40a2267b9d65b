package apply

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/workday"
)

// Handling faults the supervision checks (internal/supervise) count, beside
// the open cases' reminders (Due): a correction notice sent after the 7
// working days of 第三十条, and a reply recorded without its legal basis.
// Like the reminders they are derived from the stored events, nothing else.

// Supervision flag kinds.
const (
	FlagCorrectionLate = "correction_late" // 补正告知超过第三十条的 7 个工作日
	FlagNoBasis        = "no_basis"        // 答复未载明法律依据
)

// SuperviseFlag is one fault on one case, without applicant data.
type SuperviseFlag struct {
	CaseID, TrackingNo, OrgID string
	Kind                      string
	Message                   string // Chinese, with the dates
}

// SuperviseFlags lists the faults of the cases of orgIDs (nil = all)
// received between since and today (inclusive). A case whose clock cannot
// be computed (a calendar year missing) is skipped here; the reminders
// already report it as a clock error.
func (s *Service) SuperviseFlags(ctx context.Context, orgIDs []string, since, today workday.Date) ([]SuperviseFlag, error) {
	if orgIDs != nil && len(orgIDs) == 0 {
		return nil, nil
	}
	args := []any{since.String(), today.String()}
	where := "c.received_on <> '' AND c.received_on >= $1 AND c.received_on <= $2"
	if orgIDs != nil {
		ph := make([]string, len(orgIDs))
		for i, id := range orgIDs {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		where += " AND c.org_id IN (" + strings.Join(ph, ", ") + ")"
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT c.id, c.tracking_no, c.org_id, c.status, c.outcome, c.replied_on, c.reply_basis,
		COALESCE(e.seq, 0), COALESCE(e.kind, ''), COALESCE(e.on_date, ''), COALESCE(e.days, 0), COALESCE(e.until_date, ''),
		COALESCE(e.party, ''), COALESCE(e.ref, '')
		FROM apply_cases c LEFT JOIN apply_events e ON e.case_id = c.id
		WHERE `+where+` ORDER BY c.received_on, c.id, e.seq`, args...)
	if err != nil {
		return nil, err
	}
	type row struct {
		id, tracking, org, status, outcome, replied, basis string
		events                                             []ClockEvent
	}
	var cases []row
	for rows.Next() {
		var c row
		var seq int
		var e ClockEvent
		var on, until string
		if err := rows.Scan(&c.id, &c.tracking, &c.org, &c.status, &c.outcome, &c.replied, &c.basis, &seq, &e.Kind, &on,
			&e.Days, &until, &e.Party, &e.Ref); err != nil {
			rows.Close()
			return nil, err
		}
		if n := len(cases); n == 0 || cases[n-1].id != c.id {
			cases = append(cases, c)
		}
		if seq > 0 {
			e.On, e.Until = optDate(on), optDate(until)
			last := &cases[len(cases)-1]
			last.events = append(last.events, e)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var cal *workday.Calendar
	var out []SuperviseFlag
	for _, c := range cases {
		base := SuperviseFlag{CaseID: c.id, TrackingNo: c.tracking, OrgID: c.org}
		noticed := false
		for _, e := range c.events {
			noticed = noticed || e.Kind == EvCorrectionNotice
		}
		if noticed {
			if cal == nil {
				if cal, err = s.Calendar(ctx); err != nil {
					return nil, err
				}
			}
			clock, err := Compute(cal, s.rules(), c.events, today)
			if err == nil && clock.CorrectionNoticeLate {
				var sent workday.Date
				for _, e := range c.events {
					if e.Kind == EvCorrectionNotice {
						sent = e.On
						break
					}
				}
				late, _ := cal.WorkdaysBetween(clock.CorrectionNoticeDue, sent)
				f := base
				f.Kind = FlagCorrectionLate
				f.Message = fmt.Sprintf("%s 收到申请，%s 才发出补正告知，超过 %s 的告知期限 %d 个工作日（第三十条：收到申请之日起 %d 个工作日内一次性告知）",
					clock.Received.Chinese(), sent.Chinese(), clock.CorrectionNoticeDue.Chinese(), late, s.rules().CorrectionNoticeDays)
				out = append(out, f)
			}
		}
		if (c.status == StatusClosed || c.status == StatusArchived) && c.outcome != "" && strings.TrimSpace(c.basis) == "" {
			label := c.outcome
			if o, ok := OutcomeByCode(c.outcome); ok {
				label = GroupLabels[o.Group] + "（" + o.Row + " " + o.Label + "）"
			}
			f := base
			f.Kind = FlagNoBasis
			f.Message = fmt.Sprintf("%s 答复为“%s”，答复未载明法律依据（应写明所依据的条例条款）", optDate(c.replied).Chinese(), label)
			if c.replied == "" {
				f.Message = fmt.Sprintf("答复为“%s”，未记录答复日期和法律依据", label)
			}
			out = append(out, f)
		}
	}
	return out, nil
}
