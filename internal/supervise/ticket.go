package supervise

import (
	"context"
	"database/sql"
	"errors"
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

// Ticket statuses and resolutions.
const (
	TicketOpen    = "open"    // 待整改: waiting for the unit
	TicketReplied = "replied" // 已反馈: the unit replied; the supervisor or the next run checks
	TicketClosed  = "closed"

	ResolutionFixed    = "fixed"    // the finding is gone at a re-check (再核查通过)
	ResolutionAccepted = "accepted" // the supervisor accepted the reply (核销)
)

// TicketStatusLabel names a status (with the resolution for closed ones).
func TicketStatusLabel(status, resolution string) string {
	switch status {
	case TicketOpen:
		return "待整改"
	case TicketReplied:
		return "已反馈待核查"
	case TicketClosed:
		if resolution == ResolutionAccepted {
			return "已办结（核查确认）"
		}
		return "已办结（再核查通过）"
	}
	return status
}

// Ticket event kinds.
const (
	EvOpen     = "open"
	EvReply    = "reply"
	EvReturn   = "return"
	EvAccept   = "accept"
	EvFixed    = "fixed"
	EvReopen   = "reopen"
	EvEscalate = "escalate"
)

// TicketEventLabel names an event kind.
func TicketEventLabel(kind string) string {
	return map[string]string{EvOpen: "下发整改", EvReply: "单位反馈", EvReturn: "退回重新整改", EvAccept: "核查确认办结",
		EvFixed: "再核查通过，自动办结", EvReopen: "问题复现，重新打开", EvEscalate: "逾期未反馈，督办"}[kind]
}

// Limits on ticket text.
const (
	MaxRequest = 1000
	MaxReply   = 2000
	MaxNote    = 1000
)

// Ticket is a rectification ticket (整改单) with its finding.
type Ticket struct {
	ID, No, FindingID, OrgID string
	Status, Resolution       string
	Request                  string
	Days                     int
	OpenedOn, DueOn          string
	Reply, RepliedOn         string
	RepliedBy                string
	ClosedOn, EscalatedOn    string
	ReopenCount              int
	CreatedBy                string
	CreatedAt, UpdatedAt     time.Time
	Finding                  Finding
	Events                   []TicketEvent
}

// StatusLabel is the status in Chinese.
func (t Ticket) StatusLabel() string { return TicketStatusLabel(t.Status, t.Resolution) }

// Overdue reports whether the unit's reply is late on day today.
func (t Ticket) Overdue(today workday.Date) bool {
	return t.Status == TicketOpen && t.DueOn != "" && t.DueOn < today.String()
}

// Escalated reports whether the ticket is under 督办: escalated and still
// waiting for the unit.
func (t Ticket) Escalated() bool { return t.EscalatedOn != "" && t.Status == TicketOpen }

// TicketEvent is one step of a ticket.
type TicketEvent struct {
	Seq       int
	Kind      string
	On        string
	Note      string
	ActorName string
	At        time.Time
}

// Label is the kind in Chinese.
func (e TicketEvent) Label() string { return TicketEventLabel(e.Kind) }

// OpenInput turns findings into tickets.
type OpenInput struct {
	FindingIDs []string
	OrgID      string // the assignee; "" = each finding's own org
	Days       int    // working days to rectify; 0 = the configured default
	Request    string // 整改要求; "" = a standard request naming the rule
}

func cleanText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s))
}

// OpenTickets issues a ticket for each open finding that has none in
// progress; findings that already have one are returned as skipped (a bulk
// selection often includes some). The person needs supervise.manage over
// each finding's org and over the assignee.
func (s *Service) OpenTickets(ctx context.Context, p *org.Principal, ip string, in OpenInput) ([]Ticket, []string, error) {
	in.Request = cleanText(in.Request)
	var fs apperr.Fields
	if len(in.FindingIDs) == 0 {
		fs.Add("finding_ids", "请选择要下发整改的问题")
	}
	if len(in.FindingIDs) > 500 {
		fs.Add("finding_ids", "一次最多下发 500 件整改单")
	}
	cfg, err := s.Config(ctx)
	if err != nil {
		return nil, nil, err
	}
	if in.Days == 0 {
		in.Days = cfg.Get("ticket_days")
	}
	if in.Days < 1 || in.Days > 60 {
		fs.Add("days", fmt.Sprintf("整改期限应为 1–60 个工作日，不能是 %d", in.Days))
	}
	if utf8.RuneCountInString(in.Request) > MaxRequest {
		fs.Add("request", fmt.Sprintf("整改要求最多 %d 字", MaxRequest))
	}
	if err := fs.Err(); err != nil {
		return nil, nil, err
	}
	if in.OrgID != "" {
		if _, err := s.Orgs.GetOrg(ctx, in.OrgID); err != nil {
			return nil, nil, apperr.Field("org_id", "整改单位不存在")
		}
		if err := s.must(ctx, p, org.PermSuperviseManage, in.OrgID); err != nil {
			return nil, nil, err
		}
	}
	today := s.Today()
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, nil, err
	}
	due, err := cal.AddWorkdays(today, in.Days)
	if err != nil {
		if errors.Is(err, workday.ErrNoCalendar) {
			return nil, nil, apperr.Field("days", "无法计算整改期限："+err.Error()+"（请先在“工作日历”录入）")
		}
		return nil, nil, err
	}
	var out []Ticket
	var skipped []string
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		for _, fid := range in.FindingIDs {
			f, err := s.getFinding(ctx, tx, fid)
			if err != nil {
				return err
			}
			if err := s.must(ctx, p, org.PermSuperviseManage, f.OrgID); err != nil {
				return err
			}
			if f.Status != "open" {
				return apperr.New(apperr.Conflict, "问题“"+f.ObjectLabel+"”已在再核查中消除，不需要整改")
			}
			var active int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM supervise_tickets WHERE finding_id = $1 AND status <> 'closed'",
				fid).Scan(&active); err != nil {
				return err
			}
			if active > 0 {
				skipped = append(skipped, fid)
				continue
			}
			assignee := in.OrgID
			if assignee == "" {
				assignee = f.OrgID
			}
			request := in.Request
			if request == "" {
				request = fmt.Sprintf("经检查，发现“%s”问题：%s。请在整改期限内完成整改，并在系统中反馈整改情况（做了什么、何时完成、可在何处核实）。",
					RuleName(f.Rule), f.Evidence)
			}
			var serial int
			if err := tx.QueryRowContext(ctx, `INSERT INTO supervise_counters (name, year, last) VALUES ('ticket', $1, 1)
				ON CONFLICT (name, year) DO UPDATE SET last = supervise_counters.last + 1 RETURNING last`, today.Year).Scan(&serial); err != nil {
				return err
			}
			t := Ticket{ID: db.NewID(), No: fmt.Sprintf("ZG-%d-%04d", today.Year, serial), FindingID: fid, OrgID: assignee,
				Status: TicketOpen, Request: request, Days: in.Days, OpenedOn: today.String(), DueOn: due.String(),
				CreatedBy: p.User.DisplayName, CreatedAt: now, UpdatedAt: now, Finding: f}
			if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_tickets (id, ticket_no, finding_id, org_id, status, request, days,
				opened_on, due_on, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, $10)`,
				t.ID, t.No, fid, assignee, request, in.Days, t.OpenedOn, t.DueOn, t.CreatedBy, db.Time(now)); err != nil {
				if db.IsUniqueViolation(err) {
					return apperr.New(apperr.Conflict, "该问题刚刚已下发整改单，请刷新后查看")
				}
				return err
			}
			note := fmt.Sprintf("整改期限 %d 个工作日，%s 前反馈", in.Days, due.Chinese())
			if err := s.ticketEvent(ctx, tx, t.ID, EvOpen, today, note, p.Actor(ip), now); err != nil {
				return err
			}
			if _, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: assignee, Action: "supervise.ticket.open",
				ObjectType: "supervise_ticket", ObjectID: t.ID,
				Summary: fmt.Sprintf("下发整改单 %s：%s（%s），%s 前反馈", t.No, RuleName(f.Rule), f.ObjectLabel, due.Chinese()),
				After:   map[string]any{"finding": fid, "org": assignee, "due_on": t.DueOn, "days": in.Days}}); err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, skipped, nil
}

// must answers NotFound when the org is not even visible to p as far as
// supervision goes, Forbidden when visible but perm is not held.
func (s *Service) must(ctx context.Context, p *org.Principal, perm org.Permission, orgID string) error {
	ok, err := s.Orgs.Allowed(ctx, p, perm, orgID)
	if err != nil || ok {
		return err
	}
	visible, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseView, orgID)
	if err != nil {
		return err
	}
	if !visible {
		return apperr.NotFoundf("整改单或问题不存在，或您无权查看")
	}
	if perm == org.PermSuperviseReply {
		return apperr.New(apperr.Forbidden, "只有被整改单位的工作人员可以反馈整改情况")
	}
	return apperr.New(apperr.Forbidden, "只有政务公开办可以进行此操作")
}

func (s *Service) ticketEvent(ctx context.Context, tx *sql.Tx, id, kind string, on workday.Date, note string, actor audit.Actor, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO supervise_ticket_events (ticket_id, seq, kind, on_date, note, actor_id, actor_name, at)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM supervise_ticket_events WHERE ticket_id = $1), $2, $3, $4, $5, $6, $7)`,
		id, kind, on.String(), note, actor.ID, actor.Name, db.Time(now))
	return err
}

// Reply records the unit's rectification report. Only staff of the
// assignee org may reply (a unit never answers another unit's ticket); a
// reply to an already replied ticket adds to it.
func (s *Service) Reply(ctx context.Context, p *org.Principal, ip, id, text string) (Ticket, error) {
	text = cleanText(text)
	t, err := s.Ticket(ctx, p, id)
	if err != nil {
		return t, err
	}
	if err := s.must(ctx, p, org.PermSuperviseReply, t.OrgID); err != nil {
		return t, err
	}
	if text == "" {
		return t, apperr.Field("reply", "请填写整改情况（做了什么、何时完成、可在何处核实）")
	}
	if utf8.RuneCountInString(text) > MaxReply {
		return t, apperr.Field("reply", fmt.Sprintf("整改情况最多 %d 字", MaxReply))
	}
	today := s.Today()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE supervise_tickets SET status = 'replied', reply = $2, replied_on = $3, replied_by = $4,
			updated_at = $5 WHERE id = $1 AND status IN ('open', 'replied')`, id, text, today.String(), p.User.DisplayName, db.Time(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "整改单已办结，不能再反馈")
		}
		if err := s.ticketEvent(ctx, tx, id, EvReply, today, text, p.Actor(ip), now); err != nil {
			return err
		}
		late := ""
		if t.Overdue(today) {
			late = "（逾期反馈）"
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: t.OrgID, Action: "supervise.ticket.reply",
			ObjectType: "supervise_ticket", ObjectID: id, Summary: "反馈整改单 " + t.No + " 的整改情况" + late,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": TicketReplied, "reply": text}})
		return err
	})
	if err != nil {
		return t, err
	}
	return s.Ticket(ctx, p, id)
}

// Return sends a reply back for further work with a reason and a new
// deadline (days working days from today).
func (s *Service) Return(ctx context.Context, p *org.Principal, ip, id, note string, days int) (Ticket, error) {
	note = cleanText(note)
	t, err := s.Ticket(ctx, p, id)
	if err != nil {
		return t, err
	}
	if err := s.must(ctx, p, org.PermSuperviseManage, t.Finding.OrgID); err != nil {
		return t, err
	}
	var fs apperr.Fields
	if note == "" {
		fs.Add("note", "请写明退回的理由和需要继续整改的内容")
	} else if utf8.RuneCountInString(note) > MaxNote {
		fs.Add("note", fmt.Sprintf("退回理由最多 %d 字", MaxNote))
	}
	if days < 1 || days > 60 {
		fs.Add("days", fmt.Sprintf("整改期限应为 1–60 个工作日，不能是 %d", days))
	}
	if err := fs.Err(); err != nil {
		return t, err
	}
	if t.Status != TicketReplied {
		return t, apperr.New(apperr.Conflict, "只有单位已反馈的整改单可以退回")
	}
	today := s.Today()
	due, err := s.dueFrom(ctx, today, days)
	if err != nil {
		return t, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE supervise_tickets SET status = 'open', days = $2, due_on = $3, escalated_on = '',
			updated_at = $4 WHERE id = $1 AND status = 'replied'`, id, days, due.String(), db.Time(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "整改单状态已变化，请刷新后重试")
		}
		if err := s.ticketEvent(ctx, tx, id, EvReturn, today, note+fmt.Sprintf("（新期限：%s）", due.Chinese()), p.Actor(ip), now); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: t.OrgID, Action: "supervise.ticket.return",
			ObjectType: "supervise_ticket", ObjectID: id, Summary: fmt.Sprintf("退回整改单 %s，%s 前重新反馈", t.No, due.Chinese()),
			Before: map[string]any{"status": t.Status, "due_on": t.DueOn}, After: map[string]any{"status": TicketOpen, "due_on": due.String(), "note": note}})
		return err
	})
	if err != nil {
		return t, err
	}
	return s.Ticket(ctx, p, id)
}

// Accept closes a ticket on the supervisor's check of the reply, for what
// a re-run cannot prove (a record published late stays late).
func (s *Service) Accept(ctx context.Context, p *org.Principal, ip, id, note string) (Ticket, error) {
	note = cleanText(note)
	t, err := s.Ticket(ctx, p, id)
	if err != nil {
		return t, err
	}
	if err := s.must(ctx, p, org.PermSuperviseManage, t.Finding.OrgID); err != nil {
		return t, err
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return t, apperr.Field("note", fmt.Sprintf("核查意见最多 %d 字", MaxNote))
	}
	if t.Status == TicketClosed {
		return t, apperr.New(apperr.Conflict, "整改单已办结")
	}
	if note == "" {
		note = "经核查，整改情况属实，予以办结"
	}
	today := s.Today()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE supervise_tickets SET status = 'closed', resolution = 'accepted', closed_on = $2,
			updated_at = $3 WHERE id = $1 AND status <> 'closed'`, id, today.String(), db.Time(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "整改单已办结")
		}
		if err := s.ticketEvent(ctx, tx, id, EvAccept, today, note, p.Actor(ip), now); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: t.OrgID, Action: "supervise.ticket.accept",
			ObjectType: "supervise_ticket", ObjectID: id, Summary: "核查确认，办结整改单 " + t.No,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": TicketClosed, "resolution": ResolutionAccepted, "note": note}})
		return err
	})
	if err != nil {
		return t, err
	}
	return s.Ticket(ctx, p, id)
}

func (s *Service) dueFrom(ctx context.Context, today workday.Date, days int) (workday.Date, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return workday.Date{}, err
	}
	due, err := cal.AddWorkdays(today, days)
	if errors.Is(err, workday.ErrNoCalendar) {
		return due, apperr.Field("days", "无法计算整改期限："+err.Error()+"（请先在“工作日历”录入）")
	}
	return due, err
}

// --- what runs do to tickets ---

// closeFixedTickets closes the tickets in progress of a finding that a run
// no longer found.
func (s *Service) closeFixedTickets(ctx context.Context, tx *sql.Tx, findingID string, today workday.Date, actor audit.Actor, now time.Time) (int, error) {
	ts, err := s.ticketsWhere(ctx, tx, "t.finding_id = $1 AND t.status <> 'closed'", findingID)
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		if _, err := tx.ExecContext(ctx, `UPDATE supervise_tickets SET status = 'closed', resolution = 'fixed', closed_on = $2,
			updated_at = $3 WHERE id = $1`, t.ID, today.String(), db.Time(now)); err != nil {
			return 0, err
		}
		if err := s.ticketEvent(ctx, tx, t.ID, EvFixed, today, "再核查未发现该问题", actor, now); err != nil {
			return 0, err
		}
		if _, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: t.OrgID, Action: "supervise.ticket.fixed",
			ObjectType: "supervise_ticket", ObjectID: t.ID, Summary: "再核查未发现问题，整改单 " + t.No + " 自动办结",
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": TicketClosed, "resolution": ResolutionFixed}}); err != nil {
			return 0, err
		}
	}
	return len(ts), nil
}

// reopenTickets reopens the ticket a run closed as fixed when its finding
// comes back, with a new deadline of the ticket's own length.
func (s *Service) reopenTickets(ctx context.Context, tx *sql.Tx, findingID string, c Candidate, today workday.Date,
	cal *workday.Calendar, calErr error, actor audit.Actor, now time.Time) (int, error) {
	ts, err := s.ticketsWhere(ctx, tx, "t.finding_id = $1 ORDER BY t.created_at DESC, t.id DESC", findingID)
	if err != nil || len(ts) == 0 {
		return 0, err
	}
	t := ts[0]
	if t.Status != TicketClosed || t.Resolution != ResolutionFixed {
		return 0, nil
	}
	due := ""
	note := "再核查发现问题复现：" + c.Evidence
	if calErr == nil {
		if d, err := cal.AddWorkdays(today, t.Days); err == nil {
			due = d.String()
			note += fmt.Sprintf("（新期限：%s）", d.Chinese())
		}
	}
	if due == "" {
		// Without a calendar the old length cannot be counted; the ticket is
		// due at once and the supervisor sets a deadline by returning it.
		due = today.String()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supervise_tickets SET status = 'open', resolution = '', closed_on = '', escalated_on = '',
		due_on = $2, reopen_count = reopen_count + 1, updated_at = $3 WHERE id = $1`, t.ID, due, db.Time(now)); err != nil {
		return 0, err
	}
	if err := s.ticketEvent(ctx, tx, t.ID, EvReopen, today, note, actor, now); err != nil {
		return 0, err
	}
	_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: t.OrgID, Action: "supervise.ticket.reopen",
		ObjectType: "supervise_ticket", ObjectID: t.ID, Summary: "问题复现，重新打开整改单 " + t.No,
		Before: map[string]any{"status": t.Status}, After: map[string]any{"status": TicketOpen, "due_on": due}})
	return 1, err
}

// escalate marks the open tickets of orgIDs whose deadline passed.
func (s *Service) escalate(ctx context.Context, tx *sql.Tx, orgIDs []string, today workday.Date, actor audit.Actor, now time.Time) (int, error) {
	args := []any{today.String()}
	ts, err := s.ticketsWhere(ctx, tx, "t.status = 'open' AND t.escalated_on = '' AND t.due_on < $1"+inList("t.org_id", orgIDs, &args), args...)
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		if _, err := tx.ExecContext(ctx, "UPDATE supervise_tickets SET escalated_on = $2, updated_at = $3 WHERE id = $1",
			t.ID, today.String(), db.Time(now)); err != nil {
			return 0, err
		}
		due, _ := workday.ParseDate(t.DueOn)
		note := fmt.Sprintf("整改期限 %s 已过，单位未反馈", due.Chinese())
		if err := s.ticketEvent(ctx, tx, t.ID, EvEscalate, today, note, actor, now); err != nil {
			return 0, err
		}
		if _, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: t.OrgID, Action: "supervise.ticket.escalate",
			ObjectType: "supervise_ticket", ObjectID: t.ID, Summary: "整改单 " + t.No + " 逾期未反馈，列入督办",
			After: map[string]any{"escalated_on": today.String(), "due_on": t.DueOn}}); err != nil {
			return 0, err
		}
	}
	return len(ts), nil
}

// --- reading ---

const ticketCols = `t.id, t.ticket_no, t.finding_id, t.org_id, t.status, t.resolution, t.request, t.days, t.opened_on, t.due_on,
	t.reply, t.replied_on, t.replied_by, t.closed_on, t.escalated_on, t.reopen_count, t.created_by, t.created_at, t.updated_at, ` + findingColsF

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var created, updated string
	dest := []any{&t.ID, &t.No, &t.FindingID, &t.OrgID, &t.Status, &t.Resolution, &t.Request, &t.Days, &t.OpenedOn, &t.DueOn,
		&t.Reply, &t.RepliedOn, &t.RepliedBy, &t.ClosedOn, &t.EscalatedOn, &t.ReopenCount, &t.CreatedBy, &created, &updated}
	fdest, finish := findingDest(&t.Finding)
	if err := row.Scan(append(dest, fdest...)...); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = db.MustTime(created), db.MustTime(updated)
	finish()
	return t, nil
}

func (s *Service) ticketsWhere(ctx context.Context, q db.Querier, where string, args ...any) ([]Ticket, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+ticketCols+" FROM supervise_tickets t JOIN supervise_findings f ON f.id = t.finding_id WHERE "+
		where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Ticket returns a ticket with its events, if p may see it (supervise.view
// over the assignee or the finding's org).
func (s *Service) Ticket(ctx context.Context, p *org.Principal, id string) (Ticket, error) {
	ts, err := s.ticketsWhere(ctx, s.DB.R, "t.id = $1", id)
	if err != nil {
		return Ticket{}, err
	}
	if len(ts) == 0 {
		return Ticket{}, apperr.NotFoundf("整改单不存在或您无权查看")
	}
	t := ts[0]
	if p != nil {
		a, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseView, t.OrgID)
		if err != nil {
			return t, err
		}
		b, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseView, t.Finding.OrgID)
		if err != nil {
			return t, err
		}
		if !a && !b {
			return Ticket{}, apperr.NotFoundf("整改单不存在或您无权查看")
		}
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT seq, kind, on_date, note, actor_name, at FROM supervise_ticket_events
		WHERE ticket_id = $1 ORDER BY seq`, id)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var e TicketEvent
		var at string
		if err := rows.Scan(&e.Seq, &e.Kind, &e.On, &e.Note, &e.ActorName, &at); err != nil {
			return t, err
		}
		e.At = db.MustTime(at)
		t.Events = append(t.Events, e)
	}
	return t, rows.Err()
}

// TicketFilter selects tickets for lists.
type TicketFilter struct {
	OrgIDs    []string // assignee orgs (nil = all)
	OrgID     string
	Status    string // "", open, replied, closed, active (open or replied)
	Escalated bool   // only tickets under 督办
	Overdue   bool   // only open tickets past their deadline (today)
	Limit     int
}

// Tickets lists tickets, escalated and overdue first, then by deadline.
func (s *Service) Tickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	where := "1=1"
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where += inList("t.org_id", f.OrgIDs, &args)
	if f.OrgID != "" {
		where += " AND t.org_id = " + arg(f.OrgID)
	}
	switch f.Status {
	case TicketOpen, TicketReplied, TicketClosed:
		where += " AND t.status = " + arg(f.Status)
	case "active":
		where += " AND t.status <> 'closed'"
	}
	if f.Escalated {
		where += " AND t.escalated_on <> '' AND t.status = 'open'"
	}
	if f.Overdue {
		where += " AND t.status = 'open' AND t.due_on < " + arg(s.Today().String())
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 300
	}
	where += ` ORDER BY CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END, CASE WHEN t.escalated_on <> '' AND t.status = 'open' THEN 0 ELSE 1 END,
		t.due_on, t.ticket_no LIMIT ` + arg(limit)
	return s.ticketsWhere(ctx, s.DB.R, where, args...)
}

// TicketCounts are the tickets of orgIDs by state, for the dashboard.
type TicketCounts struct {
	Open, Replied, Closed, Overdue, Escalated, Reopened int
}

// CountTickets counts tickets by state (Overdue: open past the deadline today).
func (s *Service) CountTickets(ctx context.Context, orgIDs []string) (TicketCounts, error) {
	var c TicketCounts
	args := []any{s.Today().String()}
	err := s.DB.R.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'replied' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'open' AND due_on < $1 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'open' AND escalated_on <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status <> 'closed' AND reopen_count > 0 THEN 1 ELSE 0 END), 0)
		FROM supervise_tickets t WHERE 1=1`+inList("t.org_id", orgIDs, &args), args...).
		Scan(&c.Open, &c.Replied, &c.Closed, &c.Overdue, &c.Escalated, &c.Reopened)
	return c, err
}
