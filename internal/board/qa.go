package board

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Q&A statuses. Editors (board.qa) draft; a 审核员 (board.publish)
// publishes and withdraws. A published entry is a public text and is not
// edited in place: it is withdrawn, corrected and published again.
const (
	QADraft     = "draft"
	QAPublished = "published"
	QAWithdrawn = "withdrawn"
)

// QAStatusLabels name them.
var QAStatusLabels = map[string]string{QADraft: "草稿", QAPublished: "已公开", QAWithdrawn: "已撤下"}

// Limits on Q&A entries.
const (
	MaxQuestion = 200
	MaxAnswer   = 5000
	MaxKeywords = 200
)

// QA is a question and its answer.
type QA struct {
	ID, OrgID   string
	Question    string
	Answer      string
	Keywords    string // extra words people use for it (低保, 最低生活保障)
	PolicyID    string // the policy it explains (info.PolicyGenres), optional
	Status      string
	AuthorName  string
	PublishedOn string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// StatusLabel is the status in Chinese.
func (q QA) StatusLabel() string { return QAStatusLabels[q.Status] }

// QAInput is an entry's editable fields.
type QAInput struct {
	OrgID, Question, Answer, Keywords, PolicyID string
}

// checkPolicy accepts a published, proactively disclosed policy record.
func (s *Service) checkPolicy(ctx context.Context, fs *apperr.Fields, id string) error {
	if id == "" {
		return nil
	}
	if s.Info == nil {
		fs.Add("policy_id", "暂不能关联政策文件")
		return nil
	}
	r, err := s.Info.Get(ctx, id)
	switch {
	case apperr.Is(err, apperr.NotFound):
		fs.Add("policy_id", "所选的政策文件不存在")
	case err != nil:
		return err
	case !info.IsPolicy(r.Genre):
		fs.Add("policy_id", "只能关联规章、行政规范性文件或政策文件")
	case r.Status != info.StatusPublished || r.Attribute != info.Proactive:
		fs.Add("policy_id", "只能关联已主动公开的政策文件")
	}
	return nil
}

func (s *Service) validateQA(ctx context.Context, in *QAInput) error {
	in.Question = strings.Join(strings.Fields(clean(in.Question)), " ")
	in.Answer, in.Keywords, in.PolicyID = clean(in.Answer), strings.Join(strings.Fields(clean(in.Keywords)), " "),
		strings.TrimSpace(in.PolicyID)
	var fs apperr.Fields
	if moderation.Normalize(in.Question) == "" {
		fs.Add("question", "请填写问题")
	}
	tooLong(&fs, "question", "问题", in.Question, MaxQuestion)
	if moderation.Normalize(in.Answer) == "" {
		fs.Add("answer", "请填写答复")
	}
	tooLong(&fs, "answer", "答复", in.Answer, MaxAnswer)
	tooLong(&fs, "keywords", "关键词", in.Keywords, MaxKeywords)
	if err := s.checkPolicy(ctx, &fs, in.PolicyID); err != nil {
		return err
	}
	return fs.Err()
}

func (s *Service) can(ctx context.Context, p *org.Principal, perm org.Permission, orgID, msg string) error {
	ok, err := s.Orgs.Allowed(ctx, p, perm, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Forbidden, msg)
	}
	return nil
}

// CreateQA drafts an entry for an org where p has board.qa.
func (s *Service) CreateQA(ctx context.Context, p *org.Principal, ip string, in QAInput) (QA, error) {
	in.OrgID = strings.TrimSpace(in.OrgID)
	ok, err := s.Orgs.Allowed(ctx, p, org.PermBoardQA, in.OrgID)
	if err != nil {
		return QA{}, err
	}
	if !ok {
		return QA{}, apperr.Field("org_id", "请选择您可以维护政策问答的单位")
	}
	if err := s.validateQA(ctx, &in); err != nil {
		return QA{}, err
	}
	now := s.now()
	id := db.NewID()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO board_qa (id, org_id, question, answer, keywords, policy_id, status,
			author_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $8)`,
			id, in.OrgID, in.Question, in.Answer, in.Keywords, nullable(in.PolicyID), p.User.DisplayName, db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: in.OrgID, Action: "board.qa.create",
			ObjectType: "qa", ObjectID: id, Summary: "起草政策问答：" + truncate(in.Question, 40), After: in})
		return err
	})
	if err != nil {
		return QA{}, err
	}
	return s.loadQA(ctx, id)
}

// UpdateQA edits a draft or withdrawn entry.
func (s *Service) UpdateQA(ctx context.Context, p *org.Principal, ip, id string, in QAInput) (QA, error) {
	q, err := s.GetQA(ctx, p, id)
	if err != nil {
		return QA{}, err
	}
	if err := s.can(ctx, p, org.PermBoardQA, q.OrgID, "您没有修改本单位政策问答的权限"); err != nil {
		return QA{}, err
	}
	if q.Status == QAPublished {
		return QA{}, apperr.New(apperr.Conflict, "已公开的问答不能直接修改：请审核员先撤下，修改后再公开")
	}
	in.OrgID = q.OrgID
	if err := s.validateQA(ctx, &in); err != nil {
		return QA{}, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE board_qa SET rev = rev + 1, question = $2, answer = $3, keywords = $4, policy_id = $5,
			updated_at = $6 WHERE id = $1 AND status <> 'published'`, id, in.Question, in.Answer, in.Keywords, nullable(in.PolicyID),
			db.Time(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "该问答刚刚被公开，不能再修改；请刷新页面")
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: q.OrgID, Action: "board.qa.update",
			ObjectType: "qa", ObjectID: id, Summary: "修改政策问答：" + truncate(in.Question, 40),
			Before: QAInput{q.OrgID, q.Question, q.Answer, q.Keywords, q.PolicyID}, After: in})
		return err
	})
	if err != nil {
		return QA{}, err
	}
	return s.loadQA(ctx, id)
}

// PublishQA publishes an entry (审核员); its policy must still be public.
func (s *Service) PublishQA(ctx context.Context, p *org.Principal, ip, id string) (QA, error) {
	return s.setQAStatus(ctx, p, ip, id, QAPublished, "")
}

// WithdrawQA takes a published entry off the portal, with a reason.
func (s *Service) WithdrawQA(ctx context.Context, p *org.Principal, ip, id, reason string) (QA, error) {
	return s.setQAStatus(ctx, p, ip, id, QAWithdrawn, reason)
}

func (s *Service) setQAStatus(ctx context.Context, p *org.Principal, ip, id, to, reason string) (QA, error) {
	q, err := s.GetQA(ctx, p, id)
	if err != nil {
		return QA{}, err
	}
	if err := s.can(ctx, p, org.PermBoardPublish, q.OrgID, "公开和撤下政策问答须由本单位审核员办理"); err != nil {
		return QA{}, err
	}
	var fs apperr.Fields
	from := []string{QADraft, QAWithdrawn}
	action, summary := "board.qa.publish", "公开政策问答："
	if to == QAWithdrawn {
		from, action, summary = []string{QAPublished}, "board.qa.withdraw", "撤下政策问答："
		reason = clean(reason)
		if reason == "" {
			fs.Add("reason", "请写明撤下的理由")
		}
		tooLong(&fs, "reason", "撤下理由", reason, MaxReason)
	} else {
		if err := s.checkPolicy(ctx, &fs, q.PolicyID); err != nil {
			return QA{}, err
		}
	}
	if err := fs.Err(); err != nil {
		return QA{}, err
	}
	if q.Status == to {
		return QA{}, apperr.New(apperr.Conflict, "该问答已"+QAStatusLabels[to])
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		args := []any{id, to, db.Time(now), workday.DateOf(now).String()}
		res, err := tx.ExecContext(ctx, `UPDATE board_qa SET rev = rev + 1, status = $2, updated_at = $3,
			published_on = CASE WHEN $2 = 'published' THEN $4 ELSE published_on END
			WHERE id = $1 AND status IN (`+placeholders(&args, from)+`)`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "该问答的状态刚刚改变，请刷新页面")
		}
		if reason != "" {
			summary = "撤下政策问答（" + reason + "）："
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: q.OrgID, Action: action, ObjectType: "qa",
			ObjectID: id, Summary: summary + truncate(q.Question, 40), Before: map[string]any{"status": q.Status},
			After: map[string]any{"status": to}})
		return err
	})
	if err != nil {
		return QA{}, err
	}
	return s.loadQA(ctx, id)
}

const qaCols = `id, org_id, question, answer, keywords, COALESCE(policy_id, ''), status, author_name, published_on, created_at, updated_at`

func scanQA(row interface{ Scan(...any) error }) (QA, error) {
	var q QA
	var created, updated string
	err := row.Scan(&q.ID, &q.OrgID, &q.Question, &q.Answer, &q.Keywords, &q.PolicyID, &q.Status, &q.AuthorName,
		&q.PublishedOn, &created, &updated)
	if err == nil {
		q.CreatedAt, q.UpdatedAt = db.MustTime(created), db.MustTime(updated)
	}
	return q, err
}

func (s *Service) loadQA(ctx context.Context, id string) (QA, error) {
	q, err := scanQA(s.DB.R.QueryRowContext(ctx, "SELECT "+qaCols+" FROM board_qa WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return q, apperr.NotFoundf("政策问答不存在或无权查看")
	}
	return q, err
}

// GetQA returns an entry for staff with board.view in its org.
func (s *Service) GetQA(ctx context.Context, p *org.Principal, id string) (QA, error) {
	q, err := s.loadQA(ctx, id)
	if err != nil {
		return QA{}, err
	}
	ok, err := s.Orgs.Allowed(ctx, p, org.PermBoardView, q.OrgID)
	if err != nil {
		return QA{}, err
	}
	if !ok {
		return QA{}, apperr.NotFoundf("政策问答不存在或无权查看")
	}
	return q, nil
}

// ListQA returns the entries of p's scope (status "" = all), drafts first.
func (s *Service) ListQA(ctx context.Context, p *org.Principal, status string) ([]QA, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermBoardView)
	if err != nil || len(scope) == 0 {
		return nil, err
	}
	var args []any
	where := "org_id IN (" + placeholders(&args, scope) + ")"
	if status != "" {
		args = append(args, status)
		where += " AND status = $" + strconv.Itoa(len(args))
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+qaCols+" FROM board_qa WHERE "+where+
		" ORDER BY CASE status WHEN 'draft' THEN 0 WHEN 'withdrawn' THEN 1 ELSE 2 END, updated_at DESC, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QA
	for rows.Next() {
		q, err := scanQA(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// PublicQA returns a published entry; anything else is NotFound.
func (s *Service) PublicQA(ctx context.Context, id string) (QA, error) {
	q, err := s.loadQA(ctx, id)
	if err != nil || q.Status != QAPublished {
		return QA{}, apperr.NotFoundf("政策问答不存在或未公开")
	}
	return q, nil
}

// PublicQAs returns published entries: matching q (best first) when q is
// given, else all, newest first; and the total.
func (s *Service) PublicQAs(ctx context.Context, q string, limit, offset int) ([]QA, int, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	if strings.TrimSpace(q) != "" {
		hits, err := s.match(ctx, q, matchBrowse, 100)
		if err != nil {
			return nil, 0, err
		}
		var out []QA
		for i, h := range hits {
			if i >= offset && len(out) < limit {
				out = append(out, h.QA)
			}
		}
		return out, len(hits), nil
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM board_qa WHERE status = 'published'").Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+qaCols+
		" FROM board_qa WHERE status = 'published' ORDER BY published_on DESC, updated_at DESC, id LIMIT $1 OFFSET $2", limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []QA
	for rows.Next() {
		q, err := scanQA(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, q)
	}
	return out, total, rows.Err()
}

// PolicyRef is a linked policy as pages show it.
type PolicyRef struct {
	ID, Title, DocNo, OrgCode, URL string
}

// Policy resolves an entry's policy link if the policy is still public.
func (s *Service) Policy(ctx context.Context, id string) (PolicyRef, bool) {
	if id == "" || s.Info == nil {
		return PolicyRef{}, false
	}
	r, err := s.Info.Get(ctx, id)
	if err != nil || r.Status != info.StatusPublished || r.Attribute != info.Proactive {
		return PolicyRef{}, false
	}
	o, err := s.Orgs.GetOrg(ctx, r.OrgID)
	if err != nil {
		return PolicyRef{}, false
	}
	return PolicyRef{ID: r.ID, Title: r.Title, DocNo: r.DocNo, OrgCode: o.Code,
		URL: "/zfxxgk/" + o.Code + "/xxgk/" + r.ID}, true
}

// Policies lists published policies for the Q&A editor's choice, newest
// first (at most limit).
func (s *Service) Policies(ctx context.Context, limit int) ([]info.Record, error) {
	if s.Info == nil {
		return nil, nil
	}
	recs, _, err := s.Info.List(ctx, info.Filter{Statuses: []string{info.StatusPublished}, Genres: info.PolicyGenres,
		Attribute: info.Proactive, Limit: limit})
	return recs, err
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
