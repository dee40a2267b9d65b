package info

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The review state machine:
//
//	draft --Submit(editor)--> review(step 1) --Approve(step role)--> … --Approve(last)--> published
//	review --Reject(step role, reason)--> draft (RejectedReason set; a later submit starts a new round)
//	published --SetValidity--> published (已修改/已废止/已失效, with a replacing record)
//	published --Withdraw(reason)--> withdrawn (the portal keeps a notice page)
//
// 一事一审: every approval is a separate person, never the author, and each
// confirms the 保密审查. Nothing is public until the last step approves.

// Decision is what a reviewer submits.
type Decision struct {
	SecrecyConfirmed bool   // 已进行保密审查
	PrivacyGround    string // legal ground for publishing despite high-severity personal-data findings
	Comment          string
}

func (s *Service) round(ctx context.Context, q db.Querier, id string) (int, error) {
	var n sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT MAX(round) FROM info_reviews WHERE record_id = $1", id).Scan(&n)
	return int(n.Int64), err
}

func (s *Service) addReview(ctx context.Context, tx *sql.Tx, id string, rv Review) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO info_reviews (id, record_id, round, step, role, decision, actor_id, actor_name,
		secrecy_confirmed, privacy_ground, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		db.NewID(), id, rv.Round, rv.Step, rv.Role, rv.Decision, rv.ActorID, rv.ActorName, rv.SecrecyConfirmed,
		rv.PrivacyGround, rv.Comment, db.Time(rv.At))
	return err
}

// Submit sends a draft into review. Screening findings are returned for
// the editor to see (and fix); they do not block submission.
func (s *Service) Submit(ctx context.Context, p *org.Principal, ip, id, comment string) ([]ScreenFinding, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	findings, err := s.Screen(ctx, r)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "该信息不是草稿，不能提交审核")
		}
		if err := checkSimultaneous(r); err != nil {
			return err
		}
		round, err := s.round(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE info_records SET status = 'review', step = 1, rejected_reason = '', updated_at = $1 WHERE id = $2",
			db.Time(now), id); err != nil {
			return err
		}
		if err := s.addReview(ctx, tx, id, Review{Round: round + 1, Step: 0, Role: org.RoleEditor, Decision: "submit",
			ActorID: p.User.ID, ActorName: p.User.DisplayName, Comment: strings.TrimSpace(comment), At: now}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.submit",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("提交审核《%s》（第 %d 轮，个人信息提示 %d 处）", r.Title, round+1, len(findings))})
		return err
	})
	return findings, err
}

// StepRole is the role that decides the record's current step.
func (s *Service) StepRole(ctx context.Context, r Record) (org.Role, int, error) {
	flow, err := s.Flow(ctx, r.OrgID)
	if err != nil {
		return "", 0, err
	}
	if r.Status != StatusReview || r.Step < 1 || r.Step > len(flow) {
		return "", len(flow), nil
	}
	return flow[r.Step-1], len(flow), nil
}

// CanDecide reports whether p may decide r's current step, and why not.
func (s *Service) CanDecide(ctx context.Context, p *org.Principal, r Record) (bool, string, error) {
	role, _, err := s.StepRole(ctx, r)
	if err != nil || role == "" {
		return false, "该信息不在审核中", err
	}
	held := false
	for _, g := range p.Grants {
		if g.Role == role && g.OrgID == r.OrgID {
			held = true
		}
	}
	if !held {
		return false, "本步骤须由本机构的" + role.Label() + "审核", nil
	}
	if p.User.ID == r.AuthorID {
		return false, "不能审核自己起草的信息", nil
	}
	reviews, err := s.Reviews(ctx, r.ID)
	if err != nil {
		return false, "", err
	}
	round := 0
	for _, rv := range reviews {
		round = max(round, rv.Round)
	}
	for _, rv := range reviews {
		if rv.Round != round || rv.ActorID != p.User.ID {
			continue
		}
		switch rv.Decision {
		case "submit":
			return false, "不能审核自己提交的信息", nil
		case "approve":
			return false, "同一人不能审核同一信息的两个步骤（一事一审）", nil
		}
	}
	return true, "", nil
}

// Approve passes the current step; the last approval publishes.
func (s *Service) Approve(ctx context.Context, p *org.Principal, ip, id string, d Decision) (Record, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return r, err
	}
	if ok, why, err := s.CanDecide(ctx, p, r); err != nil || !ok {
		if err == nil {
			err = apperr.New(apperr.Forbidden, why)
		}
		return r, err
	}
	var fs apperr.Fields
	if !d.SecrecyConfirmed {
		fs.Add("secrecy_confirmed", "请确认已进行保密审查")
	}
	findings, err := s.Screen(ctx, r)
	if err != nil {
		return r, err
	}
	d.PrivacyGround = strings.TrimSpace(d.PrivacyGround)
	if HighCount(findings) > 0 && d.PrivacyGround == "" {
		fs.Add("privacy_ground", fmt.Sprintf("检测到 %d 处高风险个人信息或密级标识：请先脱敏，或填写依法公开的理由（如惩戒性公示）", HighCount(findings)))
	}
	if err := fs.Err(); err != nil {
		return r, err
	}
	cal, calErr := s.Calendar(ctx)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cur, role, steps, round, err := s.decisionState(ctx, tx, id, r.Step)
		if err != nil {
			return err
		}
		now := s.now()
		if err := s.addReview(ctx, tx, id, Review{Round: round, Step: cur.Step, Role: role, Decision: "approve",
			ActorID: p.User.ID, ActorName: p.User.DisplayName, SecrecyConfirmed: true, PrivacyGround: d.PrivacyGround,
			Comment: strings.TrimSpace(d.Comment), At: now}); err != nil {
			return err
		}
		if cur.Step < steps {
			if _, err := tx.ExecContext(ctx, "UPDATE info_records SET step = step + 1, updated_at = $1 WHERE id = $2", db.Time(now), id); err != nil {
				return err
			}
			cur.Step++
			r = cur
			_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "info.approve",
				ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("%s审核通过《%s》（第 %d/%d 步，已确认保密审查）", role.Label(), cur.Title, cur.Step-1, steps),
				After: map[string]string{"comment": d.Comment, "privacy_ground": d.PrivacyGround}})
			return err
		}
		r, err = s.publish(ctx, tx, cur, cal, calErr, now)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "info.publish",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("%s终审通过并发布《%s》，索引号 %s", role.Label(), r.Title, r.IndexNo),
			After: map[string]any{"index_no": r.IndexNo, "lag_workdays": r.LagWorkdays, "late": r.Late, "comment": d.Comment,
				"privacy_ground": d.PrivacyGround}})
		return err
	})
	return r, err
}

// decisionState re-reads a record inside the decision's transaction and
// refuses if another decision moved it since the caller's checks (two
// reviewers clicking at once), then resolves the step's role and the round.
func (s *Service) decisionState(ctx context.Context, tx *sql.Tx, id string, step int) (Record, org.Role, int, int, error) {
	cur, err := s.get(ctx, tx, id)
	if err != nil {
		return cur, "", 0, 0, err
	}
	if cur.Status != StatusReview || cur.Step != step {
		return cur, "", 0, 0, apperr.New(apperr.Conflict, "该信息的审核状态已变化，请刷新后再操作")
	}
	role, steps, err := s.stepRoleTx(ctx, tx, cur)
	if err != nil {
		return cur, "", 0, 0, err
	}
	round, err := s.round(ctx, tx, id)
	return cur, role, steps, round, err
}

func (s *Service) stepRoleTx(ctx context.Context, q db.Querier, r Record) (org.Role, int, error) {
	flow, err := s.flow(ctx, q, r.OrgID)
	if err != nil {
		return "", 0, err
	}
	if r.Step < 1 || r.Step > len(flow) {
		return "", len(flow), apperr.New(apperr.Conflict, "审核流程已变化，请退回后重新提交")
	}
	return flow[r.Step-1], len(flow), nil
}

// Reject sends a record under review back to its editor with reasons.
func (s *Service) Reject(ctx context.Context, p *org.Principal, ip, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Field("comment", "退回须写明理由")
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if ok, why, err := s.CanDecide(ctx, p, r); err != nil || !ok {
		if err == nil {
			err = apperr.New(apperr.Forbidden, why)
		}
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cur, role, _, round, err := s.decisionState(ctx, tx, id, r.Step)
		if err != nil {
			return err
		}
		now := s.now()
		if err := s.addReview(ctx, tx, id, Review{Round: round, Step: cur.Step, Role: role, Decision: "reject",
			ActorID: p.User.ID, ActorName: p.User.DisplayName, Comment: reason, At: now}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE info_records SET status = 'draft', step = 0, rejected_reason = $1, updated_at = $2 WHERE id = $3",
			reason, db.Time(now), id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "info.reject",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("%s退回《%s》：%s", role.Label(), cur.Title, reason)})
		return err
	})
}

// publish assigns the 索引号 and computes the lag inside the final approval's
// transaction. The counter row is updated by an atomic upsert, so two
// records published at once in one org get consecutive numbers, never the
// same one and never a gap.
func (s *Service) publish(ctx context.Context, tx *sql.Tx, r Record, cal *workday.Calendar, calErr error, now time.Time) (Record, error) {
	o, err := s.Orgs.GetOrg(ctx, r.OrgID)
	if err != nil {
		return r, err
	}
	today := workday.DateOf(now)
	var serial int
	if err := tx.QueryRowContext(ctx, `INSERT INTO info_index_counters (org_id, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (org_id, year) DO UPDATE SET last = info_index_counters.last + 1 RETURNING last`, r.OrgID, today.Year).Scan(&serial); err != nil {
		return r, err
	}
	tmpl := ""
	if s.IndexTemplate != nil {
		tmpl = s.IndexTemplate(ctx)
	}
	r.IndexNo = FormatIndexNo(tmpl, o.Code, today, serial)
	r.Status, r.Step, r.PublishedAt, r.PublishedOn = StatusPublished, 0, now, today.String()
	r.LagWorkdays, r.LimitText, r.Late = s.lag(ctx, r, today, cal, calErr)
	var lag any = r.LagWorkdays
	if r.LagWorkdays < 0 {
		lag = nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE info_records SET status = 'published', step = 0, index_no = $1, published_at = $2,
		published_on = $3, lag_workdays = $4, limit_text = $5, late = $6, updated_at = $2 WHERE id = $7`,
		r.IndexNo, db.Time(now), r.PublishedOn, lag, r.LimitText, r.Late, r.ID)
	if db.IsUniqueViolation(err) {
		return r, fmt.Errorf("索引号 %s 已被占用（索引号模板可能缺少序号）: %w", r.IndexNo, err)
	}
	if err != nil {
		return r, err
	}
	return r, s.logChange(ctx, tx, now, r)
}

// lag is the publication delay after 形成日期 in working days against the
// limit: the catalog item's own 公开时限 when it is a day count, else the
// statutory 20 working days. -1 when the calendar lacks a year.
func (s *Service) lag(ctx context.Context, r Record, today workday.Date, cal *workday.Calendar, calErr error) (int, string, bool) {
	limitKind, days, text := catalog.Workdays, StatutoryDays, fmt.Sprintf("条例第二十六条：%d 个工作日", StatutoryDays)
	if r.CatalogKey != "" && s.Catalog != nil {
		if v, err := s.Catalog.Current(ctx, r.OrgID); err == nil {
			if it, err := s.Catalog.ItemByKey(ctx, v.ID, r.CatalogKey); err == nil {
				switch it.TimeLimit.Kind {
				case catalog.Workdays, catalog.CalendarDays:
					limitKind, days, text = it.TimeLimit.Kind, it.TimeLimit.Days, "目录时限："+it.TimeLimit.Describe()
				}
			}
		}
	}
	formed, err := workday.ParseDate(r.FormedOn)
	if err != nil {
		return -1, text, false
	}
	if calErr != nil {
		return -1, text + "（无法计算：读取工作日历失败）", false
	}
	n, err := cal.WorkdaysBetween(formed, today)
	if errors.Is(err, workday.ErrNoCalendar) {
		return -1, text + "（无法计算：" + err.Error() + "）", false // a message written for users
	}
	if err != nil {
		return -1, text + "（无法计算）", false
	}
	late := n > days
	if limitKind == catalog.CalendarDays {
		late = int(today.Time().Sub(formed.Time()).Hours()/24) > days
	}
	return n, text, late
}

// FormatIndexNo fills an index-number template: {code}, {YYYY}, {MM} and a
// serial written as N's ({NNNNN} = 5 digits, zero-padded).
func FormatIndexNo(tmpl, code string, d workday.Date, serial int) string {
	if tmpl == "" {
		tmpl = DefaultIndexTemplate
	}
	out := strings.NewReplacer("{code}", code, "{YYYY}", fmt.Sprintf("%04d", d.Year), "{MM}", fmt.Sprintf("%02d", int(d.Month))).Replace(tmpl)
	for n := 8; n >= 1; n-- {
		ph := "{" + strings.Repeat("N", n) + "}"
		out = strings.ReplaceAll(out, ph, fmt.Sprintf("%0*d", n, serial))
	}
	return out
}

// ValidateIndexTemplate requires a serial placeholder, so numbers are unique.
func ValidateIndexTemplate(t string) error {
	if !strings.Contains(t, "{N") || !strings.Contains(t, "{YYYY}") {
		return apperr.Field("index_template", "索引号模板须包含年份 {YYYY} 和序号（如 {NNNNN}）")
	}
	return nil
}

// SetValidity marks a published record 已修改/已废止/已失效 (or current
// again), with the date and optionally the record that replaces it.
func (s *Service) SetValidity(ctx context.Context, p *org.Principal, ip, id, validity, on, replacedBy string) error {
	var fs apperr.Fields
	if ValidityLabel(validity) == "" {
		fs.Add("validity", "请选择有效性")
	}
	if on == "" && validity != ValidCurrent {
		fs.Add("validity_on", "请填写修改、废止或失效的日期")
	} else if on != "" {
		if _, err := workday.ParseDate(on); err != nil {
			fs.Add("validity_on", "日期应为 YYYY-MM-DD 格式")
		}
	}
	if err := fs.Err(); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusPublished {
			return apperr.New(apperr.Conflict, "只有已发布的信息可以标注有效性")
		}
		if replacedBy != "" {
			rep, err := s.get(ctx, tx, replacedBy)
			if err != nil || rep.Status != StatusPublished || rep.ID == id || rep.OrgID != r.OrgID || rep.Attribute != r.Attribute {
				return apperr.Field("replaced_by", "替代文件须是本机构另一条已发布、公开属性相同的信息")
			}
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE info_records SET validity = $1, validity_on = $2, replaced_by = $3, updated_at = $4 WHERE id = $5",
			validity, on, replacedBy, db.Time(now), id); err != nil {
			return err
		}
		if err := s.logChange(ctx, tx, now, r); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.validity",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("《%s》标注为%s", r.Title, ValidityLabel(validity)),
			Before: map[string]string{"validity": r.Validity}, After: map[string]string{"validity": validity, "on": on, "replaced_by": replacedBy}})
		return err
	})
}

// Withdraw takes a published record off the portal; its URL keeps a notice.
func (s *Service) Withdraw(ctx context.Context, p *org.Principal, ip, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Field("withdrawn_reason", "撤回须写明理由")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusPublished {
			return apperr.New(apperr.Conflict, "只有已发布的信息可以撤回")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE info_records SET status = 'withdrawn', withdrawn_reason = $1, updated_at = $2 WHERE id = $3",
			reason, db.Time(now), id); err != nil {
			return err
		}
		if err := s.logChange(ctx, tx, now, r); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.withdraw",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("撤回《%s》：%s", r.Title, reason)})
		return err
	})
}
