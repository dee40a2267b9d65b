package board

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
	"gongkai.dev/gongkai/internal/privacy"
	"gongkai.dev/gongkai/internal/workday"
)

// Get returns a message for staff who may see it: board.view in the org
// it is routed to now. Staff of an org it was transferred away from are
// told where it went (a clear refusal, not a missing page); everyone else
// gets NotFound, so unpublished messages look absent.
func (s *Service) Get(ctx context.Context, p *org.Principal, id string) (Message, error) {
	m, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return Message{}, err
	}
	ok, err := s.Orgs.Allowed(ctx, p, org.PermBoardView, m.OrgID)
	if err != nil {
		return Message{}, err
	}
	if ok {
		return m, nil
	}
	if err := s.movedAway(ctx, p, m); err != nil {
		return Message{}, err
	}
	return Message{}, apperr.NotFoundf("留言不存在或无权查看")
}

// movedAway answers Forbidden, naming the current org, when m was once
// routed to an org where p handles messages.
func (s *Service) movedAway(ctx context.Context, p *org.Principal, m Message) error {
	froms, err := db.QueryStrings(ctx, s.DB.R, `SELECT from_org_id FROM board_history WHERE message_id = $1 AND kind = 'transfer'
		ORDER BY seq DESC`, m.ID)
	if err != nil {
		return err
	}
	for _, from := range froms {
		ok, err := s.Orgs.Allowed(ctx, p, org.PermBoardView, from)
		if err != nil {
			return err
		}
		if ok {
			names, err := s.orgNames(ctx)
			if err != nil {
				return err
			}
			return apperr.New(apperr.Forbidden, fmt.Sprintf("留言 %s 已转交%s办理，只有当前承办单位可以查看和办理；本单位不能再受理、答复或转办。",
				m.TrackingNo, names[m.OrgID]))
		}
	}
	return nil
}

// act loads a message for an action needing perm in its current org.
func (s *Service) act(ctx context.Context, p *org.Principal, perm org.Permission, id, what string) (Message, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return Message{}, err
	}
	ok, err := s.Orgs.Allowed(ctx, p, perm, m.OrgID)
	if err != nil {
		return Message{}, err
	}
	if !ok {
		return Message{}, apperr.New(apperr.Forbidden, "您没有"+what+"该留言的权限（须由留言当前承办单位的相应人员办理）")
	}
	return m, nil
}

// update runs fn in a transaction after re-checking, under the row's lock,
// that the message is still routed to orgID and in one of statuses: a
// stale page (another colleague acted, or the message was transferred
// meanwhile) is refused instead of overwriting.
func (s *Service) update(ctx context.Context, m Message, statuses []string, set string, args []any,
	fn func(tx *sql.Tx) error) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		all := append([]any{m.ID, m.OrgID}, args...)
		q := "UPDATE board_messages SET " + set + " WHERE id = $1 AND org_id = $2 AND status IN (" +
			placeholders(&all, statuses) + ")"
		res, err := tx.ExecContext(ctx, q, all...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "留言已被他人办理或转办，请刷新页面后查看最新情况")
		}
		return fn(tx)
	})
}

func statusRefusal(m Message, action string) error {
	return apperr.New(apperr.Conflict, fmt.Sprintf("留言%s，不能%s", StatusLabels[m.Status], action))
}

// Accept records 受理 by the org the message is routed to.
func (s *Service) Accept(ctx context.Context, p *org.Principal, ip, id string) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardHandle, id, "受理")
	if err != nil {
		return Message{}, err
	}
	if m.Status != StatusReceived {
		return Message{}, statusRefusal(m, "受理")
	}
	now := s.now()
	today := workday.DateOf(now).String()
	err = s.update(ctx, m, []string{StatusReceived},
		"status = 'accepted', accepted_on = CASE WHEN accepted_on = '' THEN $3 ELSE accepted_on END, updated_at = $4",
		[]any{today, db.Time(now)}, func(tx *sql.Tx) error {
			return s.record(ctx, tx, p.Actor(ip), m, HistAccept, "", m.OrgID, "", "board.accept", "受理留言 "+m.TrackingNo)
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// record writes a history step and its evidence-chain event.
func (s *Service) record(ctx context.Context, tx *sql.Tx, actor audit.Actor, m Message, kind, from, to, note, action,
	summary string) error {
	now := s.now()
	if err := addHistory(ctx, tx, m.ID, kind, now, from, to, actor, note); err != nil {
		return err
	}
	_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: m.OrgID, Action: action, ObjectType: "message",
		ObjectID: m.ID, Summary: summary, Before: map[string]any{"status": m.Status, "org_id": m.OrgID}})
	return err
}

// Transfer routes a message to the org responsible for it, with the reason
// recorded; the history keeps every hop. The receiving org must take
// messages and differ from the current one; it accepts the message again.
// The clock does not restart: for the writer the government received the
// message when it did.
func (s *Service) Transfer(ctx context.Context, p *org.Principal, ip, id, toOrgID, reason string) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardHandle, id, "转办")
	if err != nil {
		return Message{}, err
	}
	if m.Status != StatusReceived && m.Status != StatusAccepted {
		return Message{}, statusRefusal(m, "转办")
	}
	reason = clean(reason)
	var fs apperr.Fields
	if reason == "" {
		fs.Add("reason", "请写明转办理由")
	}
	tooLong(&fs, "reason", "转办理由", reason, MaxReason)
	to, err := s.Orgs.GetOrg(ctx, strings.TrimSpace(toOrgID))
	switch {
	case strings.TrimSpace(toOrgID) == "" || apperr.Is(err, apperr.NotFound):
		fs.Add("to_org", "请选择转办的承办单位")
	case err != nil:
		return Message{}, err
	case to.ID == m.OrgID:
		fs.Add("to_org", "承办单位不能是本单位")
	case !Takes(to.Kind):
		fs.Add("to_org", to.Name+"不单独受理留言，请转所在的街道（乡镇）或主管部门")
	}
	if err := fs.Err(); err != nil {
		return Message{}, err
	}
	now := s.now()
	err = s.update(ctx, m, []string{StatusReceived, StatusAccepted}, "org_id = $3, status = 'received', updated_at = $4",
		[]any{to.ID, db.Time(now)}, func(tx *sql.Tx) error {
			if err := addHistory(ctx, tx, m.ID, HistTransfer, now, m.OrgID, to.ID, p.Actor(ip), reason); err != nil {
				return err
			}
			// Recorded for both orgs, so each sees it in its own evidence view.
			for _, o := range []string{m.OrgID, to.ID} {
				if _, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: o, Action: "board.transfer",
					ObjectType: "message", ObjectID: m.ID, Summary: "留言 " + m.TrackingNo + " 转" + to.Name + "办理：" + reason,
					Before: map[string]any{"org_id": m.OrgID, "status": m.Status},
					After:  map[string]any{"org_id": to.ID, "status": StatusReceived}}); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Reply answers a message in the name of the org it is routed to. A
// message not yet accepted is accepted with the reply (受理 and 答复 the
// same day). Any other org is refused (Get/act), also when the page was
// opened before a transfer (update re-checks the org).
func (s *Service) Reply(ctx context.Context, p *org.Principal, ip, id, text string) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardHandle, id, "答复")
	if err != nil {
		return Message{}, err
	}
	if m.Status != StatusReceived && m.Status != StatusAccepted {
		return Message{}, statusRefusal(m, "答复")
	}
	text = clean(text)
	var fs apperr.Fields
	if text == "" || moderation.Normalize(text) == "" {
		fs.Add("reply", "请填写答复内容")
	}
	tooLong(&fs, "reply", "答复内容", text, MaxReply)
	if err := fs.Err(); err != nil {
		return Message{}, err
	}
	now := s.now()
	today := workday.DateOf(now).String()
	err = s.update(ctx, m, []string{StatusReceived, StatusAccepted},
		`status = 'replied', accepted_on = CASE WHEN accepted_on = '' THEN $3 ELSE accepted_on END, responded_on = $3,
		reply = $4, reply_org_id = org_id, reply_by = $5, updated_at = $6`,
		[]any{today, text, p.User.DisplayName, db.Time(now)}, func(tx *sql.Tx) error {
			if m.Status == StatusReceived {
				if err := addHistory(ctx, tx, m.ID, HistAccept, now, "", m.OrgID, p.Actor(ip), ""); err != nil {
					return err
				}
			}
			return s.record(ctx, tx, p.Actor(ip), m, HistReply, "", m.OrgID, "", "board.reply", "答复留言 "+m.TrackingNo)
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// RedirectText is the notice a referred writer reads.
func RedirectText(ch Channel, note string) string {
	t := "您反映的事项属于“" + ch.Name + "”的受理范围，本留言板不能代为办理。" + ch.HowTo
	if note != "" {
		t += "\n" + note
	}
	return t
}

// Redirect refers a message to the channel it belongs to (信访, 12345,
// 纪检监察 …), with a notice telling the writer where to go: a response
// that closes the message.
func (s *Service) Redirect(ctx context.Context, p *org.Principal, ip, id, channel, note string) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardHandle, id, "告知其他渠道")
	if err != nil {
		return Message{}, err
	}
	if m.Status != StatusReceived && m.Status != StatusAccepted {
		return Message{}, statusRefusal(m, "告知其他渠道")
	}
	cfg, err := LoadConfig(ctx, s.DB.R)
	if err != nil {
		return Message{}, err
	}
	note = clean(note)
	var fs apperr.Fields
	ch, ok := cfg.Channel(channel)
	if !ok {
		fs.Add("channel", "请选择该事项所属的渠道")
	}
	tooLong(&fs, "note", "补充说明", note, MaxReason)
	if err := fs.Err(); err != nil {
		return Message{}, err
	}
	now := s.now()
	today := workday.DateOf(now).String()
	err = s.update(ctx, m, []string{StatusReceived, StatusAccepted},
		`status = 'redirected', accepted_on = CASE WHEN accepted_on = '' THEN $3 ELSE accepted_on END, responded_on = $3,
		reply = $4, reply_org_id = org_id, reply_by = $5, channel = $6, updated_at = $7`,
		[]any{today, RedirectText(ch, note), p.User.DisplayName, ch.Name, db.Time(now)}, func(tx *sql.Tx) error {
			return s.record(ctx, tx, p.Actor(ip), m, HistRedirect, "", m.OrgID, ch.Name, "board.redirect",
				"留言 "+m.TrackingNo+" 告知通过“"+ch.Name+"”反映")
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Release passes a held message into the routed org's inbox.
func (s *Service) Release(ctx context.Context, p *org.Principal, ip, id string) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardPublish, id, "审核")
	if err != nil {
		return Message{}, err
	}
	if m.Status != StatusHeld {
		return Message{}, statusRefusal(m, "审核通过")
	}
	now := s.now()
	err = s.update(ctx, m, []string{StatusHeld}, "status = 'received', updated_at = $3", []any{db.Time(now)},
		func(tx *sql.Tx) error {
			return s.record(ctx, tx, p.Actor(ip), m, HistRelease, "", m.OrgID, "", "board.release",
				"留言 "+m.TrackingNo+" 审核通过，转交受理")
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Reject marks a message invalid (无效留言: spam, abuse, no discernible
// content …) with a reason from the published list; the writer sees the
// reason on the tracking page. Only a 审核员 may, before any response.
func (s *Service) Reject(ctx context.Context, p *org.Principal, ip, id, reason, note string) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardPublish, id, "审核")
	if err != nil {
		return Message{}, err
	}
	if !Open(m.Status) {
		return Message{}, statusRefusal(m, "作不予受理处理")
	}
	mcfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return Message{}, err
	}
	reason, note = strings.TrimSpace(reason), clean(note)
	var fs apperr.Fields
	switch {
	case !slices.Contains(mcfg.RejectReasons, reason):
		fs.Add("reason", "请从列表中选择不予受理的理由")
	case strings.Contains(reason, "见说明") && note == "":
		fs.Add("note", "选择“其他”时请写明理由")
	}
	tooLong(&fs, "note", "说明", note, MaxReason)
	if err := fs.Err(); err != nil {
		return Message{}, err
	}
	full := reason
	if note != "" {
		full += "：" + note
	}
	now := s.now()
	err = s.update(ctx, m, []string{StatusHeld, StatusReceived, StatusAccepted},
		"status = 'invalid', invalid_reason = $3, updated_at = $4", []any{full, db.Time(now)}, func(tx *sql.Tx) error {
			return s.record(ctx, tx, p.Actor(ip), m, HistReject, "", m.OrgID, full, "board.reject",
				"留言 "+m.TrackingNo+" 不予受理："+full)
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// MaskText masks what a writer wrote before it is public: what
// privacy.Scan finds and the name and contact they gave, wherever they
// repeat them (participate.MaskPersonal, the comments' masking).
func MaskText(text, name, contact string) string {
	return participate.MaskPersonal(text, name, contact)
}

// MaskReply masks a reply before it is public: ID and bank card numbers,
// mobile numbers, and the writer's name and contact. Landlines and e-mail
// addresses stay: in a reply they are the office's (请致电 0000-88881001).
func MaskReply(text, name, contact string) string {
	var fs []privacy.Finding
	for _, f := range privacy.Scan(text) {
		if f.Kind != privacy.KindLandline && f.Kind != privacy.KindEmail {
			fs = append(fs, f)
		}
	}
	out := privacy.Mask(text, fs)
	// The writer's name and contact as participate.MaskPersonal masks them.
	if r := []rune(name); len(r) >= 2 {
		out = strings.ReplaceAll(out, name, string(r[0])+strings.Repeat("*", len(r)-1))
	}
	if r := []rune(contact); len(r) >= 5 {
		out = strings.ReplaceAll(out, contact, string(r[:2])+strings.Repeat("*", len(r)-2))
	}
	return out
}

// PublishInput is the public version of a message a 审核员 may adjust
// (e.g. drop a sentence naming a third person). Whatever is given is
// masked again on save: nothing unmasked can become public.
type PublishInput struct {
	Title, Body, Reply string
}

// PublicDraft is the masked version proposed for publication.
func PublicDraft(m Message) PublishInput {
	if m.Published() {
		return PublishInput{Title: m.PublicTitle, Body: m.PublicBody, Reply: m.PublicReply}
	}
	return PublishInput{Title: MaskText(m.Title, m.Name, m.Contact), Body: MaskText(m.Body, m.Name, m.Contact),
		Reply: MaskReply(m.Reply, m.Name, m.Contact)}
}

// Publish puts a replied message and its reply on the portal — only with
// the writer's consent, and only masked. Publishing again updates the
// public texts.
func (s *Service) Publish(ctx context.Context, p *org.Principal, ip, id string, in PublishInput) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardPublish, id, "公开")
	if err != nil {
		return Message{}, err
	}
	switch {
	case m.Status != StatusReplied:
		return Message{}, apperr.New(apperr.Conflict, "只有已答复的留言可以公开")
	case !m.Consent:
		return Message{}, apperr.New(apperr.Conflict, "留言人未同意公开，该留言和答复不能公开")
	}
	in.Title = strings.Join(strings.Fields(clean(in.Title)), " ")
	in.Body, in.Reply = clean(in.Body), clean(in.Reply)
	var fs apperr.Fields
	if in.Title == "" {
		fs.Add("public_title", "请填写公开的留言标题")
	}
	tooLong(&fs, "public_title", "留言标题", in.Title, MaxTitle)
	if in.Body == "" {
		fs.Add("public_body", "请填写公开的留言内容")
	}
	tooLong(&fs, "public_body", "留言内容", in.Body, 20000)
	if in.Reply == "" {
		fs.Add("public_reply", "请填写公开的答复内容")
	}
	tooLong(&fs, "public_reply", "答复内容", in.Reply, MaxReply)
	if err := fs.Err(); err != nil {
		return Message{}, err
	}
	title, body := MaskText(in.Title, m.Name, m.Contact), MaskText(in.Body, m.Name, m.Contact)
	reply := MaskReply(in.Reply, m.Name, m.Contact)
	now := s.now()
	summary := "公开留言 " + m.TrackingNo + " 及答复"
	if m.Published() {
		summary = "修改已公开留言 " + m.TrackingNo + " 的公开内容"
	}
	err = s.update(ctx, m, []string{StatusReplied},
		`public_title = $3, public_body = $4, public_reply = $5,
		published_at = CASE WHEN published_at = '' THEN $6 ELSE published_at END, updated_at = $6`,
		[]any{title, body, reply, db.Time(now)}, func(tx *sql.Tx) error {
			return s.record(ctx, tx, p.Actor(ip), m, HistPublish, "", m.OrgID, "", "board.publish", summary)
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Unpublish takes a published message off the portal, with a reason.
func (s *Service) Unpublish(ctx context.Context, p *org.Principal, ip, id, reason string) (Message, error) {
	m, err := s.act(ctx, p, org.PermBoardPublish, id, "撤回公开")
	if err != nil {
		return Message{}, err
	}
	if !m.Published() {
		return Message{}, apperr.New(apperr.Conflict, "该留言尚未公开")
	}
	reason = clean(reason)
	var fs apperr.Fields
	if reason == "" {
		fs.Add("reason", "请写明撤回公开的理由")
	}
	tooLong(&fs, "reason", "撤回理由", reason, MaxReason)
	if err := fs.Err(); err != nil {
		return Message{}, err
	}
	now := s.now()
	err = s.update(ctx, m, []string{StatusReplied}, "published_at = '', updated_at = $3", []any{db.Time(now)},
		func(tx *sql.Tx) error {
			return s.record(ctx, tx, p.Actor(ip), m, HistUnpublish, "", m.OrgID, reason, "board.unpublish",
				"撤回留言 "+m.TrackingNo+" 的公开："+reason)
		})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// View is a message's staff page: the message, its clock, its history and
// what p may do.
type View struct {
	Message
	Clock      Clock
	ClockErr   string
	Steps      []Step
	CanHandle  bool
	CanPublish bool
	Draft      PublishInput // the masked public version
}

// View returns the staff page of a message.
func (s *Service) View(ctx context.Context, p *org.Principal, id string) (View, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	v := View{Message: m, Draft: PublicDraft(m)}
	if v.Clock, err = s.clockOf(ctx, m); err != nil {
		v.ClockErr = err.Error()
	}
	if v.Steps, err = s.history(ctx, id); err != nil {
		return View{}, err
	}
	if v.CanHandle, err = s.Orgs.Allowed(ctx, p, org.PermBoardHandle, m.OrgID); err != nil {
		return View{}, err
	}
	if v.CanPublish, err = s.Orgs.Allowed(ctx, p, org.PermBoardPublish, m.OrgID); err != nil {
		return View{}, err
	}
	return v, nil
}

// List tabs.
const (
	TabOpen      = "open"      // held, received, accepted: most urgent first
	TabOverdue   = "overdue"   // open and past due, escalated first
	TabHeld      = "held"      // waiting for a 审核员
	TabToPublish = "publish"   // replied with consent, not yet public
	TabDone      = "done"      // replied, referred or invalid, newest first
	TabPublished = "published" // on the portal
)

// Filter selects a staff list.
type Filter struct {
	Tab    string
	OrgID  string // one org of the scope; "" = all of it
	Limit  int
	Offset int
}

// List returns the messages of the orgs where p has board.view, by tab.
func (s *Service) List(ctx context.Context, p *org.Principal, f Filter) ([]Row, int, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermBoardView)
	if err != nil {
		return nil, 0, err
	}
	if f.OrgID != "" {
		if !slices.Contains(scope, f.OrgID) {
			return nil, 0, apperr.NotFoundf("机构不存在或无权查看")
		}
		scope = []string{f.OrgID}
	}
	if len(scope) == 0 {
		return nil, 0, nil
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var args []any
	where := "org_id IN (" + placeholders(&args, scope) + ")"
	order := "received_on DESC, id DESC"
	urgent := false
	switch f.Tab {
	case TabOverdue:
		rows, err := s.Overdue(ctx, scope)
		if err != nil {
			return nil, 0, err
		}
		return page(rows, f), len(rows), nil
	case TabHeld:
		where += " AND status = 'held'"
		urgent = true
	case TabToPublish:
		where += " AND status = 'replied' AND consent AND published_at = ''"
		order = "responded_on, id"
	case TabDone:
		where += " AND status IN ('replied', 'redirected', 'invalid')"
		order = "updated_at DESC, id DESC"
	case TabPublished:
		where += " AND published_at <> ''"
		order = "published_at DESC, id DESC"
	default:
		where += " AND status IN ('held', 'received', 'accepted')"
		urgent = true
	}
	if urgent {
		rows, err := s.rows(ctx, where, args, "", 0, 0)
		if err != nil {
			return nil, 0, err
		}
		sortUrgent(rows)
		return page(rows, f), len(rows), nil
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM board_messages WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.rows(ctx, where, args, order, f.Limit, f.Offset)
	return rows, total, err
}

func page(rows []Row, f Filter) []Row {
	if f.Offset >= len(rows) {
		return nil
	}
	return rows[f.Offset:min(len(rows), f.Offset+f.Limit)]
}

// Counts are the tab badges of p's inbox.
type Counts struct {
	Open, Overdue, Escalated, Held, ToPublish int
}

// Counts returns how many messages wait in p's scope.
func (s *Service) Counts(ctx context.Context, p *org.Principal) (Counts, error) {
	var c Counts
	scope, err := s.Orgs.Scope(ctx, p, org.PermBoardView)
	if err != nil || len(scope) == 0 {
		return c, err
	}
	var args []any
	in := placeholders(&args, scope)
	err = s.DB.R.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status IN ('held', 'received', 'accepted') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'replied' AND consent AND published_at = '' THEN 1 ELSE 0 END), 0)
		FROM board_messages WHERE org_id IN (`+in+`)`, args...).Scan(&c.Open, &c.Held, &c.ToPublish)
	if err != nil {
		return c, err
	}
	over, err := s.Overdue(ctx, scope)
	if err != nil {
		return c, err
	}
	c.Overdue = len(over)
	for _, r := range over {
		if r.Clock.Escalated {
			c.Escalated++
		}
	}
	return c, nil
}
