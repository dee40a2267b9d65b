package apply

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Letters (文书): the reply and the notices a case sends, written from
// templates staff can edit, and frozen when issued. An issued letter is
// never changed: its text and SHA-256 are stored with the case and named in
// the evidence chain, so what the applicant received can be proven; a
// correction is a new letter.
//
// A template is a title and a body of lines. Each line is a paragraph:
// "<" at the start keeps it flush left (the salutation), ">" right-aligns it
// (signature and date); other lines are body text with a two-character
// indent. {{名称}} is replaced by the case's value; {{名称?}} may be empty.
// The remedy paragraph (救济途径) is its own template, so a locality names
// its review body and court once for every letter.

// Letter kinds.
const (
	LetterReplyDisclose   = "reply_disclose"
	LetterReplyPartial    = "reply_partial"
	LetterReplyWithhold   = "reply_withhold"
	LetterReplyUnable     = "reply_unable"
	LetterReplyNotHandled = "reply_nothandled"
	LetterReplyOther      = "reply_other"
	LetterCorrection      = "correction"
	LetterExtension       = "extension"
	LetterFee             = "fee"
	LetterConsultThird    = "consult_third"
	LetterConsultAgency   = "consult_agency"
	LetterRemedy          = "remedy" // the 救济途径 paragraph, used inside replies
)

// LetterKind describes a kind of letter and its built-in template.
type LetterKind struct {
	Code, Label string
	ToApplicant bool // shown to the applicant on the tracking page
	Title, Body string
}

const salute = "<{{申请人}}：\n"
const sign = "\n>{{机关名称}}\n>{{出具日期}}"
const received = "本机关于{{收到日期}}收到您提出的政府信息公开申请（查询号：{{查询号}}），申请获取：{{申请内容}}。\n"
const contact = "\n如有疑问，请与本机关联系。地址：{{机关地址?}}；电话：{{机关电话?}}。"

// LetterKinds in display order.
var LetterKinds = []LetterKind{
	{LetterReplyDisclose, "答复书（予以公开）", true, "政府信息公开申请答复书",
		salute + received + "经审查，根据{{法律依据}}的规定，您申请获取的政府信息予以公开。{{获取方式}}\n{{救济途径}}" + contact + sign},
	{LetterReplyPartial, "答复书（部分公开）", true, "政府信息公开申请答复书",
		salute + received + "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。根据{{法律依据}}的规定，本机关向您提供可以公开的内容：{{获取方式}}\n对不予公开的内容，理由如下：{{理由}}\n{{救济途径}}" + contact + sign},
	{LetterReplyWithhold, "答复书（不予公开）", true, "政府信息公开申请答复书",
		salute + received + "经审查，{{理由}}\n根据{{法律依据}}的规定，本机关决定对您申请获取的政府信息不予公开。\n{{救济途径}}" + contact + sign},
	{LetterReplyUnable, "答复书（无法提供）", true, "政府信息公开申请答复书",
		salute + received + "经审查，{{理由}}\n根据{{法律依据}}的规定，特此告知。{{获取方式?}}\n{{救济途径}}" + contact + sign},
	{LetterReplyNotHandled, "告知书（不予处理）", true, "政府信息公开申请告知书",
		salute + received + "经审查，{{理由}}\n根据{{法律依据}}的规定，本机关对您的上述申请不予处理。{{获取方式?}}\n{{救济途径}}" + contact + sign},
	{LetterReplyOther, "告知书（其他处理）", true, "政府信息公开申请告知书",
		salute + received + "经审查，{{理由}}\n根据{{法律依据}}的规定，特此告知。\n{{救济途径}}" + contact + sign},
	{LetterCorrection, "补正告知书", true, "政府信息公开申请补正告知书",
		salute + received + "经审查，您的申请内容不明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，请您于{{补正期限}}前就以下事项作出补正：{{补正事项}}\n答复期限自本机关收到补正的申请之日起计算。您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。" + contact + sign},
	{LetterExtension, "延期答复告知书", true, "政府信息公开申请延期答复告知书",
		salute + received + "因{{延期理由}}，本机关不能在规定期限内作出答复。根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长{{延长天数}}个工作日，本机关将于{{答复期限}}前作出答复。" + contact + sign},
	{LetterFee, "收费通知书", true, "政府信息公开信息处理费收费通知书",
		salute + received + "您申请公开政府信息的数量、频次明显超过合理范围。根据《中华人民共和国政府信息公开条例》第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）的规定，本机关决定收取信息处理费。\n收费方式：{{收费方式}}；应缴金额：{{收费金额}}。\n计算明细：{{收费明细}}\n请您自收到本通知次日起20个工作日内（即{{缴费期限}}前）缴纳。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。" + contact + sign},
	{LetterConsultThird, "征求第三方意见书", false, "政府信息公开征求第三方意见书",
		"<{{征求对象}}：\n本机关于{{收到日期}}收到政府信息公开申请（查询号：{{查询号}}），申请公开的政府信息可能涉及你方合法权益：{{征求事项}}\n根据《中华人民共和国政府信息公开条例》第三十二条的规定，现书面征求你方意见。请自收到本意见书之日起15个工作日内提出书面意见；不同意公开的，请说明理由。逾期未提出意见的，由本机关依照条例的规定决定是否公开。" + contact + sign},
	{LetterConsultAgency, "征求其他机关意见函", false, "政府信息公开征求意见函",
		"<{{征求对象}}：\n本机关于{{收到日期}}收到政府信息公开申请（查询号：{{查询号}}），申请公开的政府信息由本机关与你单位共同制作：{{征求事项}}\n根据《中华人民共和国政府信息公开条例》第三十四条的规定，现征求你单位意见。请自收到本函之日起15个工作日内提出意见，逾期未提出意见的视为同意公开。" + contact + sign},
	{LetterRemedy, "救济途径（答复书中的段落）", false, "救济途径",
		"您如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，也可以自收到本答复之日起六个月内依法向人民法院提起行政诉讼。"},
}

// LetterVars are the names a template may use, with what each holds.
var LetterVars = []struct{ Name, Help string }{
	{"申请人", "申请人姓名或者名称"}, {"查询号", "申请的查询号"}, {"申请内容", "所需信息的描述"},
	{"提交日期", "申请人提交日期"}, {"收到日期", "收到申请之日（第三十一条）"}, {"出具日期", "文书出具日期"},
	{"文书编号", "文书编号（查询号-序号）"}, {"机关名称", "办理机关"}, {"机关地址", "办理机关地址"}, {"机关电话", "办理机关电话"},
	{"答复类型", "答复结果（年报口径）"}, {"法律依据", "答复依据的条款"}, {"理由", "答复理由"},
	{"获取方式", "获取信息的方式、途径和时间，或负责公开的机关名称和联系方式"}, {"救济途径", "行政复议、行政诉讼告知（“救济途径”模板）"},
	{"补正事项", "需要补正的事项"}, {"补正期限", "申请人补正的期限"}, {"延期理由", "延期答复的理由"}, {"延长天数", "延长的工作日数"},
	{"答复期限", "延长后的答复期限"}, {"收费方式", "按件计收或按量计收"}, {"收费金额", "应缴金额"}, {"收费明细", "分档计算明细"},
	{"缴费期限", "缴费截止日"}, {"征求对象", "第三方或被征求意见的机关"}, {"征求事项", "征求意见的事项"},
}

// LetterKindByCode finds a kind.
func LetterKindByCode(code string) (LetterKind, bool) {
	i := slices.IndexFunc(LetterKinds, func(k LetterKind) bool { return k.Code == code })
	if i < 0 {
		return LetterKind{}, false
	}
	return LetterKinds[i], true
}

// replyLetter is the letter kind of an outcome's reply.
func replyLetter(o Outcome) string {
	switch o.Group {
	case GroupDisclose:
		return LetterReplyDisclose
	case GroupPartial:
		return LetterReplyPartial
	case GroupWithhold:
		return LetterReplyWithhold
	case GroupUnable:
		return LetterReplyUnable
	case GroupNotHandled:
		return LetterReplyNotHandled
	}
	return LetterReplyOther
}

// eventLetter is the notice a handling event sends, if any.
func eventLetter(e ClockEvent) string {
	switch e.Kind {
	case EvCorrectionNotice:
		return LetterCorrection
	case EvExtension:
		return LetterExtension
	case EvFeeNotice:
		return LetterFee
	case EvConsultSent:
		if e.Party == PartyAgency {
			return LetterConsultAgency
		}
		return LetterConsultThird
	}
	return ""
}

var placeholder = regexp.MustCompile(`\{\{([^{}]*)\}\}`)

// CheckTemplate validates a template: known names, balanced braces, sizes.
// Errors name the line.
func CheckTemplate(title, body string) error {
	var fs apperr.Fields
	title = strings.TrimSpace(title)
	if title == "" || utf8.RuneCountInString(title) > 60 {
		fs.Add("title", "标题不能为空，最多 60 字")
	}
	if utf8.RuneCountInString(body) > 10000 {
		fs.Add("body", "正文最多 10000 字")
	}
	if strings.TrimSpace(body) == "" {
		fs.Add("body", "正文不能为空")
	}
	for i, line := range strings.Split(body, "\n") {
		rest := placeholder.ReplaceAllStringFunc(line, func(m string) string {
			name := strings.TrimSuffix(m[2:len(m)-2], "?")
			if !slices.ContainsFunc(LetterVars, func(v struct{ Name, Help string }) bool { return v.Name == name }) {
				fs.Add("body", fmt.Sprintf("第 %d 行：没有名为“%s”的内容项", i+1, name))
			}
			return ""
		})
		if strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
			fs.Add("body", fmt.Sprintf("第 %d 行：“{{”和“}}”须成对出现", i+1))
		}
	}
	return fs.Err()
}

// render fills a template. Every required name must have a value: a letter
// with a hole is refused, naming what is missing.
func render(tpl string, vars map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(tpl, func(m string) string {
		name := m[2 : len(m)-2]
		opt := strings.HasSuffix(name, "?")
		name = strings.TrimSuffix(name, "?")
		v := strings.TrimSpace(vars[name])
		if v == "" && !opt && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", apperr.Field("letter", "文书缺少以下内容："+strings.Join(missing, "、"))
	}
	return out, nil
}

// Template returns the template of a kind: the edited one if any, else the
// built-in.
func (s *Service) Template(ctx context.Context, kind string) (LetterKind, bool, error) {
	k, ok := LetterKindByCode(kind)
	if !ok {
		return LetterKind{}, false, apperr.NotFoundf("没有这种文书")
	}
	err := s.DB.R.QueryRowContext(ctx, "SELECT title, body FROM apply_letter_templates WHERE kind = $1", kind).Scan(&k.Title, &k.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	return k, err == nil, err
}

// SaveTemplate stores an edited template; reset restores the built-in one.
// Only site administrators edit templates: they are the district's legal
// wording for every unit.
func (s *Service) SaveTemplate(ctx context.Context, p *org.Principal, ip, kind, title, body string, reset bool) error {
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	root := slices.IndexFunc(orgs, func(o org.Org) bool { return o.ParentID == "" })
	ok := false
	if root >= 0 {
		if ok, err = s.Orgs.Allowed(ctx, p, org.PermOrgManage, orgs[root].ID); err != nil {
			return err
		}
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "只有全区的系统管理员可以修改文书模板")
	}
	if _, ok := LetterKindByCode(kind); !ok {
		return apperr.NotFoundf("没有这种文书")
	}
	body = strings.ReplaceAll(strings.TrimSpace(body), "\r\n", "\n")
	title = strings.TrimSpace(title)
	if !reset {
		if err := CheckTemplate(title, body); err != nil {
			return err
		}
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM apply_letter_templates WHERE kind = $1", kind); err != nil {
			return err
		}
		summary := "恢复默认文书模板：" + kind
		if !reset {
			summary = "修改文书模板：" + kind
			if _, err := tx.ExecContext(ctx, `INSERT INTO apply_letter_templates (kind, title, body, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5)`, kind, title, body, p.User.ID, db.Time(now)); err != nil {
				return err
			}
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), Action: "apply.template", ObjectType: "apply_template",
			ObjectID: kind, Summary: summary, After: map[string]any{"title": title, "body": body}})
		return err
	})
}

// Letter is an issued (or previewed) letter.
type Letter struct {
	CaseID      string
	No          int
	Kind        string
	Title       string
	Ref         string // 文书编号
	Body        string // lines as in templates, values filled in
	SHA256      string // of title + "\n" + body
	IssuedOn    string
	ToApplicant bool
	ActorName   string
	At          time.Time
}

// Para is a letter line ready for layout.
type Para struct {
	Text  string
	Align string // "left" (salutation), "right" (signature), "" (body)
}

// Paras splits a letter body into paragraphs with their alignment.
func (l Letter) Paras() []Para {
	var out []Para
	for _, line := range strings.Split(l.Body, "\n") {
		line = strings.TrimRight(line, " \t")
		switch {
		case strings.HasPrefix(line, ">"):
			out = append(out, Para{strings.TrimSpace(line[1:]), "right"})
		case strings.HasPrefix(line, "<"):
			out = append(out, Para{strings.TrimSpace(line[1:]), "left"})
		case strings.TrimSpace(line) != "":
			out = append(out, Para{strings.TrimSpace(line), ""})
		}
	}
	return out
}

// ChineseDate writes 2026-11-20 as 2026年11月20日 (the form letters use).
func ChineseDate(s string) string {
	d, err := workday.ParseDate(s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day)
}

func letterHash(title, body string) string {
	sum := sha256.Sum256([]byte(title + "\n" + body))
	return hex.EncodeToString(sum[:])
}

// letterInput is what a letter says beyond the case itself.
type letterInput struct {
	kind    string
	issued  workday.Date
	outcome Outcome
	event   *CaseEvent // the notice's event
	clock   Clock      // the clock with the event (due dates)
}

// compose renders a letter of a case from the current template.
func (s *Service) compose(ctx context.Context, q db.Querier, c Case, in letterInput) (Letter, error) {
	k, _, err := s.Template(ctx, in.kind)
	if err != nil {
		return Letter{}, err
	}
	o, err := s.Orgs.GetOrg(ctx, c.OrgID)
	if err != nil {
		return Letter{}, err
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM apply_letters WHERE case_id = $1", c.ID).Scan(&n); err != nil {
		return Letter{}, err
	}
	desc := c.Description
	if c.DocHint != "" {
		desc += "（文号：" + c.DocHint + "）"
	}
	v := map[string]string{
		"申请人": c.ApplicantName, "查询号": c.TrackingNo, "申请内容": strings.TrimRight(desc, "。"),
		"提交日期": ChineseDate(c.SubmittedOn), "收到日期": ChineseDate(c.ReceivedOn), "出具日期": ChineseDate(in.issued.String()),
		"文书编号": fmt.Sprintf("%s-%02d", c.TrackingNo, n+1), "机关名称": o.Name, "机关地址": o.Address, "机关电话": o.Phone,
		"答复类型": GroupLabels[in.outcome.Group], "法律依据": c.ReplyBasis, "理由": c.ReplyReason, "获取方式": c.ReplyObtain,
	}
	if strings.HasPrefix(in.kind, "reply_") {
		r, _, err := s.Template(ctx, LetterRemedy)
		if err != nil {
			return Letter{}, err
		}
		v["救济途径"] = r.Body
	}
	if e := in.event; e != nil {
		switch e.Kind {
		case EvCorrectionNotice:
			v["补正事项"], v["补正期限"] = e.Note, ChineseDate(e.Until.String())
		case EvExtension:
			v["延期理由"], v["延长天数"] = strings.TrimRight(e.Note, "。"), strconv.Itoa(e.Days)
			if in.clock.Due != (workday.Date{}) {
				v["答复期限"] = ChineseDate(in.clock.Due.String())
			}
		case EvFeeNotice:
			f := e.Fee()
			v["收费方式"], v["收费金额"] = f.Method.Label(), FormatYuan(f.Amount)
			v["收费明细"] = strings.ReplaceAll(e.Note, "\n", "；")
			if in.clock.PaymentDue != (workday.Date{}) {
				v["缴费期限"] = ChineseDate(in.clock.PaymentDue.String())
			}
		case EvConsultSent:
			v["征求对象"], v["征求事项"] = e.Ref, e.Note
		}
	}
	body, err := render(k.Body, v)
	if err != nil {
		return Letter{}, err
	}
	title, err := render(k.Title, v)
	if err != nil {
		return Letter{}, err
	}
	l := Letter{CaseID: c.ID, No: n + 1, Kind: in.kind, Title: title, Ref: v["文书编号"], Body: body,
		IssuedOn: in.issued.String(), ToApplicant: k.ToApplicant}
	l.SHA256 = letterHash(l.Title, l.Body)
	return l, nil
}

// issue stores a composed letter and names it in the evidence chain.
func (s *Service) issue(ctx context.Context, tx *sql.Tx, c Case, l *Letter, actor audit.Actor, now time.Time) error {
	// Numbered inside the transaction: letters issued at once get distinct
	// numbers (the key refuses a duplicate).
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM apply_letters WHERE case_id = $1", c.ID).Scan(&n); err != nil {
		return err
	}
	l.No, l.Ref = n+1, fmt.Sprintf("%s-%02d", c.TrackingNo, n+1)
	l.ActorName, l.At = actor.Name, now
	toApplicant := 0
	if l.ToApplicant {
		toApplicant = 1
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO apply_letters (case_id, no, kind, title, ref, body, sha256, issued_on, to_applicant,
		actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, c.ID, l.No, l.Kind, l.Title, l.Ref,
		l.Body, l.SHA256, l.IssuedOn, toApplicant, actor.ID, actor.Name, db.Time(now)); err != nil {
		return err
	}
	_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: c.OrgID, Action: "apply.letter", ObjectType: "apply",
		ObjectID: c.ID, Summary: "出具" + l.Title + " " + l.Ref, After: map[string]any{"no": l.No, "kind": l.Kind, "sha256": l.SHA256}})
	return err
}

// Letters lists a case's issued letters, oldest first; applicantOnly keeps
// those addressed to the applicant (the tracking page).
func (s *Service) Letters(ctx context.Context, caseID string, applicantOnly bool) ([]Letter, error) {
	q := `SELECT case_id, no, kind, title, ref, body, sha256, issued_on, to_applicant, actor_name, at FROM apply_letters
		WHERE case_id = $1`
	if applicantOnly {
		q += " AND to_applicant = 1"
	}
	rows, err := s.DB.R.QueryContext(ctx, q+" ORDER BY no", caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Letter
	for rows.Next() {
		var l Letter
		var to int
		var at string
		if err := rows.Scan(&l.CaseID, &l.No, &l.Kind, &l.Title, &l.Ref, &l.Body, &l.SHA256, &l.IssuedOn, &to, &l.ActorName, &at); err != nil {
			return nil, err
		}
		l.ToApplicant, l.At = to == 1, db.MustTime(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// CaseLetter returns one letter of a case for staff who may view the case.
func (s *Service) CaseLetter(ctx context.Context, p *org.Principal, caseID string, no int) (Case, Letter, error) {
	c, err := s.Get(ctx, p, caseID)
	if err != nil {
		return Case{}, Letter{}, err
	}
	ls, err := s.Letters(ctx, caseID, false)
	if err != nil {
		return Case{}, Letter{}, err
	}
	for _, l := range ls {
		if l.No == no {
			return c, l, nil
		}
	}
	return Case{}, Letter{}, apperr.NotFoundf("文书不存在")
}

// TrackedLetter returns a letter addressed to the applicant, for whoever
// holds the tracking number; anything else is the same NotFound.
func (s *Service) TrackedLetter(ctx context.Context, trackingNo string, no int) (Letter, error) {
	id, err := s.caseByTracking(ctx, trackingNo)
	if err != nil {
		return Letter{}, err
	}
	ls, err := s.Letters(ctx, id, true)
	if err != nil {
		return Letter{}, err
	}
	for _, l := range ls {
		if l.No == no {
			return l, nil
		}
	}
	return Letter{}, apperr.NotFoundf("文书不存在")
}

// ReissueLetter issues a corrected text of an earlier letter as a new
// letter (the earlier one stays in the record). Staff edit the composed
// text; the title and body are checked for size, and the body keeps the
// line conventions.
func (s *Service) ReissueLetter(ctx context.Context, p *org.Principal, ip, caseID string, no int, title, body string) (Letter, error) {
	title = strings.TrimSpace(title)
	body = strings.ReplaceAll(strings.TrimSpace(body), "\r\n", "\n")
	var fs apperr.Fields
	if title == "" || utf8.RuneCountInString(title) > 60 {
		fs.Add("title", "标题不能为空，最多 60 字")
	}
	if body == "" || utf8.RuneCountInString(body) > 20000 {
		fs.Add("body", "正文不能为空，最多 20000 字")
	}
	if strings.Contains(body, "{{") {
		fs.Add("body", "正文中还有未填写的“{{…}}”内容项")
	}
	if err := fs.Err(); err != nil {
		return Letter{}, err
	}
	_, old, err := s.CaseLetter(ctx, p, caseID, no)
	if err != nil {
		return Letter{}, err
	}
	var l Letter
	_, err = s.update(ctx, p, caseID, org.PermApplyHandle, func(tx *sql.Tx, c Case, now time.Time) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM apply_letters WHERE case_id = $1", c.ID).Scan(&n); err != nil {
			return err
		}
		l = Letter{CaseID: c.ID, No: n + 1, Kind: old.Kind, Title: title, Ref: fmt.Sprintf("%s-%02d", c.TrackingNo, n+1),
			Body: body, IssuedOn: workday.DateOf(now).String(), ToApplicant: old.ToApplicant}
		l.SHA256 = letterHash(l.Title, l.Body)
		return s.issue(ctx, tx, c, &l, p.Actor(ip), now)
	})
	return l, err
}
