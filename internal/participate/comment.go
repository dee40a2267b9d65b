package participate

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
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/privacy"
	"gongkai.dev/gongkai/internal/workday"
)

// Comment statuses.
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentRejected = "rejected"
)

// CommentStatusLabels name them as the commenter and staff read them.
var CommentStatusLabels = map[string]string{CommentPending: "待审核", CommentApproved: "已公开", CommentRejected: "不予公开"}

// RateScope is the comment form's scope in the shared moderation.Guard.
const RateScope = "zjyj"

const maxContact = 100

// CommentInput is what a citizen submits.
type CommentInput struct {
	Body     string
	Name     string // optional, never shown
	Contact  string // optional phone or e-mail, never shown
	Para     int    // the paragraph commented on (1-based), 0 = the whole draft
	Passage  string // the quoted words of that paragraph (default: all of it)
	Honeypot string
}

// Comment is a stored comment with everything staff may see.
type Comment struct {
	ID             string
	SolicitationID string
	Seq            int
	ReceiptNo      string
	Body           string // as submitted
	PublicBody     string // masked: the only text shown publicly
	Para           int
	Passage        string
	PassageStart   int
	PassageEnd     int
	Name, Contact  string
	IP             string
	Status         string
	Flags          string
	RejectReason   string
	RejectNote     string
	ModeratedBy    string
	ModeratedAt    time.Time
	DupOf          string
	DupKind        string // "" | exact | near
	DupScore       int    // percent
	GroupID        string
	Decision       string
	Reason         string
	CreatedAt      time.Time
}

// Public is the comment as the portal shows it: no name, contact, address
// or unmasked text can reach a public page through it.
func (c Comment) Public() PublicComment {
	return PublicComment{Seq: c.Seq, Text: c.PublicBody, Para: c.Para, Passage: c.Passage, At: c.CreatedAt,
		Decision: c.Decision, Reason: c.Reason}
}

// PublicComment is what the portal may show of a comment.
type PublicComment struct {
	Seq      int
	Text     string
	Para     int
	Passage  string
	At       time.Time
	Decision string
	Reason   string
}

var contactRE = regexp.MustCompile(`^(?:[0-9+()（）\- ]{5,30}|[^@\s]+@[^@\s]+\.[^@\s]+)$`)

// validateComment trims in and checks it against the draft and the
// moderation policy; it returns the policy's verdict.
func validateComment(cfg moderation.Config, c Solicitation, ip string, in *CommentInput) (moderation.Verdict, error) {
	in.Body, in.Name, in.Contact = clean(in.Body), clean(in.Name), clean(in.Contact)
	in.Passage = strings.Join(strings.Fields(clean(in.Passage)), " ")
	var fs apperr.Fields
	if in.Body == "" {
		fs.Add("body", "请填写您的意见")
	} else if moderation.Normalize(in.Body) == "" {
		fs.Add("body", "意见内容不能只有标点符号或空白")
	}
	if in.Contact != "" && !contactRE.MatchString(in.Contact) {
		fs.Add("contact", "联系方式请填写电话号码或电子邮箱（也可以不填）")
	}
	tooLong(&fs, "contact", "联系方式", in.Contact, maxContact)
	blocks := Blocks(c.Draft)
	if in.Para < 0 || in.Para > len(blocks) {
		fs.Add("passage", "所选的段落不存在，请回到征求意见稿重新选择")
		in.Para = 0
	}
	switch {
	case in.Para > 0 && in.Passage == "":
		in.Passage = blocks[in.Para-1].Text
	case in.Para > 0:
		if !strings.Contains(blocks[in.Para-1].Text, in.Passage) {
			fs.Add("passage", fmt.Sprintf("引用的原文须摘自第 %d 段（可以删减，不能改写）", in.Para))
		}
	case in.Passage != "":
		// A quote without a paragraph: find where it comes from.
		for _, b := range blocks {
			if strings.Contains(b.Text, in.Passage) {
				in.Para = b.N
				break
			}
		}
		if in.Para == 0 {
			fs.Add("passage", "引用的原文在征求意见稿中找不到（可以删减，不能改写）")
		}
	}
	v, err := cfg.Check(moderation.Submission{
		Fields: []moderation.Field{
			{Name: "body", Label: "意见内容", Value: in.Body, Long: true},
			{Name: "name", Label: "姓名", Value: in.Name},
			{Name: "contact", Label: "联系方式", Value: in.Contact, Max: maxContact},
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

// passageOffsets locates the quote in its paragraph, in runes.
func passageOffsets(blockText, passage string) (int, int) {
	i := strings.Index(blockText, passage)
	if i < 0 || passage == "" {
		return 0, 0
	}
	start := utf8.RuneCountInString(blockText[:i])
	return start, start + utf8.RuneCountInString(passage)
}

// MaskPersonal masks personal information in a comment before it can be
// shown: what privacy.Scan finds (ID numbers, phones, e-mail, bank cards),
// and the name and contact the commenter gave wherever they repeat them.
func MaskPersonal(text, name, contact string) string {
	out := privacy.Mask(text, privacy.Scan(text))
	if r := []rune(name); len(r) >= 2 {
		out = strings.ReplaceAll(out, name, string(r[0])+strings.Repeat("*", len(r)-1))
	}
	if r := []rune(contact); len(r) >= 5 {
		out = strings.ReplaceAll(out, contact, string(r[:2])+strings.Repeat("*", len(r)-2))
	}
	return out
}

// Submitted reports whether a comment form with this key was already
// accepted (a double click, a reload of the thank-you page).
func (s *Service) Submitted(ctx context.Context, submitKey string) (bool, error) {
	if submitKey == "" {
		return false, nil
	}
	var one int
	err := s.DB.R.QueryRowContext(ctx, "SELECT 1 FROM participate_comments WHERE submit_key = $1", submitKey).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Submit stores a citizen's comment. It is durable before the thank-you
// page shows its receipt number; submitKey (a hidden form token) makes a
// replayed form return the same comment instead of a second one, and a
// replay is never refused or rate limited. A comment on a solicitation that
// is not open is refused with the period in the message.
func (s *Service) Submit(ctx context.Context, ip, solicitationID, submitKey string, in CommentInput) (Comment, error) {
	if c, ok, err := s.bySubmitKey(ctx, submitKey); ok || err != nil {
		return c, err
	}
	sol, err := s.Public(ctx, solicitationID)
	if err != nil {
		return Comment{}, err
	}
	if err := OpenForComments(sol, s.Today()); err != nil {
		return Comment{}, err
	}
	cfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return Comment{}, err
	}
	now := s.now()
	if err := s.guard().Allow(cfg, RateScope, ip, in.Contact, now); err != nil {
		return Comment{}, err
	}
	verdict, err := validateComment(cfg, sol, ip, &in)
	if err != nil {
		return Comment{}, err
	}
	public := MaskPersonal(in.Body, in.Name, in.Contact)
	var pstart, pend int
	if in.Para > 0 {
		pstart, pend = passageOffsets(blockText(sol.Draft, in.Para), in.Passage)
	}
	fp := moderation.Fingerprinted(in.Body)
	id := db.NewID()
	var key any
	if submitKey != "" {
		key = submitKey
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Numbering the comment locks the solicitation's row until commit,
		// so two copies of one text arriving together are compared with
		// each other, and the period is checked under the same lock.
		var seq int
		if err := tx.QueryRowContext(ctx, `UPDATE participate_solicitations SET comment_seq = comment_seq + 1 WHERE id = $1
			RETURNING comment_seq`, sol.ID).Scan(&seq); err != nil {
			return err
		}
		cur, err := s.load(ctx, tx, sol.ID)
		if err != nil {
			return err
		}
		if err := OpenForComments(cur, s.Today()); err != nil {
			return err
		}
		dup, dupStatus, err := s.findDuplicate(ctx, tx, sol.ID, in.Body, fp, cfg.NearDup)
		if err != nil {
			return err
		}
		status, by := CommentPending, ""
		switch {
		case verdict.Hold:
		case cfg.Mode == moderation.ModePost:
			status, by = CommentApproved, "系统（先发后审）"
		case dup.Exact && dupStatus == CommentApproved:
			// The same words were already approved: approving again is
			// toil, and the text shown is counted under that one anyway.
			status, by = CommentApproved, "系统（与已公开的意见相同）"
		}
		var dupOf any
		kind := ""
		if dup.ID != "" {
			dupOf, kind = dup.ID, "near"
			if dup.Exact {
				kind = "exact"
			}
		}
		moderatedAt := ""
		if by != "" {
			moderatedAt = db.Time(now)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO participate_comments (id, solicitation_id, seq, receipt_no, submit_key, body,
			public_body, para, passage, passage_start, passage_end, name, contact, ip, status, flags, moderated_by, moderated_at,
			norm_hash, minhash, dup_of, dup_kind, dup_score, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
			id, sol.ID, seq, newReceiptNo(s.Today().Year), key, in.Body, public, in.Para, in.Passage, pstart, pend, in.Name,
			in.Contact, ip, status, strings.Join(verdict.Matched, "、"), by, moderatedAt, fp.Hash, fp.Sig.String(), dupOf, kind,
			int(dup.Score*100+0.5), db.Time(now))
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(in.Body))
		// The evidence chain names the comment, never the commenter.
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: audit.Actor{Name: "公众（网上）", IP: ip}, OrgID: sol.OrgID,
			Action: "participate.comment", ObjectType: "comment", ObjectID: id,
			Summary: fmt.Sprintf("《%s》收到第 %d 条意见（%s）", sol.Title, seq, CommentStatusLabels[status]),
			After: map[string]any{"seq": seq, "status": status, "body_sha256": hex.EncodeToString(sum[:]), "dup_of": dup.ID,
				"dup_kind": kind, "flags": verdict.Matched, "para": in.Para}})
		return err
	})
	if err != nil {
		if submitKey != "" && db.IsUniqueViolation(err) {
			// Two copies of one form racing: the loser answers with the
			// winner's comment.
			if c, ok, err2 := s.bySubmitKey(ctx, submitKey); ok && err2 == nil {
				return c, nil
			}
		}
		return Comment{}, err
	}
	return s.loadComment(ctx, s.DB.R, id)
}

// openForComments refuses comments outside the period, saying when it was.
func OpenForComments(c Solicitation, today workday.Date) error {
	switch c.Stage(today) {
	case StageOpen:
		return nil
	case StageUpcoming:
		return apperr.New(apperr.Conflict, fmt.Sprintf("本次意见征集自%s开始，届时欢迎提出意见。", optDate(c.StartOn).Chinese()))
	case StageReported:
		return apperr.New(apperr.Conflict, fmt.Sprintf("本次意见征集已于%s结束，采纳情况已公布，不再接收意见。", optDate(c.EndOn).Chinese()))
	}
	return apperr.New(apperr.Conflict, fmt.Sprintf("本次意见征集已于%s结束，不再接收意见。", optDate(c.EndOn).Chinese()))
}

func (s *Service) bySubmitKey(ctx context.Context, key string) (Comment, bool, error) {
	if key == "" {
		return Comment{}, false, nil
	}
	var id string
	err := s.DB.R.QueryRowContext(ctx, "SELECT id FROM participate_comments WHERE submit_key = $1", key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, false, nil
	}
	if err != nil {
		return Comment{}, false, err
	}
	c, err := s.loadComment(ctx, s.DB.R, id)
	return c, err == nil, err
}

// findDuplicate compares a new text with the solicitation's comments and
// returns the cluster it joins (the first comment of the cluster) and the
// status of the comment it matched.
func (s *Service) findDuplicate(ctx context.Context, tx db.Querier, solID, body string, fp moderation.Fingerprint,
	threshold float64) (moderation.Match, string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, norm_hash, minhash, COALESCE(dup_of, ''), status FROM participate_comments
		WHERE solicitation_id = $1 ORDER BY seq`, solID)
	if err != nil {
		return moderation.Match{}, "", err
	}
	var cands []moderation.Candidate
	root := map[string]string{}
	status := map[string]string{}
	for rows.Next() {
		var c moderation.Candidate
		var sig, dupOf, st string
		if err := rows.Scan(&c.ID, &c.Hash, &sig, &dupOf, &st); err != nil {
			rows.Close()
			return moderation.Match{}, "", err
		}
		if c.Sig, err = moderation.ParseSignature(sig); err != nil {
			continue
		}
		cands = append(cands, c)
		root[c.ID], status[c.ID] = dupOf, st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return moderation.Match{}, "", err
	}
	m, ok, err := moderation.FindDuplicate(body, fp, threshold, cands, func(id string) (string, error) {
		var b string
		err := tx.QueryRowContext(ctx, "SELECT body FROM participate_comments WHERE id = $1", id).Scan(&b)
		return b, err
	})
	if err != nil || !ok {
		return moderation.Match{}, "", err
	}
	st := status[m.ID]
	if r := root[m.ID]; r != "" {
		m.ID = r
	}
	return m, st, nil
}

const commentCols = `id, solicitation_id, seq, receipt_no, body, public_body, para, passage, passage_start, passage_end, name,
	contact, ip, status, flags, reject_reason, reject_note, moderated_by, moderated_at, COALESCE(dup_of, ''), dup_kind, dup_score,
	COALESCE(group_id, ''), decision, reason, created_at`

// commentColsC is commentCols for the table aliased c.
const commentColsC = `c.id, c.solicitation_id, c.seq, c.receipt_no, c.body, c.public_body, c.para, c.passage, c.passage_start,
	c.passage_end, c.name, c.contact, c.ip, c.status, c.flags, c.reject_reason, c.reject_note, c.moderated_by, c.moderated_at,
	COALESCE(c.dup_of, ''), c.dup_kind, c.dup_score, COALESCE(c.group_id, ''), c.decision, c.reason, c.created_at`

// scanComment reads commentCols, then any extra columns into extra.
func scanComment(row interface{ Scan(...any) error }, extra ...any) (Comment, error) {
	var c Comment
	var modAt, created string
	err := row.Scan(append([]any{&c.ID, &c.SolicitationID, &c.Seq, &c.ReceiptNo, &c.Body, &c.PublicBody, &c.Para, &c.Passage,
		&c.PassageStart, &c.PassageEnd, &c.Name, &c.Contact, &c.IP, &c.Status, &c.Flags, &c.RejectReason, &c.RejectNote,
		&c.ModeratedBy, &modAt, &c.DupOf, &c.DupKind, &c.DupScore, &c.GroupID, &c.Decision, &c.Reason, &created}, extra...)...)
	if err != nil {
		return c, err
	}
	c.ModeratedAt, _ = db.ParseTime(modAt)
	c.CreatedAt = db.MustTime(created)
	return c, nil
}

func (s *Service) loadComment(ctx context.Context, q db.Querier, id string) (Comment, error) {
	c, err := scanComment(q.QueryRowContext(ctx, "SELECT "+commentCols+" FROM participate_comments WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("意见不存在或无权查看")
	}
	return c, err
}

// Receipt is what the holder of a receipt number sees: the masked text,
// the status and, for a rejection, the stated reason.
type Receipt struct {
	ReceiptNo         string
	SolicitationID    string
	SolicitationTitle string
	Stage             string
	Comment           PublicComment
	Status            string
	StatusLabel       string
	RejectReason      string
	RejectNote        string
	ModeratedAt       time.Time
}

// Lookup finds a comment by its receipt number. Unknown numbers are all
// the same NotFound.
func (s *Service) Lookup(ctx context.Context, receiptNo string) (Receipt, error) {
	no := strings.ToUpper(strings.TrimSpace(receiptNo))
	if len(no) > 40 || !strings.HasPrefix(no, "YJ-") {
		return Receipt{}, apperr.NotFoundf("没有查到这个意见编号")
	}
	var id string
	err := s.DB.R.QueryRowContext(ctx, "SELECT id FROM participate_comments WHERE receipt_no = $1", no).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Receipt{}, apperr.NotFoundf("没有查到这个意见编号")
	}
	if err != nil {
		return Receipt{}, err
	}
	c, err := s.loadComment(ctx, s.DB.R, id)
	if err != nil {
		return Receipt{}, err
	}
	sol, err := s.load(ctx, s.DB.R, c.SolicitationID)
	if err != nil {
		return Receipt{}, err
	}
	pc := c.Public()
	if sol.Status != StatusReported {
		pc.Decision, pc.Reason = "", "" // the adoption report is not out yet
	}
	return Receipt{ReceiptNo: c.ReceiptNo, SolicitationID: sol.ID, SolicitationTitle: sol.Title, Stage: sol.Stage(s.Today()),
		Comment: pc, Status: c.Status, StatusLabel: CommentStatusLabels[c.Status], RejectReason: c.RejectReason,
		RejectNote: c.RejectNote, ModeratedAt: c.ModeratedAt}, nil
}

// --- staff ---

// CommentRow is a comment in a staff list.
type CommentRow struct {
	Comment
	OrgID             string
	SolicitationTitle string
	Reported          bool
	DupSeq            int // the number of the comment it duplicates
}

// CommentFilter narrows a staff list.
type CommentFilter struct {
	SolicitationID string
	Status         string // "" = all
	Limit, Offset  int
}

// Comments lists comments in p's scope (oldest first, the order they
// arrived in: a moderation queue is worked from its head).
func (s *Service) Comments(ctx context.Context, p *org.Principal, f CommentFilter) ([]CommentRow, int, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermParticipateView)
	if err != nil || len(scope) == 0 {
		return nil, 0, err
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	ph := make([]string, len(scope))
	for i, id := range scope {
		ph[i] = arg(id)
	}
	where := " WHERE s.org_id IN (" + strings.Join(ph, ", ") + ")"
	if f.SolicitationID != "" {
		where += " AND c.solicitation_id = " + arg(f.SolicitationID)
	}
	if f.Status != "" {
		where += " AND c.status = " + arg(f.Status)
	}
	from := " FROM participate_comments c JOIN participate_solicitations s ON s.id = c.solicitation_id"
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*)"+from+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := "SELECT " + commentColsC + `, s.org_id, s.title, s.status,
		COALESCE((SELECT d.seq FROM participate_comments d WHERE d.id = c.dup_of), 0)` + from + where +
		" ORDER BY c.created_at, c.seq LIMIT " + arg(limit) + " OFFSET " + arg(max(f.Offset, 0))
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []CommentRow
	for rows.Next() {
		var r CommentRow
		var solStatus string
		c, err := scanComment(rows, &r.OrgID, &r.SolicitationTitle, &solStatus, &r.DupSeq)
		if err != nil {
			return nil, 0, err
		}
		r.Comment, r.Reported = c, solStatus == StatusReported
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// GetComment returns a comment with its solicitation for staff who may see
// the solicitation's org.
func (s *Service) GetComment(ctx context.Context, p *org.Principal, id string) (Comment, Solicitation, error) {
	c, err := s.loadComment(ctx, s.DB.R, id)
	if err != nil {
		return Comment{}, Solicitation{}, err
	}
	sol, err := s.Get(ctx, p, c.SolicitationID)
	if err != nil {
		return Comment{}, Solicitation{}, apperr.NotFoundf("意见不存在或无权查看")
	}
	return c, sol, nil
}

// Decision is a moderator's decision on comments.
type Decision struct {
	Approve bool
	Reason  string // one of the configured rejection reasons
	Note    string // free text; required with a reason starting 其他
	// PublicText replaces the masked text shown (approving one comment):
	// a moderator masks what the automatic rules missed, such as a third
	// person's name. It is masked again.
	PublicText string
}

const maxBulk = 500

// Moderate approves or rejects comments in one transaction, each with its
// evidence-chain event; it returns how many changed (a comment already in
// the requested state is left alone). Every rejection states a reason from
// the published list.
func (s *Service) Moderate(ctx context.Context, p *org.Principal, ip string, ids []string, d Decision) (int, error) {
	d.Reason, d.Note, d.PublicText = clean(d.Reason), clean(d.Note), clean(d.PublicText)
	cfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return 0, err
	}
	var fs apperr.Fields
	switch {
	case len(ids) == 0:
		fs.Add("ids", "请先勾选要处理的意见")
	case len(ids) > maxBulk:
		fs.Add("ids", fmt.Sprintf("一次最多处理 %d 条意见", maxBulk))
	}
	if !d.Approve {
		known := false
		for _, r := range cfg.RejectReasons {
			known = known || r == d.Reason
		}
		if !known {
			fs.Add("reason", "请选择不予公开的理由")
		} else if strings.HasPrefix(d.Reason, "其他") && d.Note == "" {
			fs.Add("note", "选择“其他”时请写明理由")
		}
	}
	tooLong(&fs, "note", "说明", d.Note, 500)
	if d.PublicText != "" {
		if len(ids) != 1 || !d.Approve {
			fs.Add("public_body", "只能在逐条审核通过时修改公开文本")
		}
		tooLong(&fs, "public_body", "公开文本", d.PublicText, cfg.MaxBody)
	}
	if err := fs.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	changed := 0
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			c, err := s.loadComment(ctx, tx, id)
			if err != nil {
				return err
			}
			sol, err := s.load(ctx, tx, c.SolicitationID)
			if err != nil {
				return err
			}
			if err := s.allowed(ctx, p, org.PermParticipateView, sol.OrgID, "意见"); err != nil {
				return err
			}
			if err := s.can(ctx, p, org.PermParticipateModerate, sol.OrgID, "审核意见需要审核员权限"); err != nil {
				return err
			}
			if sol.Status == StatusReported {
				return apperr.New(apperr.Conflict, fmt.Sprintf("《%s》的采纳情况已公布，意见的审核结果不能再更改", sol.Title))
			}
			public := c.PublicBody
			if d.PublicText != "" {
				public = MaskPersonal(d.PublicText, c.Name, c.Contact)
			}
			status := CommentApproved
			if !d.Approve {
				status = CommentRejected
			}
			if c.Status == status && public == c.PublicBody && (d.Approve || c.RejectReason == d.Reason && c.RejectNote == d.Note) {
				continue
			}
			reason, note := "", ""
			if !d.Approve {
				reason, note = d.Reason, d.Note
			}
			actor := p.Actor(ip)
			if _, err := tx.ExecContext(ctx, `UPDATE participate_comments SET status = $2, public_body = $3, reject_reason = $4,
				reject_note = $5, moderated_by = $6, moderated_at = $7 WHERE id = $1`,
				id, status, public, reason, note, p.User.DisplayName, db.Time(now)); err != nil {
				return err
			}
			summary := fmt.Sprintf("《%s》第 %d 条意见审核通过，予以公开", sol.Title, c.Seq)
			action := "participate.approve"
			if !d.Approve {
				summary = fmt.Sprintf("《%s》第 %d 条意见不予公开：%s", sol.Title, c.Seq, reason)
				action = "participate.reject"
			}
			after := map[string]any{"status": status, "reason": reason, "note": note}
			if public != c.PublicBody {
				sum := sha256.Sum256([]byte(public))
				after["public_body_sha256"] = hex.EncodeToString(sum[:])
				summary += "（公开文本经审核人修改）"
			}
			if _, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: sol.OrgID, Action: action,
				ObjectType: "comment", ObjectID: id, Summary: summary,
				Before: map[string]any{"status": c.Status, "reason": c.RejectReason}, After: after}); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, err
}

// Opinion is an approved comment as the portal lists it: the first of its
// duplicate cluster, with the others counted (identical ones) or folded
// under it (similar ones, whose wording differs and stays readable).
type Opinion struct {
	PublicComment
	Same int
	Near []PublicComment
}

// Opinions returns the approved comments of a published solicitation,
// duplicates folded, in the order they arrived; page is 1-based.
func (s *Service) Opinions(ctx context.Context, solicitationID string, page, size int) (ops []Opinion, total, approved int, err error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+commentCols+` FROM participate_comments
		WHERE solicitation_id = $1 AND status = 'approved' ORDER BY seq`, solicitationID)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	var all []Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, 0, 0, err
		}
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, err
	}
	folded := foldDuplicates(all)
	total, approved = len(folded), len(all)
	if size <= 0 {
		size = 20
	}
	from := (max(page, 1) - 1) * size
	if from >= len(folded) {
		return nil, total, approved, nil
	}
	return folded[from:min(from+size, len(folded))], total, approved, nil
}

// foldDuplicates groups comments (in seq order) by duplicate cluster; the
// cluster's first approved comment represents it even when the cluster's
// first comment was rejected.
func foldDuplicates(cs []Comment) []Opinion {
	var out []Opinion
	idx := map[string]int{}
	for _, c := range cs {
		root := c.DupOf
		if root == "" {
			root = c.ID
		}
		i, seen := idx[root]
		if !seen {
			idx[root] = len(out)
			out = append(out, Opinion{PublicComment: c.Public()})
			continue
		}
		if moderation.Normalize(c.PublicBody) == moderation.Normalize(out[i].Text) {
			out[i].Same++
		} else {
			out[i].Near = append(out[i].Near, c.Public())
		}
	}
	return out
}
