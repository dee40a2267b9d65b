package board

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/workday"
)

// Input is what a citizen submits.
type Input struct {
	OrgID    string
	Category string
	Title    string
	Body     string
	Name     string // optional, never shown publicly
	Contact  string // optional phone or e-mail, never shown publicly
	Consent  bool   // agrees to publication with personal data masked
	Honeypot string
}

// Message is a stored message with everything staff may see.
type Message struct {
	ID, TrackingNo      string
	OrgID, FirstOrgID   string
	Category            string
	LimitDays           int
	Title, Body         string
	Name, Contact, IP   string
	Consent             bool
	Status              string
	Flags               string
	ReceivedOn          string
	AcceptedOn          string
	RespondedOn         string
	Reply               string
	ReplyOrgID, ReplyBy string
	Channel             string
	InvalidReason       string
	PublicTitle         string
	PublicBody          string
	PublicReply         string
	PublishedAt         time.Time
	Rating              string
	RatingComment       string
	RatedAt             time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// StatusLabel is the status in Chinese.
func (m Message) StatusLabel() string { return StatusLabels[m.Status] }

// CategoryLabel is the category in Chinese.
func (m Message) CategoryLabel() string { return CategoryLabel(m.Category) }

// RatingLabel is the writer's rating in Chinese ("" when not rated).
func (m Message) RatingLabel() string { return RatingLabels[m.Rating] }

// Published reports whether the message is on the portal.
func (m Message) Published() bool { return !m.PublishedAt.IsZero() }

// Ratings a writer chooses from.
const (
	RateSatisfied   = "satisfied"
	RateBasic       = "basic"
	RateUnsatisfied = "unsatisfied"
)

// RatingLabels name them.
var RatingLabels = map[string]string{RateSatisfied: "满意", RateBasic: "基本满意", RateUnsatisfied: "不满意"}

// RatingOrder is the form order.
var RatingOrder = []string{RateSatisfied, RateBasic, RateUnsatisfied}

var contactRE = regexp.MustCompile(`^(?:[0-9+()（）\- ]{5,30}|[^@\s]+@[^@\s]+\.[^@\s]+)$`)

// validate trims in and checks it against the targets and the moderation
// policy; it returns the policy's verdict. Every problem names its field.
func (s *Service) validate(ctx context.Context, cfg moderation.Config, ip string, in *Input) (moderation.Verdict, error) {
	in.OrgID, in.Category = strings.TrimSpace(in.OrgID), strings.TrimSpace(in.Category)
	in.Title = strings.Join(strings.Fields(clean(in.Title)), " ")
	in.Body, in.Name, in.Contact = clean(in.Body), clean(in.Name), clean(in.Contact)
	var fs apperr.Fields
	if !knownCategory(in.Category) {
		fs.Add("category", "请选择留言类别")
	}
	if in.OrgID == "" {
		fs.Add("org_id", "请选择留言对象（受理单位）")
	} else if o, err := s.Orgs.GetOrg(ctx, in.OrgID); apperr.Is(err, apperr.NotFound) {
		fs.Add("org_id", "所选的受理单位不存在，请重新选择")
	} else if err != nil {
		return moderation.Verdict{}, err
	} else if !Takes(o.Kind) {
		fs.Add("org_id", o.Name+"不单独受理留言，请选择所在的街道（乡镇）或主管部门")
	}
	switch {
	case in.Title == "":
		fs.Add("title", "请填写留言标题")
	case moderation.Normalize(in.Title) == "":
		fs.Add("title", "留言标题不能只有标点符号或空白")
	}
	switch {
	case in.Body == "":
		fs.Add("body", "请填写留言内容")
	case moderation.Normalize(in.Body) == "":
		fs.Add("body", "留言内容不能只有标点符号或空白")
	}
	if in.Contact != "" && !contactRE.MatchString(in.Contact) {
		fs.Add("contact", "联系方式请填写电话号码或电子邮箱（也可以不填）")
	}
	v, err := cfg.Check(moderation.Submission{
		Fields: []moderation.Field{
			{Name: "title", Label: "留言标题", Value: in.Title, Max: MaxTitle},
			{Name: "body", Label: "留言内容", Value: in.Body, Long: true},
			{Name: "name", Label: "姓名", Value: in.Name},
			{Name: "contact", Label: "联系方式", Value: in.Contact, Max: MaxContact},
		},
		Contact: in.Contact, IP: ip, Honeypot: in.Honeypot,
	})
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
		fs = append(fs, e.Fields...)
	} else if err != nil {
		return v, err
	}
	return v, fs.Err()
}

// Submitted reports whether a message form with this key was already
// accepted (a double click, a reload of the confirmation page).
func (s *Service) Submitted(ctx context.Context, submitKey string) (bool, error) {
	_, ok, err := s.bySubmitKey(ctx, submitKey)
	return ok, err
}

func (s *Service) bySubmitKey(ctx context.Context, key string) (Message, bool, error) {
	if key == "" {
		return Message{}, false, nil
	}
	var id string
	err := s.DB.R.QueryRowContext(ctx, "SELECT id FROM board_messages WHERE submit_key = $1", key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, err
	}
	m, err := s.load(ctx, s.DB.R, id)
	return m, err == nil, err
}

// Submit stores a citizen's message. It is durable before the confirmation
// page shows the tracking number; submitKey (a hidden form token) makes a
// replayed form return the same message instead of a second one, and a
// replay is never refused or rate limited. Every attempt that reaches
// validation counts against the address's and the contact's rate limits.
func (s *Service) Submit(ctx context.Context, ip, submitKey string, in Input) (Message, error) {
	if m, ok, err := s.bySubmitKey(ctx, submitKey); ok || err != nil {
		return m, err
	}
	mcfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return Message{}, err
	}
	now := s.now()
	if err := s.guard().Allow(mcfg, RateScope, ip, in.Contact, now); err != nil {
		return Message{}, err
	}
	verdict, err := s.validate(ctx, mcfg, ip, &in)
	if err != nil {
		return Message{}, err
	}
	cfg, err := LoadConfig(ctx, s.DB.R)
	if err != nil {
		return Message{}, err
	}
	today := workday.DateOf(now)
	status := StatusReceived
	if verdict.Hold {
		status = StatusHeld
	}
	id := db.NewID()
	no := newTrackingNo(today.Year)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO board_messages (id, tracking_no, submit_key, org_id, first_org_id, category,
			limit_days, title, body, name, contact, ip, consent, status, flags, received_on, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
			id, no, nullable(submitKey), in.OrgID, in.Category, cfg.Limit(in.Category), in.Title, in.Body, in.Name, in.Contact, ip,
			in.Consent, status, strings.Join(verdict.Matched, "、"), today.String(), db.Time(now)); err != nil {
			return err
		}
		actor := audit.Actor{Name: "公众（网上）", IP: ip}
		note := ""
		if verdict.Hold {
			note = "含审核词：" + strings.Join(verdict.Matched, "、")
		}
		if err := addHistory(ctx, tx, id, HistReceive, now, "", in.OrgID, actor, note); err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(in.Title + "\n" + in.Body))
		// The evidence chain names the message, never the writer.
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: in.OrgID, Action: "board.receive",
			ObjectType: "message", ObjectID: id, Summary: fmt.Sprintf("收到%s类留言 %s（%s）", CategoryLabel(in.Category), no,
				StatusLabels[status]),
			After: map[string]any{"status": status, "category": in.Category, "text_sha256": hex.EncodeToString(sum[:]),
				"flags": verdict.Matched, "consent": in.Consent}})
		return err
	})
	if err != nil {
		if submitKey != "" && db.IsUniqueViolation(err) {
			// Two copies of one form racing: the loser answers with the
			// winner's message.
			if m, ok, err2 := s.bySubmitKey(ctx, submitKey); ok && err2 == nil {
				return m, nil
			}
		}
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

const messageCols = `id, tracking_no, org_id, first_org_id, category, limit_days, title, body, name, contact, ip, consent, status,
	flags, received_on, accepted_on, responded_on, reply, COALESCE(reply_org_id, ''), reply_by, channel, invalid_reason,
	public_title, public_body, public_reply, published_at, rating, rating_comment, rated_at, created_at, updated_at`

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var published, rated, created, updated string
	err := row.Scan(&m.ID, &m.TrackingNo, &m.OrgID, &m.FirstOrgID, &m.Category, &m.LimitDays, &m.Title, &m.Body, &m.Name,
		&m.Contact, &m.IP, &m.Consent, &m.Status, &m.Flags, &m.ReceivedOn, &m.AcceptedOn, &m.RespondedOn, &m.Reply, &m.ReplyOrgID,
		&m.ReplyBy, &m.Channel, &m.InvalidReason, &m.PublicTitle, &m.PublicBody, &m.PublicReply, &published, &m.Rating,
		&m.RatingComment, &rated, &created, &updated)
	if err != nil {
		return m, err
	}
	m.PublishedAt, _ = db.ParseTime(published)
	m.RatedAt, _ = db.ParseTime(rated)
	m.CreatedAt, m.UpdatedAt = db.MustTime(created), db.MustTime(updated)
	return m, nil
}

func (s *Service) load(ctx context.Context, q db.Querier, id string) (Message, error) {
	m, err := scanMessage(q.QueryRowContext(ctx, "SELECT "+messageCols+" FROM board_messages WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFoundf("留言不存在或无权查看")
	}
	return m, err
}

// History kinds.
const (
	HistReceive   = "receive"
	HistRelease   = "release"
	HistReject    = "reject"
	HistAccept    = "accept"
	HistTransfer  = "transfer"
	HistReply     = "reply"
	HistRedirect  = "redirect"
	HistPublish   = "publish"
	HistUnpublish = "unpublish"
	HistRate      = "rate"
)

// HistoryLabels name the steps.
var HistoryLabels = map[string]string{
	HistReceive: "收到留言", HistRelease: "审核通过，转交受理单位", HistReject: "不予受理", HistAccept: "受理",
	HistTransfer: "转办", HistReply: "答复", HistRedirect: "告知其他渠道", HistPublish: "公开答复", HistUnpublish: "撤回公开",
	HistRate: "留言人评价",
}

// Step is one entry of a message's history.
type Step struct {
	Seq        int
	Kind       string
	At         time.Time
	On         string
	FromOrgID  string
	ToOrgID    string
	ActorID    string
	ActorName  string
	Note       string
	KindLabel  string
	PublicNote string // what the writer's tracking page may show
}

func addHistory(ctx context.Context, tx db.Querier, id, kind string, at time.Time, from, to string, actor audit.Actor, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO board_history (message_id, seq, kind, at, on_date, from_org_id, to_org_id, actor_id,
		actor_name, note) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM board_history WHERE message_id = $1), $2, $3, $4, $5,
		$6, $7, $8, $9)`, id, kind, db.Time(at), workday.DateOf(at).String(), from, to, actor.ID, actor.Name, note)
	return err
}

func (s *Service) history(ctx context.Context, id string) ([]Step, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT seq, kind, at, on_date, from_org_id, to_org_id, actor_id, actor_name, note
		FROM board_history WHERE message_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		var at string
		if err := rows.Scan(&st.Seq, &st.Kind, &at, &st.On, &st.FromOrgID, &st.ToOrgID, &st.ActorID, &st.ActorName, &st.Note); err != nil {
			return nil, err
		}
		st.At = db.MustTime(at)
		st.KindLabel = HistoryLabels[st.Kind]
		out = append(out, st)
	}
	return out, rows.Err()
}

// Tracking is what the holder of a tracking number sees: their own
// message, where it is, when it is due, the reply or referral, and the
// rating form once replied. Transfer reasons and staff names stay internal.
type Tracking struct {
	Message
	OrgName      string
	ReplyOrgName string
	Due          workday.Date // zero when the calendar lacks the year
	Overdue      bool
	HowTo        string // for a referral: how to use the channel
	Steps        []Step
	CanRate      bool
}

// Track looks a message up by its tracking number. Unknown and malformed
// numbers answer the same NotFound, so the page reveals nothing.
func (s *Service) Track(ctx context.Context, trackingNo string) (Tracking, error) {
	id, err := s.byTracking(ctx, trackingNo)
	if err != nil {
		return Tracking{}, err
	}
	m, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return Tracking{}, err
	}
	t := Tracking{Message: m, CanRate: m.Status == StatusReplied && m.Rating == ""}
	names, err := s.orgNames(ctx)
	if err != nil {
		return Tracking{}, err
	}
	t.OrgName, t.ReplyOrgName = names[m.OrgID], names[m.ReplyOrgID]
	if c, err := s.clockOf(ctx, m); err == nil {
		t.Due, t.Overdue = c.Due, c.Overdue
	}
	if m.Status == StatusRedirected {
		if cfg, err := LoadConfig(ctx, s.DB.R); err == nil {
			if ch, ok := cfg.Channel(m.Channel); ok {
				t.HowTo = ch.HowTo
			}
		}
	}
	steps, err := s.history(ctx, id)
	if err != nil {
		return Tracking{}, err
	}
	for _, st := range steps {
		switch st.Kind {
		case HistTransfer:
			st.PublicNote = "转" + names[st.ToOrgID] + "办理"
		case HistReject:
			st.PublicNote = st.Note
		case HistRedirect:
			st.PublicNote = m.Channel
		case HistReceive:
			st.PublicNote = names[st.ToOrgID]
		case HistAccept, HistReply:
			st.PublicNote = names[st.ToOrgID]
		}
		t.Steps = append(t.Steps, st)
	}
	return t, nil
}

func (s *Service) byTracking(ctx context.Context, trackingNo string) (string, error) {
	trackingNo = strings.ToUpper(strings.TrimSpace(trackingNo))
	notFound := apperr.NotFoundf("没有这个留言查询码，请核对后重新输入")
	if len(trackingNo) > 40 || trackingNo == "" {
		return "", notFound
	}
	var id string
	err := s.DB.R.QueryRowContext(ctx, "SELECT id FROM board_messages WHERE tracking_no = $1", trackingNo).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound
	}
	return id, err
}

func (s *Service) orgNames(ctx context.Context) (map[string]string, error) {
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(all))
	for _, o := range all {
		m[o.ID] = o.Name
	}
	return m, nil
}

// Rate records the writer's rating of the reply, once: a second rating,
// a rating before the reply and an unknown rating are refused clearly.
func (s *Service) Rate(ctx context.Context, ip, trackingNo, rating, comment string) (Message, error) {
	id, err := s.byTracking(ctx, trackingNo)
	if err != nil {
		return Message{}, err
	}
	comment = clean(comment)
	var fs apperr.Fields
	if RatingLabels[rating] == "" {
		fs.Add("rating", "请选择满意、基本满意或不满意")
	}
	tooLong(&fs, "rating_comment", "评价意见", comment, MaxRating)
	if err := fs.Err(); err != nil {
		return Message{}, err
	}
	m, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return Message{}, err
	}
	switch {
	case m.Rating != "":
		return Message{}, apperr.New(apperr.Conflict, "您已于"+workday.DateOf(m.RatedAt).Chinese()+"评价过本次答复（"+
			RatingLabels[m.Rating]+"），每条留言只能评价一次。")
	case m.Status != StatusReplied:
		return Message{}, apperr.New(apperr.Conflict, "留言答复后才能评价。")
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE board_messages SET rating = $2, rating_comment = $3, rated_at = $4, updated_at = $4
			WHERE id = $1 AND rating = '' AND status = 'replied'`, id, rating, comment, db.Time(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "本次答复已经评价过，每条留言只能评价一次。")
		}
		actor := audit.Actor{Name: "留言人（网上）", IP: ip}
		if err := addHistory(ctx, tx, id, HistRate, now, "", "", actor, RatingLabels[rating]); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: m.OrgID, Action: "board.rate", ObjectType: "message",
			ObjectID: id, Summary: "留言 " + m.TrackingNo + " 的答复获评“" + RatingLabels[rating] + "”",
			After: map[string]any{"rating": rating, "comment": comment != ""}})
		return err
	})
	if err != nil {
		return Message{}, err
	}
	return s.load(ctx, s.DB.R, id)
}
