package participate

import (
	"context"
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
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
)

// The adoption report (采纳情况, 第713号令第十八条、第三十二条): for every
// approved comment, or group of comments answered together, whether it was
// adopted, partly adopted or not adopted, with the reason. Decisions are
// stored per comment — a group is a way to write one decision for many —
// so the report can never leave a comment out.

// Adoption decisions.
const (
	Adopted       = "adopted"
	PartlyAdopted = "partly"
	NotAdopted    = "not_adopted"
)

// Decisions lists them in report order.
var Decisions = []string{Adopted, PartlyAdopted, NotAdopted}

// DecisionLabels name them.
var DecisionLabels = map[string]string{Adopted: "采纳", PartlyAdopted: "部分采纳", NotAdopted: "不予采纳", "": "尚未答复"}

const (
	maxSummary      = 5000
	maxGroupSummary = 300
)

// needsReason: adopting may be explained, partly adopting or not adopting
// must be.
func needsReason(decision string) bool { return decision == PartlyAdopted || decision == NotAdopted }

// Group is comments answered together.
type Group struct {
	ID             string
	SolicitationID string
	Summary        string
	CreatedAt      time.Time
}

// reportTx loads a solicitation whose report p may edit (view, then
// edit permission) and which is not yet published.
func (s *Service) reportTx(ctx context.Context, tx db.Querier, p *org.Principal, solID string) (Solicitation, error) {
	sol, err := s.load(ctx, tx, solID)
	if err != nil {
		return sol, err
	}
	if err := s.allowed(ctx, p, org.PermParticipateView, sol.OrgID, "征求意见"); err != nil {
		return sol, err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, sol.OrgID, "没有编写采纳情况的权限"); err != nil {
		return sol, err
	}
	switch sol.Status {
	case StatusDraft:
		return sol, apperr.New(apperr.Conflict, "征求意见尚未发布")
	case StatusReported:
		return sol, apperr.New(apperr.Conflict, "采纳情况已公布，不能再修改")
	}
	return sol, nil
}

// approvedIn checks that ids are approved comments of the solicitation and
// returns them.
func (s *Service) approvedIn(ctx context.Context, tx db.Querier, solID string, ids []string) ([]Comment, error) {
	var fs apperr.Fields
	if len(ids) == 0 {
		fs.Add("ids", "请先勾选意见")
	} else if len(ids) > maxBulk {
		fs.Add("ids", fmt.Sprintf("一次最多处理 %d 条意见", maxBulk))
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var out []Comment
	for _, id := range ids {
		c, err := s.loadComment(ctx, tx, id)
		if err != nil || c.SolicitationID != solID {
			return nil, apperr.NotFoundf("意见不存在或不属于本次征求意见")
		}
		if c.Status != CommentApproved {
			return nil, apperr.Field("ids", fmt.Sprintf("第 %d 条意见%s，只有已公开的意见列入采纳情况", c.Seq, CommentStatusLabels[c.Status]))
		}
		out = append(out, c)
	}
	return out, nil
}

// SetDecisions records one adoption decision and reason for comments (a
// bulk action; "" clears). It returns how many changed.
func (s *Service) SetDecisions(ctx context.Context, p *org.Principal, ip, solID string, ids []string, decision, reason string) (int, error) {
	decision, reason = clean(decision), clean(reason)
	var fs apperr.Fields
	if decision != "" && !slices.Contains(Decisions, decision) {
		fs.Add("decision", "请选择采纳、部分采纳或不予采纳")
	}
	if needsReason(decision) && reason == "" {
		fs.Add("reason", "部分采纳或不予采纳的，请写明理由")
	}
	tooLong(&fs, "reason", "理由", reason, maxReason)
	if err := fs.Err(); err != nil {
		return 0, err
	}
	if decision == "" {
		reason = ""
	}
	now := s.now()
	changed := 0
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sol, err := s.reportTx(ctx, tx, p, solID)
		if err != nil {
			return err
		}
		cs, err := s.approvedIn(ctx, tx, solID, ids)
		if err != nil {
			return err
		}
		var seqs []string
		for _, c := range cs {
			if c.Decision == decision && c.Reason == reason {
				continue
			}
			if _, err := tx.ExecContext(ctx, "UPDATE participate_comments SET decision = $2, reason = $3 WHERE id = $1",
				c.ID, decision, reason); err != nil {
				return err
			}
			seqs = append(seqs, fmt.Sprint(c.Seq))
			changed++
		}
		if changed == 0 {
			return nil
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: sol.OrgID, Action: "participate.decide",
			ObjectType: "solicitation", ObjectID: solID,
			Summary: fmt.Sprintf("《%s》第 %s 条意见：%s", sol.Title, strings.Join(seqs, "、"), DecisionLabels[decision]),
			After:   map[string]any{"comments": seqs, "decision": decision, "reason": reason}})
		return err
	})
	return changed, err
}

// GroupComments puts comments into a group: an existing one (groupID) or
// a new one with summary. Comments leave any group they were in; groups
// left empty are removed.
func (s *Service) GroupComments(ctx context.Context, p *org.Principal, ip, solID string, ids []string, groupID, summary string) (Group, error) {
	summary = clean(summary)
	var g Group
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sol, err := s.reportTx(ctx, tx, p, solID)
		if err != nil {
			return err
		}
		cs, err := s.approvedIn(ctx, tx, solID, ids)
		if err != nil {
			return err
		}
		if groupID != "" {
			if g, err = s.group(ctx, tx, solID, groupID); err != nil {
				return err
			}
		} else {
			var fs apperr.Fields
			if summary == "" {
				fs.Add("summary", "请填写这组意见的概要")
			}
			tooLong(&fs, "summary", "意见概要", summary, maxGroupSummary)
			if err := fs.Err(); err != nil {
				return err
			}
			g = Group{ID: db.NewID(), SolicitationID: solID, Summary: summary, CreatedAt: now}
			if _, err := tx.ExecContext(ctx, `INSERT INTO participate_groups (id, solicitation_id, summary, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4)`, g.ID, solID, summary, db.Time(now)); err != nil {
				return err
			}
		}
		var seqs []string
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, "UPDATE participate_comments SET group_id = $2 WHERE id = $1", c.ID, g.ID); err != nil {
				return err
			}
			seqs = append(seqs, fmt.Sprint(c.Seq))
		}
		if err := dropEmptyGroups(ctx, tx, solID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: sol.OrgID, Action: "participate.group",
			ObjectType: "solicitation", ObjectID: solID,
			Summary: fmt.Sprintf("《%s》第 %s 条意见归入“%s”", sol.Title, strings.Join(seqs, "、"), truncate(g.Summary, 40)),
			After:   map[string]any{"group": g.ID, "summary": g.Summary, "comments": seqs}})
		return err
	})
	return g, err
}

// Ungroup takes comments out of their groups.
func (s *Service) Ungroup(ctx context.Context, p *org.Principal, ip, solID string, ids []string) (int, error) {
	n := 0
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sol, err := s.reportTx(ctx, tx, p, solID)
		if err != nil {
			return err
		}
		cs, err := s.approvedIn(ctx, tx, solID, ids)
		if err != nil {
			return err
		}
		var seqs []string
		for _, c := range cs {
			if c.GroupID == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, "UPDATE participate_comments SET group_id = NULL WHERE id = $1", c.ID); err != nil {
				return err
			}
			seqs = append(seqs, fmt.Sprint(c.Seq))
			n++
		}
		if n == 0 {
			return nil
		}
		if err := dropEmptyGroups(ctx, tx, solID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: sol.OrgID, Action: "participate.ungroup",
			ObjectType: "solicitation", ObjectID: solID, Summary: fmt.Sprintf("《%s》第 %s 条意见移出分组", sol.Title, strings.Join(seqs, "、")),
			After: map[string]any{"comments": seqs}})
		return err
	})
	return n, err
}

// RenameGroup changes a group's summary.
func (s *Service) RenameGroup(ctx context.Context, p *org.Principal, ip, solID, groupID, summary string) error {
	summary = clean(summary)
	var fs apperr.Fields
	if summary == "" {
		fs.Add("summary", "请填写这组意见的概要")
	}
	tooLong(&fs, "summary", "意见概要", summary, maxGroupSummary)
	if err := fs.Err(); err != nil {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sol, err := s.reportTx(ctx, tx, p, solID)
		if err != nil {
			return err
		}
		g, err := s.group(ctx, tx, solID, groupID)
		if err != nil {
			return err
		}
		if g.Summary == summary {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE participate_groups SET summary = $2, updated_at = $3 WHERE id = $1",
			groupID, summary, db.Time(now)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: sol.OrgID, Action: "participate.group_rename",
			ObjectType: "solicitation", ObjectID: solID, Summary: fmt.Sprintf("《%s》修改意见组概要", sol.Title),
			Before: map[string]string{"summary": g.Summary}, After: map[string]string{"group": groupID, "summary": summary}})
		return err
	})
}

// AutoGroup groups the approved, ungrouped comments of each duplicate
// cluster that has at least two of them, named after the first; it returns
// how many groups it made.
func (s *Service) AutoGroup(ctx context.Context, p *org.Principal, ip, solID string) (int, error) {
	made := 0
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sol, err := s.reportTx(ctx, tx, p, solID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+commentCols+` FROM participate_comments
			WHERE solicitation_id = $1 AND status = 'approved' AND group_id IS NULL ORDER BY seq`, solID)
		if err != nil {
			return err
		}
		clusters := map[string][]Comment{}
		var order []string
		for rows.Next() {
			c, err := scanComment(rows)
			if err != nil {
				rows.Close()
				return err
			}
			root := c.DupOf
			if root == "" {
				root = c.ID
			}
			if _, ok := clusters[root]; !ok {
				order = append(order, root)
			}
			clusters[root] = append(clusters[root], c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var summary []string
		for _, root := range order {
			cs := clusters[root]
			if len(cs) < 2 {
				continue
			}
			g := Group{ID: db.NewID(), Summary: truncate(strings.Join(strings.Fields(cs[0].PublicBody), " "), 80)}
			if _, err := tx.ExecContext(ctx, `INSERT INTO participate_groups (id, solicitation_id, summary, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4)`, g.ID, solID, g.Summary, db.Time(now)); err != nil {
				return err
			}
			var seqs []string
			for _, c := range cs {
				if _, err := tx.ExecContext(ctx, "UPDATE participate_comments SET group_id = $2 WHERE id = $1", c.ID, g.ID); err != nil {
					return err
				}
				seqs = append(seqs, fmt.Sprint(c.Seq))
			}
			summary = append(summary, strings.Join(seqs, "、"))
			made++
		}
		if made == 0 {
			return nil
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: sol.OrgID, Action: "participate.autogroup",
			ObjectType: "solicitation", ObjectID: solID,
			Summary: fmt.Sprintf("《%s》相同或相近意见自动分为 %d 组", sol.Title, made), After: map[string]any{"groups": summary}})
		return err
	})
	return made, err
}

func dropEmptyGroups(ctx context.Context, tx db.Querier, solID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM participate_groups WHERE solicitation_id = $1
		AND NOT EXISTS (SELECT 1 FROM participate_comments c WHERE c.group_id = participate_groups.id)`, solID)
	return err
}

func (s *Service) group(ctx context.Context, q db.Querier, solID, id string) (Group, error) {
	var g Group
	var created string
	err := q.QueryRowContext(ctx, "SELECT id, solicitation_id, summary, created_at FROM participate_groups WHERE id = $1 AND solicitation_id = $2",
		id, solID).Scan(&g.ID, &g.SolicitationID, &g.Summary, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return g, apperr.NotFoundf("意见组不存在")
	}
	if err != nil {
		return g, err
	}
	g.CreatedAt = db.MustTime(created)
	return g, nil
}

// Groups lists a solicitation's groups in creation order.
func (s *Service) Groups(ctx context.Context, solID string) ([]Group, error) {
	return s.groupsQ(ctx, s.DB.R, solID)
}

// SaveSummary stores the report's overall statement (总体说明).
func (s *Service) SaveSummary(ctx context.Context, p *org.Principal, ip, solID, summary string) error {
	summary = clean(summary)
	var fs apperr.Fields
	tooLong(&fs, "report_summary", "总体说明", summary, maxSummary)
	if err := fs.Err(); err != nil {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sol, err := s.reportTx(ctx, tx, p, solID)
		if err != nil {
			return err
		}
		if sol.ReportSummary == summary {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE participate_solicitations SET report_summary = $2, updated_at = $3 WHERE id = $1",
			solID, summary, db.Time(now)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: sol.OrgID, Action: "participate.report_summary",
			ObjectType: "solicitation", ObjectID: solID, Summary: fmt.Sprintf("《%s》修改采纳情况总体说明", sol.Title),
			After: map[string]any{"chars": utf8.RuneCountInString(summary)}})
		return err
	})
}

// PublishReport publishes the adoption report, which closes the
// solicitation: the period must be over, every comment moderated, every
// approved comment answered (with a reason unless adopted) and the overall
// statement written. The refusal lists what is missing.
func (s *Service) PublishReport(ctx context.Context, p *org.Principal, ip, solID string) (Solicitation, error) {
	today := s.Today()
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sol, err := s.load(ctx, tx, solID)
		if err != nil {
			return err
		}
		if err := s.allowed(ctx, p, org.PermParticipateView, sol.OrgID, "征求意见"); err != nil {
			return err
		}
		if err := s.can(ctx, p, org.PermParticipateModerate, sol.OrgID, "公布采纳情况需要审核员权限"); err != nil {
			return err
		}
		switch stage := sol.Stage(today); stage {
		case StageReported:
			return apperr.New(apperr.Conflict, "采纳情况已公布")
		case StageDraft:
			return apperr.New(apperr.Conflict, "征求意见尚未发布")
		case StageUpcoming, StageOpen:
			return apperr.New(apperr.Conflict, fmt.Sprintf("意见征集至%s结束，结束后才能公布采纳情况", optDate(sol.EndOn).Chinese()))
		}
		rep, err := s.report(ctx, tx, sol)
		if err != nil {
			return err
		}
		var problems []string
		if rep.Pending > 0 {
			problems = append(problems, fmt.Sprintf("还有 %d 条意见待审核", rep.Pending))
		}
		if n := len(rep.Missing); n > 0 {
			problems = append(problems, fmt.Sprintf("%d 条已公开的意见尚未写明采纳情况或理由（第 %s 条）", n, seqList(rep.Missing, 10)))
		}
		if sol.ReportSummary == "" {
			problems = append(problems, "尚未填写总体说明")
		}
		if len(problems) > 0 {
			return &apperr.Error{Kind: apperr.Invalid, Message: "采纳情况还不能公布：" + strings.Join(problems, "；"),
				Fields: []apperr.FieldError{{Field: "report", Message: strings.Join(problems, "；")}}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE participate_solicitations SET status = 'reported', reported_on = $2, updated_at = $3
			WHERE id = $1`, solID, today.String(), db.Time(now)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: sol.OrgID, Action: "participate.report_publish",
			ObjectType: "solicitation", ObjectID: solID,
			Summary: fmt.Sprintf("公布《%s》意见采纳情况（意见 %d 条：采纳 %d、部分采纳 %d、不予采纳 %d）", sol.Title, rep.Total,
				rep.ByDecision[Adopted], rep.ByDecision[PartlyAdopted], rep.ByDecision[NotAdopted]),
			After: map[string]any{"reported_on": today.String(), "counts": rep.ByDecision, "rejected": rep.RejectedTotal}})
		return err
	})
	if err != nil {
		return Solicitation{}, err
	}
	return s.load(ctx, s.DB.R, solID)
}

func seqList(seqs []int, max int) string {
	var parts []string
	for i, n := range seqs {
		if i == max {
			parts = append(parts, "等")
			break
		}
		parts = append(parts, fmt.Sprint(n))
	}
	return strings.Join(parts, "、")
}

// Report is the adoption report of a solicitation.
type Report struct {
	Summary    string
	ReportedOn string
	Total      int            // approved comments
	ByDecision map[string]int // approved comments per decision ("" = not yet answered)
	Items      []ReportItem
	Pending    int
	// Rejected counts the comments not published, by stated reason: the
	// report accounts for every comment received.
	Rejected      []ReasonCount
	RejectedTotal int
	Missing       []int // numbers of approved comments without a decision or a needed reason
}

// ReasonCount is a rejection reason and how often it was given.
type ReasonCount struct {
	Reason string
	N      int
}

// ReportItem is a line of the report: a group, or a comment (with its
// identical copies folded in).
type ReportItem struct {
	GroupID  string
	Summary  string // the group's summary; "" for a single comment
	Comments []PublicComment
	Decision string // the common decision; "" with Mixed
	Reason   string
	Mixed    bool // members were answered differently (each shows its own)
}

// Seqs lists the item's comment numbers.
func (it ReportItem) Seqs() string {
	var parts []string
	for _, c := range it.Comments {
		parts = append(parts, fmt.Sprint(c.Seq))
	}
	return strings.Join(parts, "、")
}

// Report builds the adoption report as it stands (drafted or published).
func (s *Service) Report(ctx context.Context, sol Solicitation) (Report, error) {
	return s.report(ctx, s.DB.R, sol)
}

func (s *Service) report(ctx context.Context, q db.Querier, sol Solicitation) (Report, error) {
	rep := Report{Summary: sol.ReportSummary, ReportedOn: sol.ReportedOn, ByDecision: map[string]int{}}
	rows, err := q.QueryContext(ctx, "SELECT "+commentCols+" FROM participate_comments WHERE solicitation_id = $1 ORDER BY seq", sol.ID)
	if err != nil {
		return rep, err
	}
	var approved []Comment
	rejected := map[string]int{}
	var reasons []string
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			rows.Close()
			return rep, err
		}
		switch c.Status {
		case CommentPending:
			rep.Pending++
		case CommentRejected:
			if rejected[c.RejectReason] == 0 {
				reasons = append(reasons, c.RejectReason)
			}
			rejected[c.RejectReason]++
			rep.RejectedTotal++
		case CommentApproved:
			approved = append(approved, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, err
	}
	for _, r := range reasons {
		rep.Rejected = append(rep.Rejected, ReasonCount{r, rejected[r]})
	}
	groups, err := s.groupsQ(ctx, q, sol.ID)
	if err != nil {
		return rep, err
	}
	rep.Total = len(approved)
	byGroup := map[string]int{}
	for _, g := range groups {
		byGroup[g.ID] = len(rep.Items)
		rep.Items = append(rep.Items, ReportItem{GroupID: g.ID, Summary: g.Summary})
	}
	// Ungrouped comments: identical copies with the same answer are one line.
	single := map[string]int{}
	for _, c := range approved {
		rep.ByDecision[c.Decision]++
		if c.Decision == "" || needsReason(c.Decision) && c.Reason == "" {
			rep.Missing = append(rep.Missing, c.Seq)
		}
		if i, ok := byGroup[c.GroupID]; ok && c.GroupID != "" {
			rep.Items[i].Comments = append(rep.Items[i].Comments, c.Public())
			continue
		}
		key := moderation.Normalize(c.PublicBody) + "\x00" + c.Decision + "\x00" + c.Reason
		if i, ok := single[key]; ok {
			rep.Items[i].Comments = append(rep.Items[i].Comments, c.Public())
			continue
		}
		single[key] = len(rep.Items)
		rep.Items = append(rep.Items, ReportItem{Comments: []PublicComment{c.Public()}, Decision: c.Decision, Reason: c.Reason})
	}
	out := rep.Items[:0]
	for _, it := range rep.Items {
		if len(it.Comments) == 0 {
			continue // a group emptied by moderation
		}
		if it.GroupID != "" {
			it.Decision, it.Reason = it.Comments[0].Decision, it.Comments[0].Reason
			for _, c := range it.Comments[1:] {
				if c.Decision != it.Decision || c.Reason != it.Reason {
					it.Mixed, it.Decision, it.Reason = true, "", ""
					break
				}
			}
		}
		out = append(out, it)
	}
	rep.Items = out
	return rep, nil
}

func (s *Service) groupsQ(ctx context.Context, q db.Querier, solID string) ([]Group, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, solicitation_id, summary, created_at FROM participate_groups WHERE solicitation_id = $1 ORDER BY created_at, id", solID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		var created string
		if err := rows.Scan(&g.ID, &g.SolicitationID, &g.Summary, &created); err != nil {
			return nil, err
		}
		g.CreatedAt = db.MustTime(created)
		out = append(out, g)
	}
	return out, rows.Err()
}

// --- reason templates ---

// KeyReasonTemplates is the setting holding the adoption reasons staff
// pick from (one a line).
const KeyReasonTemplates = "participate.reason_templates"

// DefaultReasonTemplates are the usual wordings of adoption reports.
var DefaultReasonTemplates = []string{
	"已采纳，相关内容已在修改后的文件中体现",
	"征求意见稿已有相关规定，不再重复规定",
	"与上位法规定不一致，不予采纳",
	"不属于本文件规范的范围，已转交有关部门研究处理",
	"相关内容已在其他政策文件中作出规定",
	"涉及事项需进一步调查研究，将在今后工作中统筹考虑",
	"受财力等客观条件限制，目前暂不具备实施条件",
}

// ReasonTemplates returns the configured templates (the defaults when
// never set).
func (s *Service) ReasonTemplates(ctx context.Context) ([]string, error) {
	var v string
	err := s.DB.R.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", KeyReasonTemplates).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultReasonTemplates, nil
	}
	if err != nil {
		return nil, err
	}
	return moderation.SplitList(v), nil
}

// SaveReasonTemplates stores the templates (one a line); the caller
// checks that the actor is a district administrator.
func (s *Service) SaveReasonTemplates(ctx context.Context, actor audit.Actor, text string) ([]string, error) {
	items := moderation.SplitList(text)
	var fs apperr.Fields
	if len(items) > 50 {
		fs.Add(KeyReasonTemplates, "常用理由最多 50 条")
	}
	for _, it := range items {
		if utf8.RuneCountInString(it) > 200 {
			fs.Add(KeyReasonTemplates, fmt.Sprintf("理由“%s”超过 200 个字", truncate(it, 20)))
			break
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	old, err := s.ReasonTemplates(ctx)
	if err != nil {
		return nil, err
	}
	if slices.Equal(old, items) {
		return items, nil
	}
	now := s.now()
	return items, s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3`, KeyReasonTemplates, strings.Join(items, "\n"), db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "participate.reason_templates", ObjectType: "settings",
			ObjectID: KeyReasonTemplates, Summary: fmt.Sprintf("修改采纳情况常用理由（%d 条）", len(items)),
			Before: old, After: items})
		return err
	})
}
