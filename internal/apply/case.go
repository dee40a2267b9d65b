package apply

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Case statuses. Everything finer (awaiting correction, paused, overdue) is
// the clock's, computed from the events.
const (
	StatusUnconfirmed = "unconfirmed" // online/letter/fax application not yet confirmed by staff (第三十一条)
	StatusHandling    = "handling"
	StatusClosed      = "closed" // replied or deemed abandoned
	StatusArchived    = "archived"
)

// StatusLabels name the statuses in Chinese.
var StatusLabels = map[string]string{StatusUnconfirmed: "待确认", StatusHandling: "办理中", StatusClosed: "已办结",
	StatusArchived: "已归档"}

// Limits on applicant input: generous for real requests, bounded for abuse.
const (
	MaxDescription = 5000
	maxShort       = 200
)

// Application is what an applicant submits (条例第二十九条).
type Application struct {
	ApplicantType  string
	ApplicantName  string // 姓名或者名称
	IDDocType      string // 身份证明类型
	IDDocNo        string
	ContactPhone   string
	ContactEmail   string
	ContactAddress string
	Description    string // 所需政府信息的名称、文号或者特征性描述
	DocHint        string // 文号等
	Form           string // 纸质 / 电子
	Delivery       string // 邮寄 / 电子邮件 / 自行领取 / 网上获取
	Channel        string
	SubmittedOn    string // YYYY-MM-DD
	SignedOn       string
	ConfirmedOn    string
}

// Case is an application being handled.
type Case struct {
	ID, OrgID, TrackingNo, Status string
	Application
	ReceivedOn  string
	Outcome     string
	ReplyReason string
	RepliedOn   string
	ReplyBasis  string // the legal basis the reply letter cites
	ReplyObtain string // where and how to obtain the information, or the competent agency (第三十六条第（二）、（五）项)
	HandlerID   string // 承办人: the staff member reminders go to
	HandlerName string
	Delivered   DeliveryRecord
	ArchivedOn  string
	ArchiveNo   string
	// ProactiveInfoID is the draft record made when the information was
	// brought into proactive disclosure (第四十四条).
	ProactiveInfoID string
	CreatedAt       time.Time
	Events          []CaseEvent
}

// DeliveryRecord is how the reply reached the applicant (送达).
type DeliveryRecord struct {
	On, Method, Note string
}

// CaseEvent is a stored clock event with who recorded it.
type CaseEvent struct {
	ClockEvent
	Seq       int
	Note      string
	ActorName string
	At        time.Time
	// A fee notice's charge (amount in 分).
	FeeMethod FeeMethod
	FeeUnits  int
	FeeAmount int64
}

// Fee is a fee notice event's charge.
func (e CaseEvent) Fee() Fee { return Fee{Method: e.FeeMethod, Units: e.FeeUnits, Amount: e.FeeAmount} }

// Service is the 依申请公开 capability.
type Service struct {
	DB       *db.DB
	Orgs     *org.Service
	Calendar func(context.Context) (*workday.Calendar, error)
	Rules    Rules        // zero value: DefaultRules
	Fees     *FeeSchedule // nil: DefaultFeeSchedule
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Today is the service's current day (China Standard Time).
func (s *Service) Today() workday.Date { return workday.DateOf(s.now()) }

func (s *Service) rules() Rules {
	if s.Rules == (Rules{}) {
		return DefaultRules()
	}
	return s.Rules
}

func oneOf[T any](code string, list []T, key func(T) string) bool {
	for _, x := range list {
		if key(x) == code {
			return true
		}
	}
	return false
}

// validate trims and checks an application; errors name each field.
func validate(a *Application, staff bool) error {
	for _, p := range []*string{&a.ApplicantType, &a.ApplicantName, &a.IDDocType, &a.IDDocNo, &a.ContactPhone, &a.ContactEmail,
		&a.ContactAddress, &a.Description, &a.DocHint, &a.Form, &a.Delivery, &a.Channel, &a.SubmittedOn, &a.SignedOn, &a.ConfirmedOn} {
		*p = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
				return -1 // control characters never reach the letters
			}
			return r
		}, *p))
	}
	var fs apperr.Fields
	if !oneOf(a.ApplicantType, ApplicantTypes, func(x struct{ Code, Label string }) string { return x.Code }) {
		fs.Add("applicant_type", "请选择申请人类型（自然人、商业企业、科研机构、社会公益组织、法律服务机构或其他）")
	}
	if a.ApplicantName == "" {
		fs.Add("applicant_name", "申请人姓名或者名称不能为空")
	}
	if a.ContactPhone == "" && a.ContactEmail == "" && a.ContactAddress == "" {
		fs.Add("contact_phone", "请至少填写一种联系方式（电话、电子邮箱或通讯地址）")
	}
	if a.ContactEmail != "" && (!strings.Contains(a.ContactEmail, "@") || strings.ContainsAny(a.ContactEmail, " <>\"")) {
		fs.Add("contact_email", "电子邮箱格式不正确")
	}
	if a.Description == "" {
		fs.Add("description", "请描述所需的政府信息（名称、文号或者便于查询的其他特征性描述）")
	} else if n := utf8.RuneCountInString(a.Description); n > MaxDescription {
		fs.Add("description", fmt.Sprintf("所需信息描述最多 %d 字（现为 %d 字），内容较多时请分件申请", MaxDescription, n))
	}
	for _, x := range []struct{ field, label, v string }{{"applicant_name", "申请人", a.ApplicantName},
		{"id_doc_type", "证件类型", a.IDDocType}, {"id_doc_no", "证件号码", a.IDDocNo}, {"contact_phone", "联系电话", a.ContactPhone},
		{"contact_email", "电子邮箱", a.ContactEmail}, {"contact_address", "通讯地址", a.ContactAddress}, {"doc_hint", "文号", a.DocHint},
		{"form", "载体形式", a.Form}, {"delivery", "获取方式", a.Delivery}} {
		if utf8.RuneCountInString(x.v) > maxShort {
			fs.Add(x.field, fmt.Sprintf("%s最多 %d 字", x.label, maxShort))
		}
	}
	if !oneOf(a.Channel, Channels, func(x struct{ Code, Label, Rule string }) string { return x.Code }) {
		fs.Add("channel", "请选择申请渠道")
	}
	if !staff && a.Channel != ChannelOnline {
		fs.Add("channel", "网上申请的渠道只能是互联网")
	}
	for _, x := range []struct{ field, v string }{{"submitted_on", a.SubmittedOn}, {"signed_on", a.SignedOn}, {"confirmed_on", a.ConfirmedOn}} {
		if x.v != "" {
			if _, err := workday.ParseDate(x.v); err != nil {
				fs.Add(x.field, "日期应为 YYYY-MM-DD 格式")
			}
		}
	}
	return fs.Err()
}

func optDate(s string) workday.Date {
	d, _ := workday.ParseDate(s)
	return d
}

// trackingAlphabet leaves out 0/O and 1/I/L, which are misread on paper.
const trackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newTrackingNo is YSQ-YYYY- plus 12 random characters (~59 bits): printed
// on every letter, enough on its own to open the tracking page, and not
// guessable from another case's number.
func newTrackingNo(year int) string {
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = trackingAlphabet[int(b[i])%len(trackingAlphabet)]
	}
	return fmt.Sprintf("YSQ-%d-%s-%s", year, b[:6], b[6:])
}

// Submit stores an application made on the portal. It is durable before the
// applicant sees the tracking number; submitKey (a hidden form token) makes
// a replayed form return the same case instead of a second one.
//
// Identity documents sent with the form (images or PDF, at most
// MaxIdentityFiles) are stored with the case in the same transaction.
func (s *Service) Submit(ctx context.Context, ip, orgID, submitKey string, a Application, files ...Upload) (Case, error) {
	a.Channel = ChannelOnline
	a.SubmittedOn = workday.DateOf(s.now()).String()
	a.SignedOn, a.ConfirmedOn = "", ""
	if err := CheckOnline(&a, files); err != nil {
		return Case{}, err
	}
	bySubmitKey := func() (Case, bool, error) {
		var id string
		err := s.DB.R.QueryRowContext(ctx, "SELECT id FROM apply_cases WHERE submit_key = $1", submitKey).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return Case{}, false, nil
		}
		if err != nil {
			return Case{}, false, err
		}
		c, err := s.load(ctx, s.DB.R, id)
		return c, true, err
	}
	if submitKey != "" {
		if c, ok, err := bySubmitKey(); ok || err != nil {
			return c, err
		}
	}
	c, err := s.insert(ctx, audit.Actor{Name: "申请人（网上）", IP: ip}, orgID, submitKey, a, StatusUnconfirmed, "", files...)
	if err != nil && submitKey != "" {
		// Two copies of one form racing: the loser's insert hits the unique
		// key; it answers with the winner's case.
		if c, ok, err2 := bySubmitKey(); ok && err2 == nil {
			return c, nil
		}
	}
	return c, err
}

// Register records an application received by staff (in person, by mail,
// letter, fax or phone); the receipt day follows 第三十一条 from the dates
// given, and the clock starts.
func (s *Service) Register(ctx context.Context, p *org.Principal, ip, orgID string, a Application) (Case, error) {
	if err := s.allowed(ctx, p, org.PermApplyHandle, orgID); err != nil {
		return Case{}, err
	}
	if err := validate(&a, true); err != nil {
		return Case{}, err
	}
	rd, err := ReceiptDate(a.Channel, optDate(a.SubmittedOn), optDate(a.SignedOn), optDate(a.ConfirmedOn))
	if err != nil {
		return Case{}, err
	}
	if err := s.checkDay(ctx, rd); err != nil {
		return Case{}, err
	}
	return s.insert(ctx, p.Actor(ip), orgID, "", a, StatusHandling, rd.String())
}

// checkDay refuses dates in the future and years the calendar does not know.
func (s *Service) checkDay(ctx context.Context, d workday.Date) error {
	if d.After(workday.DateOf(s.now())) {
		return apperr.Field("received_on", "收到申请之日不能晚于今天")
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return err
	}
	_, err = cal.IsWorkday(d)
	return err
}

// CheckOnline validates an online application and its identity files
// without storing anything, so a form can show every problem at once.
func CheckOnline(a *Application, files []Upload) error {
	a.Channel = ChannelOnline
	err := validate(a, false)
	var fs apperr.Fields
	if e, ok := apperr.As(err); ok {
		for _, f := range e.Fields {
			fs.Add(f.Field, f.Message)
		}
	} else if err != nil {
		return err
	}
	if len(files) > MaxIdentityFiles {
		fs.Add("id_files", fmt.Sprintf("身份证明文件最多 %d 个", MaxIdentityFiles))
	}
	for i := range files {
		if _, err := checkUpload(&files[i], "id_files"); err != nil {
			e, _ := apperr.As(err)
			fs.Add("id_files", e.Fields[0].Message)
		}
	}
	return fs.Err()
}

// Submitted reports whether an online application with this submission
// key was already filed (a double click or a reloaded receipt page).
func (s *Service) Submitted(ctx context.Context, submitKey string) (bool, error) {
	if submitKey == "" {
		return false, nil
	}
	var one int
	err := s.DB.R.QueryRowContext(ctx, "SELECT 1 FROM apply_cases WHERE submit_key = $1", submitKey).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) insert(ctx context.Context, actor audit.Actor, orgID, submitKey string, a Application, status, received string,
	files ...Upload) (Case, error) {
	now := s.now()
	c := Case{ID: db.NewID(), OrgID: orgID, TrackingNo: newTrackingNo(workday.DateOf(now).Year), Status: status,
		Application: a, ReceivedOn: received, CreatedAt: now}
	var key any
	if submitKey != "" {
		key = submitKey
	}
	// Staff who register a case handle it until it is assigned to someone
	// else; an online case gets its handler when confirmed.
	handler := ""
	if status == StatusHandling {
		handler = actor.ID
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO apply_cases (id, org_id, tracking_no, submit_key, status, channel,
			applicant_type, applicant_name, id_doc_type, id_doc_no, contact_phone, contact_email, contact_address, description,
			doc_hint, form, delivery, submitted_on, signed_on, confirmed_on, received_on, created_at, updated_at, handler_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23)`,
			c.ID, orgID, c.TrackingNo, key, status, a.Channel, a.ApplicantType, a.ApplicantName, a.IDDocType, a.IDDocNo,
			a.ContactPhone, a.ContactEmail, a.ContactAddress, a.Description, a.DocHint, a.Form, a.Delivery, a.SubmittedOn,
			a.SignedOn, a.ConfirmedOn, received, db.Time(now), handler); err != nil {
			return err
		}
		if received != "" {
			if err := s.appendEvent(ctx, tx, c.ID, 1, ClockEvent{Kind: EvReceived, On: optDate(received)}, "", Fee{}, actor, now); err != nil {
				return err
			}
		}
		var hashes []string
		for _, u := range files {
			ct, err := checkUpload(&u, "id_files")
			if err != nil {
				return err
			}
			f, err := s.insertFile(ctx, tx, c.ID, FileIdentity, ct, u, actor.Name, now)
			if err != nil {
				return err
			}
			hashes = append(hashes, f.SHA256)
		}
		// The evidence chain names the case, never the applicant's data.
		ev := audit.Event{Actor: actor, OrgID: orgID, Action: "apply.receive",
			ObjectType: "apply", ObjectID: c.ID, Summary: "收到政府信息公开申请 " + c.TrackingNo + "（" + channelLabel(a.Channel) + "）"}
		if len(hashes) > 0 {
			ev.After = map[string]any{"identity_files_sha256": hashes}
		}
		_, err := audit.Append(ctx, tx, now, ev)
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.load(ctx, s.DB.R, c.ID)
}

func channelLabel(code string) string {
	for _, c := range Channels {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

func (s *Service) appendEvent(ctx context.Context, tx db.Querier, caseID string, seq int, e ClockEvent, note string, fee Fee,
	actor audit.Actor, at time.Time) error {
	until := ""
	if e.Until != (workday.Date{}) {
		until = e.Until.String()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO apply_events (case_id, seq, kind, on_date, days, until_date, party, ref, note,
		actor_id, actor_name, at, fee_method, fee_units, fee_amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		caseID, seq, e.Kind, e.On.String(), e.Days, until, e.Party, e.Ref, note, actor.ID, actor.Name, db.Time(at),
		string(fee.Method), fee.Units, fee.Amount)
	return err
}

func (s *Service) allowed(ctx context.Context, p *org.Principal, perm org.Permission, orgID string) error {
	ok, err := s.Orgs.Allowed(ctx, p, perm, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("申请不存在或无权查看")
	}
	return nil
}

// canHandle: the case is visible (Get checked), so a missing permission is
// 403, not 404 — a reviewer sees the case but does not handle it.
func (s *Service) canHandle(ctx context.Context, p *org.Principal, orgID string) error {
	ok, err := s.Orgs.Allowed(ctx, p, org.PermApplyHandle, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "没有办理该申请的权限")
	}
	return nil
}

// Get returns a case for staff of the handling org.
func (s *Service) Get(ctx context.Context, p *org.Principal, id string) (Case, error) {
	c, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return Case{}, err
	}
	if err := s.allowed(ctx, p, org.PermApplyView, c.OrgID); err != nil {
		return Case{}, err
	}
	return c, nil
}

func (s *Service) load(ctx context.Context, q db.Querier, id string) (Case, error) {
	var c Case
	var created string
	err := q.QueryRowContext(ctx, `SELECT id, org_id, tracking_no, status, channel, applicant_type, applicant_name, id_doc_type,
		id_doc_no, contact_phone, contact_email, contact_address, description, doc_hint, form, delivery, submitted_on, signed_on,
		confirmed_on, received_on, outcome, reply_reason, replied_on, reply_basis, reply_obtain, handler_id,
		COALESCE((SELECT display_name FROM users WHERE users.id = handler_id), ''), delivered_on, delivery_method, delivery_note,
		archived_on, archive_no, proactive_info_id, created_at FROM apply_cases WHERE id = $1`, id).Scan(
		&c.ID, &c.OrgID, &c.TrackingNo, &c.Status, &c.Channel, &c.ApplicantType, &c.ApplicantName, &c.IDDocType, &c.IDDocNo,
		&c.ContactPhone, &c.ContactEmail, &c.ContactAddress, &c.Description, &c.DocHint, &c.Form, &c.Delivery, &c.SubmittedOn,
		&c.SignedOn, &c.ConfirmedOn, &c.ReceivedOn, &c.Outcome, &c.ReplyReason, &c.RepliedOn, &c.ReplyBasis, &c.ReplyObtain,
		&c.HandlerID, &c.HandlerName, &c.Delivered.On, &c.Delivered.Method, &c.Delivered.Note, &c.ArchivedOn, &c.ArchiveNo,
		&c.ProactiveInfoID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, apperr.NotFoundf("申请不存在或无权查看")
	}
	if err != nil {
		return Case{}, err
	}
	c.CreatedAt = db.MustTime(created)
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, on_date, days, until_date, party, ref, note, actor_name, at,
		fee_method, fee_units, fee_amount FROM apply_events WHERE case_id = $1 ORDER BY seq`, id)
	if err != nil {
		return Case{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var e CaseEvent
		var on, until, at string
		if err := rows.Scan(&e.Seq, &e.Kind, &on, &e.Days, &until, &e.Party, &e.Ref, &e.Note, &e.ActorName, &at,
			&e.FeeMethod, &e.FeeUnits, &e.FeeAmount); err != nil {
			return Case{}, err
		}
		e.On, e.Until, e.At = optDate(on), optDate(until), db.MustTime(at)
		c.Events = append(c.Events, e)
	}
	return c, rows.Err()
}

func clockEvents(evs []CaseEvent) []ClockEvent {
	out := make([]ClockEvent, len(evs))
	for i, e := range evs {
		out[i] = e.ClockEvent
	}
	return out
}

// Clock computes a case's deadlines as of today.
func (s *Service) Clock(ctx context.Context, c Case) (Clock, error) {
	if c.ReceivedOn == "" {
		return Clock{}, nil // not yet received (unconfirmed): no clock
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return Clock{}, err
	}
	return Compute(cal, s.rules(), clockEvents(c.Events), workday.DateOf(s.now()))
}

// Confirm confirms an online application with the applicant (第三十一条第
// (三)项): the confirmation day is the receipt day and the clock starts.
func (s *Service) Confirm(ctx context.Context, p *org.Principal, ip, id, confirmedOn string) (Case, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Case{}, err
	}
	if err := s.canHandle(ctx, p, c.OrgID); err != nil {
		return Case{}, err
	}
	if c.Status != StatusUnconfirmed {
		return Case{}, apperr.New(apperr.Conflict, "该申请已确认")
	}
	d, err := workday.ParseDate(strings.TrimSpace(confirmedOn))
	if err != nil {
		return Case{}, apperr.Field("confirmed_on", "确认日期应为 YYYY-MM-DD 格式")
	}
	if d.Before(optDate(c.SubmittedOn)) {
		return Case{}, apperr.Field("confirmed_on", "确认日期不能早于提交日期 "+c.SubmittedOn)
	}
	if err := s.checkDay(ctx, d); err != nil {
		return Case{}, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE apply_cases SET status = 'handling', confirmed_on = $2, received_on = $2,
			updated_at = $3, handler_id = CASE WHEN handler_id = '' THEN $4 ELSE handler_id END
			WHERE id = $1 AND status = 'unconfirmed'`, id, d.String(), db.Time(now), p.User.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "该申请已确认")
		}
		if err := s.appendEvent(ctx, tx, id, 1, ClockEvent{Kind: EvReceived, On: d}, "与申请人确认", Fee{}, p.Actor(ip), now); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "apply.confirm",
			ObjectType: "apply", ObjectID: id, Summary: "确认申请 " + c.TrackingNo + "，收到申请之日 " + d.String()})
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// eventActions name the evidence-chain action and summary of each event.
var eventActions = map[string]struct{ action, label string }{
	EvCorrectionNotice:   {"apply.correction_notice", "发出补正告知"},
	EvCorrectionReceived: {"apply.correction_received", "收到补正"},
	EvConsultSent:        {"apply.consult_sent", "发出征求意见书"},
	EvConsultAnswered:    {"apply.consult_answered", "收到征求意见回复"},
	EvExtension:          {"apply.extension", "延期答复"},
	EvFeeNotice:          {"apply.fee_notice", "收费通知送达"},
	EvFeePaid:            {"apply.fee_paid", "缴纳信息处理费"},
}

// Record adds a handling event. The case's clock is recomputed with the
// event first, so an impossible sequence (an answer without a letter, an
// extension after the due date or beyond 20 days) is refused with the
// reason, and nothing is stored. An extension needs the disclosure office
// head's approval (PermApplyApprove).
func (s *Service) Record(ctx context.Context, p *org.Principal, ip, id string, e ClockEvent, note string) (Case, error) {
	return s.record(ctx, p, ip, id, e, note, Fee{})
}

// record is Record with a fee notice's charge. An event that sends a
// notice (补正、延期、收费、征求意见) issues its letter in the same
// transaction, so the evidence chain holds the text that went out.
func (s *Service) record(ctx context.Context, p *org.Principal, ip, id string, e ClockEvent, note string, fee Fee) (Case, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Case{}, err
	}
	perm := org.PermApplyHandle
	if e.Kind == EvExtension {
		perm = org.PermApplyApprove
	}
	if ok, err := s.Orgs.Allowed(ctx, p, perm, c.OrgID); err != nil {
		return Case{}, err
	} else if !ok {
		if perm == org.PermApplyApprove {
			return Case{}, apperr.New(apperr.Forbidden, "延期答复须经政府信息公开工作机构负责人同意（第三十三条）")
		}
		return Case{}, apperr.New(apperr.Forbidden, "没有办理该申请的权限")
	}
	act, ok := eventActions[e.Kind]
	if !ok {
		return Case{}, apperr.Field("kind", "未知的办理事项")
	}
	if c.Status != StatusHandling {
		return Case{}, apperr.New(apperr.Conflict, "申请"+StatusLabels[c.Status]+"，不能再登记办理事项")
	}
	if e.On.After(workday.DateOf(s.now())) {
		return Case{}, apperr.Field("on", "日期不能晚于今天")
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 2000 {
		return Case{}, apperr.Field("note", "说明最多 2000 字")
	}
	if e.Kind == EvExtension && note == "" {
		return Case{}, apperr.Field("note", "请写明延期理由（将告知申请人）")
	}
	if e.Kind == EvCorrectionNotice && note == "" {
		return Case{}, apperr.Field("note", "请写明需要补正的事项（将写入补正告知书）")
	}
	if e.Kind == EvConsultSent && strings.TrimSpace(e.Ref) == "" {
		return Case{}, apperr.Field("ref", "请填写征求意见的对象（第三方或机关名称）")
	}
	if e.Kind == EvFeeNotice && fee.Method == FeeNone {
		return Case{}, apperr.Field("fee_method", "收费通知须写明收费方式和金额，请用“收费通知”登记")
	}
	if last := c.Events[len(c.Events)-1]; e.On.Before(last.On) {
		return Case{}, apperr.Field("on", "日期不能早于上一办理事项（"+last.On.String()+"）")
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return Case{}, err
	}
	clock, err := Compute(cal, s.rules(), append(clockEvents(c.Events), e), workday.DateOf(s.now()))
	if err != nil {
		if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
			return Case{}, apperr.Field("kind", ae.Fields[0].Message)
		}
		return Case{}, err
	}
	var letter Letter
	if kind := eventLetter(e); kind != "" {
		ev := CaseEvent{ClockEvent: e, Note: note, FeeMethod: fee.Method, FeeUnits: fee.Units, FeeAmount: fee.Amount}
		if letter, err = s.compose(ctx, s.DB.R, c, letterInput{kind: kind, issued: e.On, event: &ev, clock: clock}); err != nil {
			return Case{}, err
		}
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.appendEvent(ctx, tx, id, len(c.Events)+1, e, note, fee, p.Actor(ip), now); err != nil {
			return err
		}
		if letter.Kind != "" {
			if err := s.issue(ctx, tx, c, &letter, p.Actor(ip), now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE apply_cases SET updated_at = $2 WHERE id = $1", id, db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: act.action,
			ObjectType: "apply", ObjectID: id, Summary: act.label + "（" + e.On.String() + "）" + c.TrackingNo})
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// ReplyInput is a reply as staff write it.
type ReplyInput struct {
	Outcome string
	On      string // 答复日期
	Reason  string // 理由 (all outcomes but disclosure)
	Basis   string // 法律依据; empty: the outcome's own article
	Obtain  string // 获取方式、途径和时间, or the competent agency and its contact
}

// needsObtain: the letter must tell the applicant where to get the
// information (第三十六条第（一）（二）项, 第三十七条) or which agency holds it
// (第三十六条第（五）项).
func needsObtain(o Outcome) bool {
	return o.Group == GroupDisclose || o.Group == GroupPartial || o.Code == "unable_other_agency"
}

// checkReply validates a reply against the case and returns the outcome,
// the reply date and whether it is a lapse (视为放弃: no reply letter).
func (s *Service) checkReply(ctx context.Context, c Case, in *ReplyInput) (Outcome, workday.Date, bool, error) {
	in.Reason, in.Basis, in.Obtain = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Basis), strings.TrimSpace(in.Obtain)
	o, ok := OutcomeByCode(in.Outcome)
	var fs apperr.Fields
	if !ok {
		fs.Add("outcome", "请选择答复类型")
	}
	// 视为放弃 is a fact of the clock (the applicant's deadline passed), so
	// it can be recorded only once the clock says so, and adds no reply.
	lapse := map[string]string{"other_no_correction": ClockCorrectionLapsed, "other_no_payment": ClockFeeLapsed}[in.Outcome]
	if ok && o.Group != GroupDisclose && in.Reason == "" {
		fs.Add("reason", "请写明理由（"+GroupLabels[o.Group]+"须说明理由并告知救济途径）")
	}
	if utf8.RuneCountInString(in.Reason) > MaxDescription {
		fs.Add("reason", fmt.Sprintf("理由最多 %d 字", MaxDescription))
	}
	if in.Basis == "" && ok {
		in.Basis = o.Basis
	}
	if ok && in.Basis == "" {
		fs.Add("basis", "请写明答复的法律依据（条款）")
	} else if utf8.RuneCountInString(in.Basis) > 500 {
		fs.Add("basis", "法律依据最多 500 字")
	}
	if ok && needsObtain(o) && in.Obtain == "" {
		if o.Code == "unable_other_agency" {
			fs.Add("obtain", "请写明负责公开该信息的机关名称和联系方式（第三十六条第（五）项）")
		} else {
			fs.Add("obtain", "请写明获取该信息的方式、途径和时间")
		}
	} else if utf8.RuneCountInString(in.Obtain) > 2000 {
		fs.Add("obtain", "获取方式最多 2000 字")
	}
	d, derr := workday.ParseDate(strings.TrimSpace(in.On))
	if derr != nil {
		fs.Add("on", "答复日期应为 YYYY-MM-DD 格式")
	} else if d.After(workday.DateOf(s.now())) {
		fs.Add("on", "答复日期不能晚于今天")
	} else if last := c.Events[len(c.Events)-1]; d.Before(last.On) {
		fs.Add("on", "答复日期不能早于上一办理事项（"+last.On.String()+"）")
	}
	if err := fs.Err(); err != nil {
		return o, d, false, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return o, d, false, err
	}
	evs := clockEvents(c.Events)
	if lapse == "" {
		evs = append(evs, ClockEvent{Kind: EvReplied, On: d})
	}
	clock, err := Compute(cal, s.rules(), evs, workday.DateOf(s.now()))
	if err != nil {
		if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
			return o, d, false, apperr.Field("outcome", ae.Fields[0].Message)
		}
		return o, d, false, err
	}
	if lapse != "" && clock.State != lapse {
		return o, d, false, apperr.Field("outcome", "只有申请人的期限届满后才能按“"+o.Label+"”办结")
	}
	return o, d, lapse != "", nil
}

// PreviewReply composes the reply letter a reply would issue, without
// storing anything, so staff read it before they send it.
func (s *Service) PreviewReply(ctx context.Context, p *org.Principal, id string, in ReplyInput) (Letter, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Letter{}, err
	}
	if c.Status != StatusHandling {
		return Letter{}, apperr.New(apperr.Conflict, "申请"+StatusLabels[c.Status]+"，不能再答复")
	}
	o, d, lapse, err := s.checkReply(ctx, c, &in)
	if err != nil {
		return Letter{}, err
	}
	if lapse {
		return Letter{}, apperr.Field("outcome", "视为放弃申请的，不再出具答复书")
	}
	c.Outcome, c.ReplyReason, c.ReplyBasis, c.ReplyObtain, c.RepliedOn = o.Code, in.Reason, in.Basis, in.Obtain, d.String()
	return s.compose(ctx, s.DB.R, c, letterInput{kind: replyLetter(o), issued: d, outcome: o})
}

// Reply records the final outcome and issues the reply letter in the same
// transaction. Every outcome has a legal basis; every outcome other than
// disclosure needs the reasons the letter will state; a disclosure says
// where to obtain the information.
func (s *Service) Reply(ctx context.Context, p *org.Principal, ip, id string, in ReplyInput) (Case, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Case{}, err
	}
	if err := s.canHandle(ctx, p, c.OrgID); err != nil {
		return Case{}, err
	}
	if c.Status != StatusHandling {
		return Case{}, apperr.New(apperr.Conflict, "申请"+StatusLabels[c.Status]+"，不能再答复")
	}
	o, d, lapse, err := s.checkReply(ctx, c, &in)
	if err != nil {
		return Case{}, err
	}
	var letter Letter
	if !lapse {
		r := c
		r.Outcome, r.ReplyReason, r.ReplyBasis, r.ReplyObtain, r.RepliedOn = o.Code, in.Reason, in.Basis, in.Obtain, d.String()
		if letter, err = s.compose(ctx, s.DB.R, r, letterInput{kind: replyLetter(o), issued: d, outcome: o}); err != nil {
			return Case{}, err
		}
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE apply_cases SET status = 'closed', outcome = $2, reply_reason = $3, replied_on = $4,
			updated_at = $5, reply_basis = $6, reply_obtain = $7 WHERE id = $1 AND status = 'handling'`,
			id, o.Code, in.Reason, d.String(), db.Time(now), in.Basis, in.Obtain)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "申请已办结")
		}
		if _, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "apply.reply",
			ObjectType: "apply", ObjectID: id, Summary: "答复申请 " + c.TrackingNo + "：" + GroupLabels[o.Group] + "（" + o.Row + "）"}); err != nil {
			return err
		}
		if lapse {
			return nil
		}
		if err := s.appendEvent(ctx, tx, id, len(c.Events)+1, ClockEvent{Kind: EvReplied, On: d}, o.Label, Fee{}, p.Actor(ip), now); err != nil {
			return err
		}
		return s.issue(ctx, tx, c, &letter, p.Actor(ip), now)
	})
	if err != nil {
		return Case{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Tracking is what the applicant sees on the portal: no personal data.
type Tracking struct {
	TrackingNo, Status, StatusLabel string
	SubmittedOn, ReceivedOn         string
	Clock                           Clock
	Outcome                         string // the report label of the outcome, once replied
	RepliedOn                       string
	Letters                         []Letter // those addressed to the applicant
}

// Track looks a case up by its tracking number. Unknown and malformed
// numbers answer the same NotFound, so the page reveals nothing.
func (s *Service) Track(ctx context.Context, trackingNo string) (Tracking, error) {
	id, err := s.caseByTracking(ctx, trackingNo)
	if err != nil {
		return Tracking{}, err
	}
	c, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return Tracking{}, err
	}
	t := Tracking{TrackingNo: c.TrackingNo, Status: c.Status, StatusLabel: StatusLabels[c.Status], SubmittedOn: c.SubmittedOn,
		ReceivedOn: c.ReceivedOn, RepliedOn: c.RepliedOn}
	if o, ok := OutcomeByCode(c.Outcome); ok {
		t.Outcome = GroupLabels[o.Group]
	}
	if t.Clock, err = s.Clock(ctx, c); err != nil {
		return Tracking{}, err
	}
	if t.Letters, err = s.Letters(ctx, c.ID, true); err != nil {
		return Tracking{}, err
	}
	return t, nil
}

// caseByTracking finds a case id by tracking number. Unknown and malformed
// numbers answer the same NotFound, so nothing is revealed.
func (s *Service) caseByTracking(ctx context.Context, trackingNo string) (string, error) {
	trackingNo = strings.ToUpper(strings.TrimSpace(trackingNo))
	if len(trackingNo) > 40 {
		return "", apperr.NotFoundf("没有这个查询号，请核对后重新输入")
	}
	var id string
	err := s.DB.R.QueryRowContext(ctx, "SELECT id FROM apply_cases WHERE tracking_no = $1", trackingNo).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("没有这个查询号，请核对后重新输入")
	}
	return id, err
}

// Row is a case in a list with its clock as of today (ClockErr when the
// calendar lacks a year the clock needs: shown, not hidden).
type Row struct {
	Case
	Clock    Clock
	ClockErr string
}

// Near is how many working days before the due date a case counts as
// near-due in lists and reminders.
const Near = 5

// List returns the cases of the orgs p may view: open ones (unconfirmed and
// handling, most urgent first) or closed ones (newest first).
func (s *Service) List(ctx context.Context, p *org.Principal, open bool, limit int) ([]Row, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermApplyView)
	if err != nil {
		return nil, err
	}
	if len(scope) == 0 {
		return nil, nil
	}
	statuses := []string{StatusClosed, StatusArchived}
	if open {
		statuses = []string{StatusUnconfirmed, StatusHandling}
	}
	args := []any{}
	ph := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var orgPH, stPH []string
	for _, id := range scope {
		orgPH = append(orgPH, ph(id))
	}
	for _, st := range statuses {
		stPH = append(stPH, ph(st))
	}
	ids, err := db.QueryStrings(ctx, s.DB.R, `SELECT id FROM apply_cases WHERE org_id IN (`+strings.Join(orgPH, ",")+`)
		AND status IN (`+strings.Join(stPH, ",")+`) ORDER BY created_at DESC LIMIT `+ph(limit), args...)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	today := workday.DateOf(s.now())
	rows := make([]Row, 0, len(ids))
	for _, id := range ids {
		c, err := s.load(ctx, s.DB.R, id)
		if err != nil {
			return nil, err
		}
		r := Row{Case: c}
		if c.ReceivedOn != "" {
			if r.Clock, err = Compute(cal, s.rules(), clockEvents(c.Events), today); err != nil {
				r.ClockErr = err.Error()
			}
		}
		rows = append(rows, r)
	}
	if open {
		// Unconfirmed first (their clock has not started and staff must act),
		// then by due date; paused cases (no due date) last.
		slices.SortStableFunc(rows, func(a, b Row) int {
			ka, kb := urgency(a), urgency(b)
			if ka != kb {
				return strings.Compare(ka, kb)
			}
			return 0
		})
	}
	return rows, nil
}

func urgency(r Row) string {
	switch {
	case r.Status == StatusUnconfirmed:
		return "0"
	case r.Clock.Due != (workday.Date{}):
		return "1" + r.Clock.Due.String()
	}
	return "2"
}

// Transfer moves a case to the org that should handle it (wrong recipient
// on the platform), with the reason recorded. The receipt day and the clock
// stay: for the applicant the government received the application when it
// did. The receiving org must be one that takes applications and differ
// from the current one; the sender needs apply.handle where the case is.
func (s *Service) Transfer(ctx context.Context, p *org.Principal, ip, id, toOrgID, reason string) (Case, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Case{}, err
	}
	if err := s.canHandle(ctx, p, c.OrgID); err != nil {
		return Case{}, err
	}
	if c.Status != StatusUnconfirmed && c.Status != StatusHandling {
		return Case{}, apperr.New(apperr.Conflict, "申请"+StatusLabels[c.Status]+"，不能再转办")
	}
	var fs apperr.Fields
	reason = strings.TrimSpace(reason)
	if reason == "" {
		fs.Add("reason", "请写明转办理由")
	} else if utf8.RuneCountInString(reason) > 500 {
		fs.Add("reason", "转办理由最多 500 字")
	}
	to, err := s.Orgs.GetOrg(ctx, toOrgID)
	switch {
	case apperr.Is(err, apperr.NotFound) || toOrgID == "":
		fs.Add("to_org", "请选择接收机关")
	case err != nil:
		return Case{}, err
	case to.ID == c.OrgID:
		fs.Add("to_org", "接收机关不能是本机关")
	case to.Kind == org.KindCommunity || to.Kind == org.KindVillage:
		fs.Add("to_org", "社区（村）不是行政机关，不受理政府信息公开申请")
	}
	if err := fs.Err(); err != nil {
		return Case{}, err
	}
	now := s.now()
	from := c.OrgID
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE apply_cases SET org_id = $2, updated_at = $3, handler_id = '' WHERE id = $1 AND org_id = $4
			AND status IN ('unconfirmed', 'handling')`, id, to.ID, db.Time(now), from)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "申请已被办理或转办，请刷新后重试")
		}
		// Recorded for both orgs, so each sees it in its own evidence view.
		for _, o := range []string{from, to.ID} {
			if _, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: o, Action: "apply.transfer",
				ObjectType: "apply", ObjectID: id, Summary: "申请 " + c.TrackingNo + " 转" + to.Name + "办理：" + reason,
				Before: map[string]any{"org_id": from}, After: map[string]any{"org_id": to.ID}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Case{}, err
	}
	return s.load(ctx, s.DB.R, id)
}
