package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Reminders: what needs a staff member's attention on an open case today,
// derived like the clock from the events and the calendar (nothing stored
// but the record of which daily digest went out). The same list feeds the
// back-office panel, the list filters, the daily e-mail digests and
// `gongkai apply remind`.

// Reminder kinds, most urgent first (RemindKinds is the order).
const (
	RemindClockError       = "clock_error"       // the clock cannot be computed (calendar missing a year)
	RemindOverdue          = "overdue"           // reply deadline passed (第三十三条)
	RemindLapsed           = "lapsed"            // the applicant's correction or payment period ended: close as 视为放弃
	RemindUnconfirmed      = "unconfirmed"       // online application waiting for confirmation over a working day (第三十一条)
	RemindNear             = "near"              // reply due within Near working days
	RemindCorrectionNotice = "correction_notice" // a correction notice, if needed, is due (第三十条: 7 working days)
)

// RemindKinds name the kinds in Chinese, in order of urgency.
var RemindKinds = []struct{ Code, Label string }{
	{RemindClockError, "无法计算期限"}, {RemindOverdue, "已超期"}, {RemindLapsed, "待按视为放弃办结"},
	{RemindUnconfirmed, "待确认"}, {RemindNear, "临近到期"}, {RemindCorrectionNotice, "补正告知期限内"},
}

// RemindLabel is a kind's Chinese name.
func RemindLabel(kind string) string {
	if i := remindRank(kind); i >= 0 {
		return RemindKinds[i].Label
	}
	return kind
}

func remindRank(kind string) int {
	return slices.IndexFunc(RemindKinds, func(k struct{ Code, Label string }) bool { return k.Code == kind })
}

// Reminder is one thing to do on one case.
type Reminder struct {
	CaseID, TrackingNo, OrgID string
	HandlerID, HandlerName    string // "" when the case has no handler
	Status                    string
	Kind                      string
	Due                       workday.Date // the deadline the reminder is about; zero for clock errors
	Remaining                 int          // working days left after today (negative: past it by)
	Message                   string       // Chinese, without applicant data
}

// Label is the kind's Chinese name.
func (r Reminder) Label() string { return RemindLabel(r.Kind) }

// openCase is what reminders need of a case: no applicant data.
type openCase struct {
	ID, TrackingNo, OrgID, HandlerID, HandlerName, Status, SubmittedOn, ReceivedOn string
	CreatedAt                                                                      time.Time
	Events                                                                         []ClockEvent
}

// openCases loads the open cases (of orgIDs, or all when nil; of one
// handler when handlerID is set) with their events in one query.
func (s *Service) openCases(ctx context.Context, orgIDs []string, handlerID string) ([]openCase, error) {
	if orgIDs != nil && len(orgIDs) == 0 {
		return nil, nil
	}
	args := []any{StatusUnconfirmed, StatusHandling}
	where := "c.status IN ($1, $2)"
	if orgIDs != nil {
		ph := make([]string, len(orgIDs))
		for i, id := range orgIDs {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		where += " AND c.org_id IN (" + strings.Join(ph, ", ") + ")"
	}
	if handlerID != "" {
		args = append(args, handlerID)
		where += fmt.Sprintf(" AND c.handler_id = $%d", len(args))
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT c.id, c.tracking_no, c.org_id, c.handler_id, COALESCE(u.display_name, ''),
		c.status, c.submitted_on, c.received_on, c.created_at, COALESCE(e.seq, 0), COALESCE(e.kind, ''), COALESCE(e.on_date, ''),
		COALESCE(e.days, 0), COALESCE(e.until_date, ''), COALESCE(e.party, ''), COALESCE(e.ref, '')
		FROM apply_cases c LEFT JOIN users u ON u.id = c.handler_id LEFT JOIN apply_events e ON e.case_id = c.id
		WHERE `+where+` ORDER BY c.created_at, c.id, e.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []openCase
	for rows.Next() {
		var c openCase
		var created, on, until string
		var seq int
		var e ClockEvent
		if err := rows.Scan(&c.ID, &c.TrackingNo, &c.OrgID, &c.HandlerID, &c.HandlerName, &c.Status, &c.SubmittedOn,
			&c.ReceivedOn, &created, &seq, &e.Kind, &on, &e.Days, &until, &e.Party, &e.Ref); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != c.ID {
			c.CreatedAt = db.MustTime(created)
			out = append(out, c)
		}
		if seq > 0 {
			e.On, e.Until = optDate(on), optDate(until)
			last := &out[len(out)-1]
			last.Events = append(last.Events, e)
		}
	}
	return out, rows.Err()
}

// Due lists the reminders of every open case as of today, for the system
// job (no principal): the most urgent first, then by deadline.
func (s *Service) Due(ctx context.Context, today workday.Date) ([]Reminder, error) {
	return s.due(ctx, today, nil, "")
}

// DueFor is Due for the back office: the cases of the orgs p may view
// (apply.view), and with mine only those p handles.
func (s *Service) DueFor(ctx context.Context, p *org.Principal, mine bool) ([]Reminder, error) {
	if p == nil {
		return nil, nil
	}
	scope, err := s.Orgs.Scope(ctx, p, org.PermApplyView)
	if err != nil {
		return nil, err
	}
	if scope == nil {
		scope = []string{}
	}
	handler := ""
	if mine {
		handler = p.User.ID
		if handler == "" {
			return nil, nil
		}
	}
	return s.due(ctx, s.Today(), scope, handler)
}

func (s *Service) due(ctx context.Context, today workday.Date, orgIDs []string, handlerID string) ([]Reminder, error) {
	cases, err := s.openCases(ctx, orgIDs, handlerID)
	if err != nil || len(cases) == 0 {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, c := range cases {
		out = append(out, s.remindersOf(cal, c, today)...)
	}
	slices.SortStableFunc(out, func(a, b Reminder) int {
		if ra, rb := remindRank(a.Kind), remindRank(b.Kind); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Due.String(), b.Due.String())
	})
	return out, nil
}

// clockErrorMessage says why a clock cannot be computed and what to do.
func clockErrorMessage(err error) string {
	if errors.Is(err, workday.ErrNoCalendar) {
		return "无法计算期限：" + err.Error() + "（后台“节假日安排”或 gongkai calendar import）"
	}
	if ae, ok := apperr.As(err); ok {
		if len(ae.Fields) > 0 {
			return "无法计算期限：" + ae.Fields[0].Message
		}
		return "无法计算期限：" + ae.Message
	}
	return "无法计算期限：" + err.Error()
}

// past is how many working days today is after d (0 on an error: the
// calendar problem shows on the clock instead).
func past(cal *workday.Calendar, d, today workday.Date) int {
	n, err := cal.WorkdaysBetween(d, today)
	if err != nil {
		return 0
	}
	return n
}

func (s *Service) remindersOf(cal *workday.Calendar, c openCase, today workday.Date) []Reminder {
	base := Reminder{CaseID: c.ID, TrackingNo: c.TrackingNo, OrgID: c.OrgID, HandlerID: c.HandlerID,
		HandlerName: c.HandlerName, Status: c.Status}
	mk := func(kind string, due workday.Date, remaining int, msg string) Reminder {
		r := base
		r.Kind, r.Due, r.Remaining, r.Message = kind, due, remaining, msg
		return r
	}
	if c.Status == StatusUnconfirmed {
		submitted := optDate(c.SubmittedOn)
		if submitted == (workday.Date{}) {
			submitted = workday.DateOf(c.CreatedAt)
		}
		// Confirmation is expected by the next working day; a reminder once
		// the application is older than that.
		by, err := cal.AddWorkdays(submitted, 1)
		if err != nil {
			return []Reminder{mk(RemindClockError, workday.Date{}, 0, clockErrorMessage(err))}
		}
		if !today.After(by) {
			return nil
		}
		waited := past(cal, submitted, today)
		return []Reminder{mk(RemindUnconfirmed, by, -past(cal, by, today), fmt.Sprintf(
			"%s 网上提交的申请已等待 %d 个工作日尚未确认：请与申请人确认，确认之日为收到申请之日（第三十一条）",
			submitted.Chinese(), waited))}
	}
	if len(c.Events) == 0 {
		return []Reminder{mk(RemindClockError, workday.Date{}, 0, "无法计算期限：办理中的申请没有收到申请事件")}
	}
	clock, err := Compute(cal, s.rules(), c.Events, today)
	if err != nil {
		return []Reminder{mk(RemindClockError, workday.Date{}, 0, clockErrorMessage(err))}
	}
	if clock.Received.After(today) {
		return nil // received after the day asked about (a past --today)
	}
	var out []Reminder
	switch clock.State {
	case ClockCorrectionLapsed:
		out = append(out, mk(RemindLapsed, clock.CorrectionDeadline, -past(cal, clock.CorrectionDeadline, today), fmt.Sprintf(
			"补正期限 %s 已届满，未收到补正：请按“申请人逾期不补正，视为放弃”办结（第三十条）", clock.CorrectionDeadline.Chinese())))
	case ClockFeeLapsed:
		out = append(out, mk(RemindLapsed, clock.PaymentDue, -past(cal, clock.PaymentDue, today), fmt.Sprintf(
			"缴费期限 %s 已届满，申请人未缴费：请按“逾期未缴费，视为放弃”办结（国办函〔2020〕109号）", clock.PaymentDue.Chinese())))
	}
	switch {
	case clock.Overdue && clock.State == ClockPaused:
		out = append(out, mk(RemindOverdue, clock.Due, clock.Remaining, fmt.Sprintf(
			"答复期限 %s 已届满（暂停计算前已超期 %d 个工作日），请尽快答复（第三十三条）", clock.Due.Chinese(), -clock.Remaining)))
	case clock.Overdue:
		out = append(out, mk(RemindOverdue, clock.Due, clock.Remaining, fmt.Sprintf(
			"答复期限 %s 已届满，已超期 %d 个工作日，请尽快答复（第三十三条）", clock.Due.Chinese(), -clock.Remaining)))
	case clock.State == ClockRunning && clock.Remaining == 0:
		out = append(out, mk(RemindNear, clock.Due, 0, fmt.Sprintf("今天（%s）是答复期限的最后一日", clock.Due.Chinese())))
	case clock.State == ClockRunning && clock.Remaining <= Near:
		out = append(out, mk(RemindNear, clock.Due, clock.Remaining, fmt.Sprintf(
			"答复期限 %s，尚余 %d 个工作日", clock.Due.Chinese(), clock.Remaining)))
	}
	// 第三十条: a correction, if needed, is asked for once, within 7 working
	// days of receipt. Only before any notice, while the clock runs (none
	// can be sent while paused), and only in the last CorrectionNoticeNear
	// working days: most applications need no correction, and a reminder on
	// every new case would drown the ones that matter.
	noticed := slices.ContainsFunc(c.Events, func(e ClockEvent) bool { return e.Kind == EvCorrectionNotice })
	if !noticed && clock.State == ClockRunning && !today.After(clock.CorrectionNoticeDue) {
		left, err := cal.WorkdaysBetween(today, clock.CorrectionNoticeDue)
		if err == nil && left <= CorrectionNoticeNear {
			msg := fmt.Sprintf("如申请内容需要补正，应在 %s 前一次性告知申请人（第三十条），尚余 %d 个工作日", clock.CorrectionNoticeDue.Chinese(), left)
			if left == 0 {
				msg = fmt.Sprintf("如申请内容需要补正，今天（%s）是一次性告知申请人的最后一日（第三十条）", clock.CorrectionNoticeDue.Chinese())
			}
			out = append(out, mk(RemindCorrectionNotice, clock.CorrectionNoticeDue, left, msg))
		}
	}
	return out
}

// CorrectionNoticeNear is how many working days before the end of the
// correction-notice period its reminder starts.
const CorrectionNoticeNear = 2

// --- daily digests ---

// Mailer sends one plain-text message (mail.Sender in production).
type Mailer interface {
	Send(ctx context.Context, to []string, subject, body string) error
}

// Digest is one recipient's reminders of a day: a handler's cases, or an
// org's cases that have no (active) handler or are overdue.
type Digest struct {
	// Recipient is "user:ID" or "org:ID": the key of apply_reminders_sent.
	Recipient string
	Name      string // the handler's or the org's name
	To        string // e-mail address; "" = none, reminders stay in the back office
	OrgID     string // the handler's org, or the org
	Reminders []Reminder
	Subject   string
	Body      string
}

// Digests builds the day's digests, handlers first. baseURL (the site's
// address, may be "") makes the case links absolute.
func (s *Service) Digests(ctx context.Context, today workday.Date, baseURL string) ([]Digest, error) {
	rs, err := s.Due(ctx, today)
	if err != nil {
		return nil, err
	}
	type user struct {
		u      org.User
		active bool
	}
	users := map[string]user{}
	byUser := map[string][]Reminder{}
	byOrg := map[string][]Reminder{}
	var userIDs, orgIDs []string
	for _, r := range rs {
		active := false
		if r.HandlerID != "" {
			u, ok := users[r.HandlerID]
			if !ok {
				uu, err := s.Orgs.GetUser(ctx, r.HandlerID)
				if err != nil && !apperr.Is(err, apperr.NotFound) {
					return nil, err
				}
				u = user{uu, err == nil && !uu.Disabled}
				users[r.HandlerID] = u
			}
			if active = u.active; active {
				if byUser[r.HandlerID] == nil {
					userIDs = append(userIDs, r.HandlerID)
				}
				byUser[r.HandlerID] = append(byUser[r.HandlerID], r)
			}
		}
		// A case nobody (active) handles is the org's to assign; an overdue
		// one is the org's to know about.
		if !active || r.Kind == RemindOverdue {
			if byOrg[r.OrgID] == nil {
				orgIDs = append(orgIDs, r.OrgID)
			}
			byOrg[r.OrgID] = append(byOrg[r.OrgID], r)
		}
	}
	baseURL = strings.TrimRight(baseURL, "/")
	var out []Digest
	for _, id := range userIDs {
		u := users[id].u
		d := Digest{Recipient: "user:" + id, Name: u.DisplayName, To: u.Email, OrgID: u.OrgID, Reminders: byUser[id]}
		d.Subject, d.Body = digestText(today, u.DisplayName+"，您好：", "您承办的政府信息公开申请", d.Reminders, baseURL, "/admin/apply?mine=1")
		out = append(out, d)
	}
	for _, id := range orgIDs {
		o, err := s.Orgs.GetOrg(ctx, id)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		name := o.Name
		if name == "" {
			name = "（已删除的机构）"
		}
		d := Digest{Recipient: "org:" + id, Name: name, To: o.Email, OrgID: id, Reminders: byOrg[id]}
		d.Subject, d.Body = digestText(today, name+"：", "本机关未指定承办人或已超期的政府信息公开申请", d.Reminders, baseURL, "/admin/apply")
		out = append(out, d)
	}
	return out, nil
}

// counts is "已超期 2 件、临近到期 1 件" (cases per kind, in urgency order).
func counts(rs []Reminder) string {
	n := map[string]int{}
	for _, r := range rs {
		n[r.Kind]++
	}
	var parts []string
	for _, k := range RemindKinds {
		if n[k.Code] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d 件", k.Label, n[k.Code]))
		}
	}
	return strings.Join(parts, "、")
}

func digestText(today workday.Date, greeting, whose string, rs []Reminder, baseURL, listPath string) (subject, body string) {
	subject = "【依申请公开提醒】" + today.Chinese() + "：" + counts(rs)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n截至 %s，%s中有以下事项需要处理：\n", greeting, today.Chinese(), whose)
	for _, k := range RemindKinds {
		first := true
		for _, r := range rs {
			if r.Kind != k.Code {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s\n", k.Label)
				first = false
			}
			handler := "承办人：未指定"
			if r.HandlerName != "" {
				handler = "承办人：" + r.HandlerName
			}
			fmt.Fprintf(&b, "  %s  %s（%s）\n    %s/admin/apply/%s\n", r.TrackingNo, r.Message, handler, baseURL, r.CaseID)
		}
	}
	fmt.Fprintf(&b, "\n请登录后台办理：%s%s\n\n本邮件由政府信息公开平台在工作日自动发送，请勿直接回复。\n", baseURL, listPath)
	return subject, b.String()
}

// SendResult is what a SendDigests run did.
type SendResult struct {
	Sent      []Digest
	Skipped   []Digest // sent already today (by this or another process)
	NoAddress []Digest // no e-mail address: in-app only
	Failed    []Digest
	Errors    []error
}

// SendDigests e-mails the day's digests. Each is claimed first with a row
// in apply_reminders_sent (recipient, day): a row already there means this
// or another process sent it, so restarts and replicas send each digest
// once a day. A failed send releases its claim for the next run to retry;
// a sent one is recorded in the evidence chain (counts and case ids, no
// applicant data).
func (s *Service) SendDigests(ctx context.Context, today workday.Date, baseURL string, m Mailer) (SendResult, error) {
	var res SendResult
	ds, err := s.Digests(ctx, today, baseURL)
	if err != nil {
		return res, err
	}
	day := today.String()
	for _, d := range ds {
		if d.To == "" {
			res.NoAddress = append(res.NoAddress, d)
			continue
		}
		r, err := s.DB.W.ExecContext(ctx, `INSERT INTO apply_reminders_sent (recipient, day) VALUES ($1, $2)
			ON CONFLICT (recipient, day) DO NOTHING`, d.Recipient, day)
		if err != nil {
			return res, err
		}
		if n, err := r.RowsAffected(); err != nil {
			return res, err
		} else if n == 0 {
			res.Skipped = append(res.Skipped, d)
			continue
		}
		if err := m.Send(ctx, []string{d.To}, d.Subject, d.Body); err != nil {
			res.Failed = append(res.Failed, d)
			res.Errors = append(res.Errors, fmt.Errorf("%s（%s）：%w", d.Name, d.Recipient, err))
			if _, derr := s.DB.W.ExecContext(context.WithoutCancel(ctx), "DELETE FROM apply_reminders_sent WHERE recipient = $1 AND day = $2",
				d.Recipient, day); derr != nil {
				return res, derr
			}
			continue
		}
		res.Sent = append(res.Sent, d)
		ids := make([]string, len(d.Reminders))
		for i, r := range d.Reminders {
			ids[i] = r.CaseID
		}
		typ, id, _ := strings.Cut(d.Recipient, ":")
		err = s.DB.Tx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
			_, err := audit.Append(ctx, tx, s.now(), audit.Event{Actor: audit.System("apply.remind", "依申请公开提醒"), OrgID: d.OrgID,
				Action: "apply.remind", ObjectType: typ, ObjectID: id,
				Summary: "发送依申请公开提醒邮件（" + day + "）给" + d.Name + "：" + counts(d.Reminders),
				After:   map[string]any{"day": day, "to": d.To, "cases": ids}})
			return err
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// DigestTime reports whether digests are due at now: on a working day
// (China time, per the calendar), at or after 08:30.
func DigestTime(cal *workday.Calendar, now time.Time) (workday.Date, bool, error) {
	today := workday.DateOf(now)
	cst := now.In(today.Time().Location())
	if cst.Hour()*60+cst.Minute() < 8*60+30 {
		return today, false, nil
	}
	ok, err := cal.IsWorkday(today)
	return today, ok, err
}

// ReminderJob sends the daily digests from a serving process: it wakes
// every few minutes and, once a working day has reached 08:30, sends the
// day's digests (claims in the database keep it once per recipient and
// day across restarts and replicas).
type ReminderJob struct {
	Apply   *Service
	Mailer  Mailer
	BaseURL func(context.Context) string // the site's address for links; may be nil
	Logger  *slog.Logger
	Every   time.Duration // 0 = 5 minutes
}

// Run sends digests until ctx ends.
func (j *ReminderJob) Run(ctx context.Context) {
	every := j.Every
	if every <= 0 {
		every = 5 * time.Minute
	}
	log := j.Logger
	if log == nil {
		log = slog.Default()
	}
	var done workday.Date // the day this process finished; a restart asks the database again
	var calWarned workday.Date
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		today, err := j.Tick(ctx, done)
		switch {
		case errors.Is(err, workday.ErrNoCalendar):
			if calWarned != today {
				log.Warn("依申请公开提醒：日历缺少本年度节假日安排，无法判断今天是否工作日，暂不发送提醒邮件", "day", today.String(), "err", err)
				calWarned = today
			}
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			log.Error("依申请公开提醒发送失败，稍后重试", "err", err)
		case today != (workday.Date{}):
			done = today
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick sends the digests if they are due and not yet done today; it
// returns the day it completed (zero when it had nothing to do or some
// sends failed and are to be retried).
func (j *ReminderJob) Tick(ctx context.Context, done workday.Date) (workday.Date, error) {
	cal, err := j.Apply.Calendar(ctx)
	if err != nil {
		return workday.Date{}, err
	}
	today, due, err := DigestTime(cal, j.Apply.now())
	if err != nil {
		return today, err
	}
	if !due || today == done {
		return workday.Date{}, nil
	}
	base := ""
	if j.BaseURL != nil {
		base = j.BaseURL(ctx)
	}
	res, err := j.Apply.SendDigests(ctx, today, base, j.Mailer)
	if err != nil {
		return workday.Date{}, err
	}
	log := j.Logger
	if log == nil {
		log = slog.Default()
	}
	if len(res.Sent)+len(res.Failed) > 0 {
		log.Info("依申请公开提醒邮件", "day", today.String(), "sent", len(res.Sent), "failed", len(res.Failed),
			"already_sent", len(res.Skipped), "no_address", len(res.NoAddress))
	}
	if len(res.Errors) > 0 {
		return workday.Date{}, errors.Join(res.Errors...)
	}
	return today, nil
}
