// Package apply is 依申请公开: applications for government information,
// their statutory clocks, fees, replies and letters.
//
// This file is the clock: every date of a case is a pure function of the
// case's events, the working-day calendar and "today", never stored, so a
// newly entered holiday table recomputes every open case (DESIGN.md,
// "Deadlines are derived, not stored").
//
// # Conventions (条例第三十条—第三十四条)
//
//   - Counting never includes the start day: "receipt + 20 working days" is
//     the 20th working day after the receipt day (workday.AddWorkdays).
//   - A correction notice (补正告知) is due within 7 working days of receipt.
//     While the applicant corrects, no reply is due; when the correction
//     arrives the 20 days start again from that day (第三十条: 重新起算, not
//     a pause). A correction not received by the applicant's deadline means
//     the application is deemed abandoned (年报表三（六）1).
//   - Consultation of a third party (第三十二条) or another agency (第三十四
//     条) pauses the clock. Pause boundary: the working day the letter is
//     sent still counts; counting resumes the day after the answer arrives
//     (days d with sent < d <= answered are not counted). Without an answer
//     the pause ends on the party's deadline, 15 working days after sending
//     (their silence: the agency decides, or another agency is deemed to
//     consent). Overlapping consultations pause once.
//   - An extension (延期) of at most 20 working days in total needs the
//     disclosure office head's approval and must be decided before the
//     reply is due.
//   - A fee notice gives the applicant 20 working days from the day after
//     receiving it to pay; unpaid by then, the application is deemed
//     abandoned (年报表三（六）2). Whether the payment period is outside
//     the reply clock is not verified in the source text (rules.md §2), so
//     it is the configurable Rules.FeePausesClock (default: paused, as the
//     local rules that address it do).
package apply

import (
	"errors"
	"fmt"
	"slices"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/workday"
)

// Clock event kinds.
const (
	EvReceived           = "received"            // 收到申请 (date per 第三十一条)
	EvCorrectionNotice   = "correction_notice"   // 发出补正告知; Until = applicant's deadline
	EvCorrectionReceived = "correction_received" // 收到补正
	EvConsultSent        = "consult_sent"        // 发出征求意见书; Party, Ref
	EvConsultAnswered    = "consult_answered"    // 收到意见; Ref
	EvExtension          = "extension"           // 延期; Days
	EvFeeNotice          = "fee_notice"          // 申请人收到收费通知
	EvFeePaid            = "fee_paid"            // 缴费
	EvReplied            = "replied"             // 作出答复
)

// Consulted parties.
const (
	PartyThird  = "third_party" // 第三方 (第三十二条)
	PartyAgency = "agency"      // 其他机关 (第三十四条)
)

// ClockEvent is one dated fact that moves the clock.
type ClockEvent struct {
	Kind  string
	On    workday.Date
	Days  int          // extension: working days added
	Until workday.Date // correction notice: the applicant's deadline
	Party string       // consultation: PartyThird or PartyAgency
	Ref   string       // consultation: pairs an answer with its letter
}

// Rules are the statutory day counts; configurable because a locality or a
// special law may differ, but the defaults are the 条例's.
type Rules struct {
	ReplyDays            int  // 第三十三条: 20
	CorrectionNoticeDays int  // 第三十条: 7
	ConsultDays          int  // 第三十二条、第三十四条: 15
	MaxExtensionDays     int  // 第三十三条: 20
	PaymentDays          int  // 国办函〔2020〕109号: 20
	FeePausesClock       bool // see the package comment
}

// DefaultRules are the 条例's numbers.
func DefaultRules() Rules {
	return Rules{ReplyDays: 20, CorrectionNoticeDays: 7, ConsultDays: 15, MaxExtensionDays: 20, PaymentDays: 20,
		FeePausesClock: true}
}

// Clock states.
const (
	ClockRunning            = "running"
	ClockPaused             = "paused"
	ClockAwaitingCorrection = "awaiting_correction"
	ClockReplied            = "replied"
	ClockCorrectionLapsed   = "correction_lapsed" // 视为放弃：逾期不补正
	ClockFeeLapsed          = "fee_lapsed"        // 视为放弃：逾期未缴费
)

// ClockStateLabels are the states in Chinese.
var ClockStateLabels = map[string]string{
	ClockRunning: "办理中", ClockPaused: "暂停计算（征求意见/缴费）", ClockAwaitingCorrection: "等待补正",
	ClockReplied: "已答复", ClockCorrectionLapsed: "逾期未补正，视为放弃", ClockFeeLapsed: "逾期未缴费，视为放弃",
}

// Pause is one interval outside the reply clock: days d with From < d <= To.
type Pause struct {
	From, To workday.Date
	Reason   string
	Open     bool // still paused today; To is today
	Days     int  // working days not counted
}

// Clock is a case's computed deadlines.
type Clock struct {
	State    string
	Received workday.Date
	Start    workday.Date // the day the current reply period counts from
	Limit    int          // reply working days including extensions
	Used     int          // working days counted by today (or by the reply)
	// Due is the reply deadline; zero while awaiting correction or paused
	// (then Remaining says what is left when counting resumes).
	Due       workday.Date
	Remaining int // working days left after today (negative: overdue by)
	Overdue   bool
	RepliedOn workday.Date
	Late      bool // replied after Due

	CorrectionNoticeDue  workday.Date // receipt + 7 working days
	CorrectionNoticeLate bool
	CorrectionDeadline   workday.Date // the applicant's deadline, when a notice was sent
	PaymentDue           workday.Date // when a fee notice was received
	Pauses               []Pause
	Steps                []string // how each date came about, in Chinese, in order
}

// Compute derives the clock from events (any order; sorted by date, stable)
// as of today. Errors name the offending event; a date in a year without
// calendar data is workday.ErrNoCalendar.
func Compute(cal *workday.Calendar, rules Rules, events []ClockEvent, today workday.Date) (Clock, error) {
	c := clockRun{cal: cal, r: rules}
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b ClockEvent) int {
		switch {
		case a.On.Before(b.On):
			return -1
		case a.On.After(b.On):
			return 1
		}
		return 0
	})
	if len(evs) == 0 || evs[0].Kind != EvReceived {
		return Clock{}, apperr.Field("events", "第一个事件应为收到申请（received）")
	}
	for i, e := range evs {
		if err := c.advance(e.On); err != nil {
			return Clock{}, err
		}
		if err := c.apply(i, e); err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) || errors.Is(err, workday.ErrNoCalendar) {
				return Clock{}, err
			}
			return Clock{}, apperr.Field("events", fmt.Sprintf("第%d个事件（%s %s）：%v", i+1, e.On, e.Kind, err))
		}
	}
	if err := c.finish(today); err != nil {
		return Clock{}, err
	}
	return c.out, nil
}

type openConsult struct {
	ref, party string
	sent, due  workday.Date
}

type clockRun struct {
	cal *workday.Calendar
	r   Rules
	out Clock

	segStart workday.Date // counting runs over days after segStart
	used     int          // working days counted before segStart
	ext      int          // extension days granted
	due      workday.Date // set once the limit was reached inside a segment that then paused
	consults []openConsult
	feeOpen  bool
	pauseAt  workday.Date // when the current pause began
	pauseWhy string
	paidBy   bool
}

func (c *clockRun) stepf(d workday.Date, format string, a ...any) {
	c.out.Steps = append(c.out.Steps, d.String()+" "+fmt.Sprintf(format, a...))
}

func (c *clockRun) paused() bool { return len(c.consults) > 0 || c.feeOpen }

// closed reports whether the case accepts no further clock events.
func (c *clockRun) closed() bool {
	switch c.out.State {
	case ClockReplied, ClockCorrectionLapsed, ClockFeeLapsed:
		return true
	}
	return false
}

// dueNow is the reply deadline if counting continues from segStart.
func (c *clockRun) dueNow() (workday.Date, error) {
	if !c.due.Equal(workday.Date{}) {
		return c.due, nil
	}
	left := c.out.Limit - c.used
	if left <= 0 {
		return c.segStart, nil
	}
	return c.cal.AddWorkdays(c.segStart, left)
}

// advance applies what happens by itself before date d: consultations whose
// party stayed silent end on their deadline; an unpaid fee or a missing
// correction lapses.
func (c *clockRun) advance(d workday.Date) error {
	for {
		if c.closed() {
			return nil
		}
		// The earliest consultation deadline before d.
		k := -1
		for i, oc := range c.consults {
			if oc.due.Before(d) && (k < 0 || oc.due.Before(c.consults[k].due)) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		oc := c.consults[k]
		who := map[string]string{PartyThird: "第三方逾期未提出意见，由本机关依法决定是否公开（第三十二条）",
			PartyAgency: "被征求意见机关逾期未提出意见，视为同意公开（第三十四条）"}[oc.party]
		if err := c.endConsult(k, oc.due, who); err != nil {
			return err
		}
	}
	if c.out.State == ClockAwaitingCorrection && c.out.CorrectionDeadline.Before(d) {
		c.out.State = ClockCorrectionLapsed
		c.stepf(c.out.CorrectionDeadline, "补正期限届满未收到补正：视为放弃申请，不再处理（第三十条；年报表三（六）1）")
	}
	if c.feeOpen && c.out.PaymentDue.Before(d) {
		c.out.State = ClockFeeLapsed
		c.stepf(c.out.PaymentDue, "缴费期限届满未缴费：视为放弃申请，不再处理（年报表三（六）2）")
	}
	return nil
}

func (c *clockRun) beginPause(d workday.Date, why string) error {
	if c.paused() {
		return nil // already paused: overlapping reasons pause once
	}
	n, err := c.cal.WorkdaysBetween(c.segStart, d)
	if err != nil {
		return err
	}
	if c.due.Equal(workday.Date{}) && c.used+n >= c.out.Limit {
		if c.due, err = c.dueNow(); err != nil {
			return err
		}
	}
	c.used += n
	c.pauseAt, c.pauseWhy = d, why
	c.out.State = ClockPaused
	return nil
}

func (c *clockRun) endPause(d workday.Date) error {
	if c.paused() {
		return nil
	}
	n, err := c.cal.WorkdaysBetween(c.pauseAt, d)
	if err != nil {
		return err
	}
	c.out.Pauses = append(c.out.Pauses, Pause{From: c.pauseAt, To: d, Reason: c.pauseWhy, Days: n})
	c.segStart = d
	c.out.State = ClockRunning
	left := c.out.Limit - c.used
	c.stepf(d, "暂停结束（%s 至 %s 共 %d 个工作日不计入），次日起继续计算，已计 %d 个工作日，尚余 %d 个工作日",
		c.pauseAt.AddDays(1), d, n, c.used, max(left, 0))
	return nil
}

func (c *clockRun) endConsult(k int, d workday.Date, what string) error {
	c.consults = slices.Delete(c.consults, k, k+1)
	c.stepf(d, "%s", what)
	return c.endPause(d)
}

func (c *clockRun) apply(i int, e ClockEvent) error {
	if i > 0 && e.Kind == EvReceived {
		return errors.New("重复的收到申请事件")
	}
	if c.closed() {
		return fmt.Errorf("申请已%s，不能再有后续事件", ClockStateLabels[c.out.State])
	}
	if c.out.State == ClockAwaitingCorrection && e.Kind != EvCorrectionReceived && e.Kind != EvReplied {
		return errors.New("等待补正期间只能登记收到补正或作出答复")
	}
	switch e.Kind {
	case EvReceived:
		c.out.Received, c.out.Start, c.segStart = e.On, e.On, e.On
		c.out.Limit = c.r.ReplyDays
		c.out.State = ClockRunning
		var err error
		if c.out.CorrectionNoticeDue, err = c.cal.AddWorkdays(e.On, c.r.CorrectionNoticeDays); err != nil {
			return err
		}
		due, err := c.dueNow()
		if err != nil {
			return err
		}
		c.stepf(e.On, "收到申请（收到之日不计入）：答复期限 %d 个工作日，至 %s（第三十三条）；如需补正，应于 %s 前一次性告知（第三十条）",
			c.r.ReplyDays, due, c.out.CorrectionNoticeDue)

	case EvCorrectionNotice:
		if !c.out.CorrectionDeadline.Equal(workday.Date{}) {
			return errors.New("补正应一次性告知，本申请已发出过补正告知")
		}
		if e.Until.Equal(workday.Date{}) || !e.Until.After(e.On) {
			return errors.New("补正告知须写明晚于告知日的补正期限")
		}
		if c.paused() {
			return errors.New("征求意见或缴费期间不能发出补正告知")
		}
		c.out.CorrectionDeadline = e.Until
		c.out.CorrectionNoticeLate = e.On.After(c.out.CorrectionNoticeDue)
		c.out.State = ClockAwaitingCorrection
		late := ""
		if c.out.CorrectionNoticeLate {
			late = fmt.Sprintf("（已超过 %s 的告知期限）", c.out.CorrectionNoticeDue)
		}
		c.stepf(e.On, "发出补正告知%s，补正期限至 %s；答复期限自收到补正之日起重新计算（第三十条）", late, e.Until)

	case EvCorrectionReceived:
		if c.out.State != ClockAwaitingCorrection {
			return errors.New("没有待补正的告知")
		}
		c.out.Start, c.segStart, c.used, c.due, c.ext = e.On, e.On, 0, workday.Date{}, 0
		c.out.Limit = c.r.ReplyDays
		c.out.State = ClockRunning
		due, err := c.dueNow()
		if err != nil {
			return err
		}
		c.stepf(e.On, "收到补正：答复期限自本日起重新计算 %d 个工作日，至 %s", c.r.ReplyDays, due)

	case EvConsultSent:
		if e.Party != PartyThird && e.Party != PartyAgency {
			return fmt.Errorf("征求意见对象应为 %s（第三方）或 %s（其他机关）", PartyThird, PartyAgency)
		}
		for _, oc := range c.consults {
			if oc.ref == e.Ref {
				return fmt.Errorf("征求意见 %q 已发出且未收到答复", e.Ref)
			}
		}
		due, err := c.cal.AddWorkdays(e.On, c.r.ConsultDays)
		if err != nil {
			return err
		}
		if err := c.beginPause(e.On, "征求意见"); err != nil {
			return err
		}
		c.consults = append(c.consults, openConsult{ref: e.Ref, party: e.Party, sent: e.On, due: due})
		who := map[string]string{PartyThird: "第三方（第三十二条）", PartyAgency: "其他机关（第三十四条）"}[e.Party]
		c.stepf(e.On, "向%s发出征求意见书，意见期限 %d 个工作日至 %s；本日计入，次日起征求意见时间不计入答复期限（第三十三条第三款），此前已计 %d 个工作日",
			who, c.r.ConsultDays, due, c.used)

	case EvConsultAnswered:
		k := slices.IndexFunc(c.consults, func(oc openConsult) bool { return oc.ref == e.Ref })
		if k < 0 {
			return fmt.Errorf("没有待答复的征求意见 %q", e.Ref)
		}
		return c.endConsult(k, e.On, "收到征求意见的回复")

	case EvExtension:
		if c.paused() {
			return errors.New("暂停计算期间不能延期")
		}
		if e.Days < 1 || c.ext+e.Days > c.r.MaxExtensionDays {
			return fmt.Errorf("延期天数应为 1—%d 个工作日（已延期 %d 个工作日，合计不得超过 %d 个工作日）",
				c.r.MaxExtensionDays-c.ext, c.ext, c.r.MaxExtensionDays)
		}
		due, err := c.dueNow()
		if err != nil {
			return err
		}
		if e.On.After(due) {
			return fmt.Errorf("延期须在答复期限 %s 届满前决定", due)
		}
		c.ext += e.Days
		c.out.Limit += e.Days
		nd, err := c.dueNow()
		if err != nil {
			return err
		}
		c.stepf(e.On, "经政府信息公开工作机构负责人同意延期 %d 个工作日并告知申请人（第三十三条第二款）：答复期限共 %d 个工作日，至 %s",
			e.Days, c.out.Limit, nd)

	case EvFeeNotice:
		if !c.out.PaymentDue.Equal(workday.Date{}) {
			return errors.New("本申请已发出过收费通知")
		}
		due, err := c.cal.AddWorkdays(e.On, c.r.PaymentDays)
		if err != nil {
			return err
		}
		c.out.PaymentDue = due
		if c.r.FeePausesClock {
			if err := c.beginPause(e.On, "缴费"); err != nil {
				return err
			}
		}
		c.feeOpen = true
		c.stepf(e.On, "申请人收到收费通知：应自次日起 %d 个工作日内、即 %s 前缴费，逾期视为放弃申请%s",
			c.r.PaymentDays, due, map[bool]string{true: "；缴费期间不计入答复期限", false: ""}[c.r.FeePausesClock])

	case EvFeePaid:
		if !c.feeOpen {
			return errors.New("没有待缴的收费通知")
		}
		c.feeOpen = false
		c.stepf(e.On, "申请人已缴费")
		if c.r.FeePausesClock {
			return c.endPause(e.On)
		}

	case EvReplied:
		if c.out.State == ClockAwaitingCorrection {
			// Replying without waiting (e.g. 补正后仍不明确 is decided after a
			// correction; a reply here closes the case).
			c.out.State = ClockReplied
			c.out.RepliedOn = e.On
			c.stepf(e.On, "作出答复")
			return nil
		}
		if c.paused() {
			return errors.New("征求意见或缴费期间应先登记其结果再答复")
		}
		due, err := c.dueNow()
		if err != nil {
			return err
		}
		n, err := c.cal.WorkdaysBetween(c.segStart, e.On)
		if err != nil {
			return err
		}
		c.used += n
		c.segStart = e.On
		c.out.State, c.out.RepliedOn, c.out.Due = ClockReplied, e.On, due
		c.out.Late = e.On.After(due)
		if c.out.Late {
			c.stepf(e.On, "作出答复：超过答复期限 %s", due)
		} else {
			c.stepf(e.On, "作出答复：在答复期限 %s 内", due)
		}
	default:
		return fmt.Errorf("未知事件类型 %q", e.Kind)
	}
	return nil
}

func (c *clockRun) finish(today workday.Date) error {
	if err := c.advance(today); err != nil { // a deadline that is today has not lapsed
		return err
	}
	o := &c.out
	switch o.State {
	case ClockReplied:
		o.Used = c.used
		return nil
	case ClockCorrectionLapsed, ClockFeeLapsed, ClockAwaitingCorrection:
		o.Used, o.Due = 0, workday.Date{}
		return nil
	case ClockPaused:
		n, err := c.cal.WorkdaysBetween(c.pauseAt, today)
		if err != nil {
			return err
		}
		o.Pauses = append(o.Pauses, Pause{From: c.pauseAt, To: today, Reason: c.pauseWhy, Open: true, Days: n})
		o.Used = c.used
		o.Remaining = o.Limit - c.used
		if !c.due.Equal(workday.Date{}) {
			o.Due = c.due
			o.Overdue = true
		}
		return nil
	}
	due, err := c.dueNow()
	if err != nil {
		return err
	}
	n, err := c.cal.WorkdaysBetween(c.segStart, today)
	if err != nil {
		return err
	}
	o.Due, o.Used = due, c.used+n
	if today.After(due) {
		late, err := c.cal.WorkdaysBetween(due, today)
		if err != nil {
			return err
		}
		o.Overdue, o.Remaining = true, -late
	} else {
		o.Remaining, err = c.cal.WorkdaysBetween(today, due)
		if err != nil {
			return err
		}
	}
	var paused int
	for _, p := range o.Pauses {
		paused += p.Days
	}
	c.stepf(today, "今日：答复期限 %s（自 %s 起计 %d 个工作日，暂停不计入 %d 个工作日），已计 %d 个工作日",
		due, o.Start, o.Limit, paused, o.Used)
	return nil
}
