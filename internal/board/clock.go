package board

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The clock of a message, derived from its stored days, the calendar and
// "today" — never stored, so a newly entered holiday table recomputes every
// open message.
//
//   - Due: the LimitDays-th working day after the receipt day (the receipt
//     day is not counted; a message left on a Saturday before a holiday
//     counts from the first working day after it). A transfer does not
//     restart the clock: the government received the message when it did.
//   - Responded: a reply or a referral to another channel (告知), on
//     RespondedOn. On time when RespondedOn <= Due.
//   - Overdue: not responded and today > Due. Level 1 (逾期): the message
//     goes to the top of the routed org's inbox and onto the dashboard of
//     everyone who handles or publishes for that org — its handlers and
//     its 审核员 (公开机构负责人).
//   - Escalated (升级督办): overdue for at least Config.EscalateDays working
//     days (WorkdaysBetween(Due, today) >= EscalateDays, default 5). Level
//     2: also on the dashboard and the overdue list of those who oversee
//     the org through a subtree grant — the 政务公开办.
//   - Unanswered for three months (Unanswered): the veto of rules.md §4.2
//     item 5, for supervision.
//
// Held messages run on the same clock: moderation is the government's
// delay, not the writer's. Invalid messages have none.

// Clock is a message's computed deadline state.
type Clock struct {
	Due        workday.Date
	Responded  bool
	OnTime     bool // responded on or before Due
	Taken      int  // working days from receipt to the response (or to today while open)
	Overdue    bool // open and past Due
	DaysOver   int  // working days past Due (open: to today; responded late: to the response)
	Escalated  bool
	DaysToDue  int // open and not overdue: working days left (0 = due today)
	Applicable bool
}

// Compute is the clock of m as of today. It fails only when the calendar
// lacks a year the computation walks through.
func Compute(cal *workday.Calendar, m Message, today workday.Date, escalateDays int) (Clock, error) {
	var c Clock
	if m.Status == StatusInvalid {
		return c, nil
	}
	c.Applicable = true
	received, err := workday.ParseDate(m.ReceivedOn)
	if err != nil {
		return c, err
	}
	if c.Due, err = cal.AddWorkdays(received, m.LimitDays); err != nil {
		return c, err
	}
	end := today
	if m.RespondedOn != "" {
		c.Responded = true
		end = optDate(m.RespondedOn)
		c.OnTime = !end.After(c.Due)
	}
	if c.Taken, err = cal.WorkdaysBetween(received, end); err != nil {
		return c, err
	}
	if end.After(c.Due) {
		if c.DaysOver, err = cal.WorkdaysBetween(c.Due, end); err != nil {
			return c, err
		}
	}
	if !c.Responded {
		c.Overdue = today.After(c.Due)
		c.Escalated = c.Overdue && c.DaysOver >= escalateDays
		if !c.Overdue {
			if c.DaysToDue, err = cal.WorkdaysBetween(today, c.Due); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

func (s *Service) clockOf(ctx context.Context, m Message) (Clock, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return Clock{}, err
	}
	cfg, err := LoadConfig(ctx, s.DB.R)
	if err != nil {
		return Clock{}, err
	}
	return Compute(cal, m, s.Today(), cfg.EscalateDays)
}

// Row is a message in a staff list with its clock as of today (ClockErr
// when the calendar lacks a year: shown, not hidden).
type Row struct {
	Message
	Clock    Clock
	ClockErr string
}

// Level is how far an open row has gone: 0 on time, 1 overdue, 2 escalated.
func (r Row) Level() int {
	switch {
	case r.Clock.Escalated:
		return 2
	case r.Clock.Overdue:
		return 1
	}
	return 0
}

// rows loads messages matching where (with args) and computes their clocks.
func (s *Service) rows(ctx context.Context, where string, args []any, order string, limit, offset int) ([]Row, error) {
	q := "SELECT " + messageCols + " FROM board_messages WHERE " + where
	if order != "" {
		q += " ORDER BY " + order
	}
	if limit > 0 {
		args = append(args, limit, offset)
		q += fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	}
	rs, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var ms []Message
	for rs.Next() {
		m, err := scanMessage(rs)
		if err != nil {
			rs.Close()
			return nil, err
		}
		ms = append(ms, m)
	}
	if err := rs.Close(); err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := LoadConfig(ctx, s.DB.R)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	out := make([]Row, len(ms))
	for i, m := range ms {
		out[i].Message = m
		if out[i].Clock, err = Compute(cal, m, today, cfg.EscalateDays); err != nil {
			out[i].ClockErr = err.Error()
		}
	}
	return out, nil
}

// sortUrgent orders open rows: escalated, overdue (longest first), then by
// due day; rows whose clock failed come first, since nobody knows their
// deadline.
func sortUrgent(rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.ClockErr != "") != (b.ClockErr != "") {
			return a.ClockErr != ""
		}
		if a.Level() != b.Level() {
			return a.Level() > b.Level()
		}
		if a.Clock.Due != b.Clock.Due {
			return a.Clock.Due.Before(b.Clock.Due)
		}
		return a.ReceivedOn < b.ReceivedOn
	})
}

// Overdue lists the open, overdue messages of orgIDs (nil = all) as of
// today, escalated first: the Go API for supervision's checks (with
// Unanswered) and the overdue list.
func (s *Service) Overdue(ctx context.Context, orgIDs []string) ([]Row, error) {
	if orgIDs != nil && len(orgIDs) == 0 {
		return nil, nil
	}
	where := "status IN ('held', 'received', 'accepted')"
	var args []any
	if orgIDs != nil {
		where += " AND org_id IN (" + placeholders(&args, orgIDs) + ")"
	}
	rows, err := s.rows(ctx, where, args, "received_on, id", 0, 0)
	if err != nil {
		return nil, err
	}
	var out []Row
	for _, r := range rows {
		if r.Clock.Overdue {
			out = append(out, r)
		}
	}
	sortUrgent(out)
	return out, nil
}

// Remind lists what p must be told about on the dashboard: overdue open
// messages of the orgs where p handles or publishes (level 1: the org's
// handlers and its 审核员), and escalated ones of the orgs p only oversees
// (level 2: the 政务公开办 and others who see an org through a subtree
// grant or without a handling duty).
func (s *Service) Remind(ctx context.Context, p *org.Principal) ([]Row, error) {
	view, err := s.Orgs.Scope(ctx, p, org.PermBoardView)
	if err != nil || len(view) == 0 {
		return nil, err
	}
	duty := map[string]bool{}
	for _, perm := range []org.Permission{org.PermBoardHandle, org.PermBoardPublish} {
		ids, err := s.Orgs.Scope(ctx, p, perm)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			duty[id] = true
		}
	}
	rows, err := s.Overdue(ctx, view)
	if err != nil {
		return nil, err
	}
	var out []Row
	for _, r := range rows {
		if duty[r.OrgID] || r.Clock.Escalated {
			out = append(out, r)
		}
	}
	return out, nil
}

// Unanswered is a valid message left without a response for more than
// three months: 互动回应差 (rules.md §4.2 item 5, 国办秘函〔2019〕19号),
// a veto item: "监测时间点前 1 年内 … 存在超过 3 个月未回应有效留言的现象".
// It carries no personal data.
type Unanswered struct {
	MessageID  string
	TrackingNo string
	OrgID      string
	Category   string
	ReceivedOn string
	// LimitOn is the last day of the three months: the same day of the
	// month three months after receipt, or that month's last day (received
	// 30 November → 28 February).
	LimitOn     string
	RespondedOn string // "" while still unanswered as of asOf
	Days        int    // calendar days from receipt to the response, or to asOf
	Link        string // the staff page
	Evidence    string // one line in Chinese for findings
}

// CategoryLabel is the category in Chinese.
func (u Unanswered) CategoryLabel() string { return CategoryLabel(u.Category) }

// ThreeMonthsAfter is the last day a response is still within three months
// of day d.
func ThreeMonthsAfter(d workday.Date) workday.Date {
	y, m := d.Year, int(d.Month)+3
	if m > 12 {
		y, m = y+1, m-12
	}
	last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return workday.Date{Year: y, Month: time.Month(m), Day: min(d.Day, last)}
}

// Unanswered lists, for orgIDs (nil = all), the valid messages received in
// the year before asOf (asOf − 1 year < received <= asOf) that were not
// answered within three months: still unanswered as of asOf with the three
// months over, or answered after them. A response means a reply or a
// referral to the channel the matter belongs to; acceptance alone is not
// one. Messages rejected as invalid are not 有效留言 and never count; held
// ones do until a 审核员 rejects them. Ordered by receipt.
func (s *Service) Unanswered(ctx context.Context, orgIDs []string, asOf workday.Date) ([]Unanswered, error) {
	if orgIDs != nil && len(orgIDs) == 0 {
		return nil, nil
	}
	from := workday.Date{Year: asOf.Year - 1, Month: asOf.Month, Day: asOf.Day}.AddDays(0) // 29 February → 1 March
	args := []any{from.String(), asOf.String()}
	where := "status <> 'invalid' AND received_on > $1 AND received_on <= $2"
	if orgIDs != nil {
		where += " AND org_id IN (" + placeholders(&args, orgIDs) + ")"
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, tracking_no, org_id, category, received_on, responded_on FROM board_messages
		WHERE `+where+` ORDER BY received_on, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Unanswered
	for rows.Next() {
		var u Unanswered
		if err := rows.Scan(&u.MessageID, &u.TrackingNo, &u.OrgID, &u.Category, &u.ReceivedOn, &u.RespondedOn); err != nil {
			return nil, err
		}
		received := optDate(u.ReceivedOn)
		limit := ThreeMonthsAfter(received)
		u.LimitOn = limit.String()
		responded := optDate(u.RespondedOn)
		if u.RespondedOn != "" && responded.After(asOf) {
			// Answered after the day looked at: unanswered as of then.
			u.RespondedOn, responded = "", workday.Date{}
		}
		end := asOf
		if u.RespondedOn != "" {
			end = responded
		}
		if !end.After(limit) {
			continue
		}
		u.Days = int(end.Time().Sub(received.Time()).Hours()+12) / 24
		u.Link = "/admin/board/" + u.MessageID
		if u.RespondedOn == "" {
			u.Evidence = fmt.Sprintf("留言 %s（%s）%s收到，至%s已 %d 天未回应（超过 3 个月：%s）", u.TrackingNo,
				CategoryLabel(u.Category), received.Chinese(), asOf.Chinese(), u.Days, limit.Chinese())
		} else {
			u.Evidence = fmt.Sprintf("留言 %s（%s）%s收到，%s才回应，历时 %d 天（超过 3 个月：%s）", u.TrackingNo,
				CategoryLabel(u.Category), received.Chinese(), responded.Chinese(), u.Days, limit.Chinese())
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DueText explains an open row's deadline in words for lists.
func (r Row) DueText() string {
	switch {
	case r.ClockErr != "":
		return "期限无法计算：" + r.ClockErr
	case !r.Clock.Applicable:
		return "—"
	case r.Clock.Responded && r.Clock.OnTime:
		return fmt.Sprintf("按时回应（用时 %d 个工作日）", r.Clock.Taken)
	case r.Clock.Responded:
		return fmt.Sprintf("逾期 %d 个工作日后回应", r.Clock.DaysOver)
	case r.Clock.Escalated:
		return fmt.Sprintf("已逾期 %d 个工作日，升级督办", r.Clock.DaysOver)
	case r.Clock.Overdue:
		return fmt.Sprintf("已逾期 %d 个工作日", r.Clock.DaysOver)
	case r.Clock.DaysToDue == 0:
		return "今天到期"
	}
	return fmt.Sprintf("剩余 %d 个工作日", r.Clock.DaysToDue)
}
