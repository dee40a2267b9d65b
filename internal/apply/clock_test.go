package apply

import (
	"errors"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/workday"
)

func d(s string) workday.Date {
	t, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func ev(kind, on string) ClockEvent { return ClockEvent{Kind: kind, On: d(on)} }

// Every expected date below was counted by hand on the official 2025/2026
// tables (rules.md §9.2, §9.3): 2026 元旦 1–3 Jan off, 4 Jan (Sunday)
// worked; 春节 15–23 Feb off, 14 and 28 Feb (Saturdays) worked; 清明 6 Apr off.
func TestClockDeadlines(t *testing.T) {
	cal := workday.Builtin()
	rules := DefaultRules()
	cases := []struct {
		name      string
		events    []ClockEvent
		today     string
		state     string
		due       string // "" = none
		used      int
		remaining int
		overdue   bool
	}{
		{"across 元旦 with the 4 Jan make-up day", []ClockEvent{ev(EvReceived, "2025-12-24")}, "2025-12-24",
			ClockRunning, "2026-01-22", 0, 20, false},
		{"across 春节 with both make-up Saturdays", []ClockEvent{ev(EvReceived, "2026-02-05")}, "2026-02-24",
			ClockRunning, "2026-03-11", 8, 12, false},
		{"overdue by two working days", []ClockEvent{ev(EvReceived, "2025-12-24")}, "2026-01-26",
			ClockRunning, "2026-01-22", 22, -2, true},
		{"correction restarts the 20 days", []ClockEvent{ev(EvReceived, "2026-02-05"),
			{Kind: EvCorrectionNotice, On: d("2026-02-10"), Until: d("2026-03-06")}, ev(EvCorrectionReceived, "2026-03-02")},
			"2026-03-02", ClockRunning, "2026-03-30", 0, 20, false},
		{"awaiting correction: no reply due", []ClockEvent{ev(EvReceived, "2026-03-02"),
			{Kind: EvCorrectionNotice, On: d("2026-03-04"), Until: d("2026-03-18")}}, "2026-03-18",
			ClockAwaitingCorrection, "", 0, 0, false},
		{"correction deadline lapsed: deemed abandoned", []ClockEvent{ev(EvReceived, "2026-03-02"),
			{Kind: EvCorrectionNotice, On: d("2026-03-04"), Until: d("2026-03-18")}}, "2026-03-19",
			ClockCorrectionLapsed, "", 0, 0, false},
		{"third-party consultation pauses the clock", []ClockEvent{ev(EvReceived, "2025-12-24"),
			{Kind: EvConsultSent, On: d("2026-01-05"), Party: PartyThird, Ref: "A"},
			{Kind: EvConsultAnswered, On: d("2026-01-14"), Ref: "A"}}, "2026-01-14",
			ClockRunning, "2026-02-02", 7, 13, false},
		{"pause then extension ends on a make-up Saturday", []ClockEvent{ev(EvReceived, "2025-12-24"),
			{Kind: EvConsultSent, On: d("2026-01-05"), Party: PartyThird, Ref: "A"},
			{Kind: EvConsultAnswered, On: d("2026-01-14"), Ref: "A"},
			{Kind: EvExtension, On: d("2026-01-20"), Days: 10}}, "2026-01-20",
			ClockRunning, "2026-02-14", 11, 19, false},
		{"overlapping consultations pause once", []ClockEvent{ev(EvReceived, "2025-12-24"),
			{Kind: EvConsultSent, On: d("2026-01-05"), Party: PartyThird, Ref: "A"},
			{Kind: EvConsultSent, On: d("2026-01-07"), Party: PartyAgency, Ref: "B"},
			{Kind: EvConsultAnswered, On: d("2026-01-09"), Ref: "A"},
			{Kind: EvConsultAnswered, On: d("2026-01-14"), Ref: "B"}}, "2026-01-14",
			ClockRunning, "2026-02-02", 7, 13, false},
		{"silent agency: pause ends on its 15th working day", []ClockEvent{ev(EvReceived, "2026-03-02"),
			{Kind: EvConsultSent, On: d("2026-03-03"), Party: PartyAgency, Ref: "B"}}, "2026-04-01",
			ClockRunning, "2026-04-21", 7, 13, false},
		{"during consultation: paused, 19 left", []ClockEvent{ev(EvReceived, "2026-03-02"),
			{Kind: EvConsultSent, On: d("2026-03-03"), Party: PartyAgency, Ref: "B"}}, "2026-03-10",
			ClockPaused, "", 1, 19, false},
		{"fee period outside the clock", []ClockEvent{ev(EvReceived, "2026-03-02"), ev(EvFeeNotice, "2026-03-09"),
			ev(EvFeePaid, "2026-03-20")}, "2026-03-20", ClockRunning, "2026-04-13", 5, 15, false},
		{"fee unpaid after 20 working days: deemed abandoned", []ClockEvent{ev(EvReceived, "2026-03-02"),
			ev(EvFeeNotice, "2026-03-09")}, "2026-04-08", ClockFeeLapsed, "", 0, 0, false},
		{"fee unpaid on its last day: still paused", []ClockEvent{ev(EvReceived, "2026-03-02"),
			ev(EvFeeNotice, "2026-03-09")}, "2026-04-07", ClockPaused, "", 5, 15, false},
		{"replied in time", []ClockEvent{ev(EvReceived, "2025-12-24"), ev(EvReplied, "2026-01-22")}, "2026-03-01",
			ClockReplied, "2026-01-22", 20, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compute(cal, rules, tc.events, d(tc.today))
			if err != nil {
				t.Fatal(err)
			}
			due := ""
			if c.Due != (workday.Date{}) {
				due = c.Due.String()
			}
			if c.State != tc.state || due != tc.due || c.Used != tc.used || c.Remaining != tc.remaining || c.Overdue != tc.overdue {
				t.Errorf("got state %s due %q used %d remaining %d overdue %v; want %s %q %d %d %v\n%s",
					c.State, due, c.Used, c.Remaining, c.Overdue, tc.state, tc.due, tc.used, tc.remaining, tc.overdue,
					strings.Join(c.Steps, "\n"))
			}
		})
	}
}

func TestClockDetails(t *testing.T) {
	cal := workday.Builtin()
	c, err := Compute(cal, DefaultRules(), []ClockEvent{ev(EvReceived, "2025-12-24"),
		{Kind: EvCorrectionNotice, On: d("2026-01-06"), Until: d("2026-01-20")}}, d("2026-01-06"))
	if err != nil {
		t.Fatal(err)
	}
	// 7 working days after 24 Dec: 25, 26, 29, 30, 31 Dec, 4 (make-up), 5 Jan.
	if c.CorrectionNoticeDue != d("2026-01-05") || !c.CorrectionNoticeLate {
		t.Errorf("correction notice due %s late %v", c.CorrectionNoticeDue, c.CorrectionNoticeLate)
	}
	c, err = Compute(cal, DefaultRules(), []ClockEvent{ev(EvReceived, "2025-12-24"), ev(EvReplied, "2026-01-23")}, d("2026-01-23"))
	if err != nil || !c.Late {
		t.Errorf("reply one day after the due date not late: %v %+v", err, c)
	}
	// The payment deadline counts from the day after the notice is received.
	c, _ = Compute(cal, DefaultRules(), []ClockEvent{ev(EvReceived, "2026-03-02"), ev(EvFeeNotice, "2026-03-09")}, d("2026-03-09"))
	if c.PaymentDue != d("2026-04-07") {
		t.Errorf("payment due %s", c.PaymentDue)
	}
	// Without the fee pause (a locality's choice) the clock keeps running.
	r := DefaultRules()
	r.FeePausesClock = false
	c, _ = Compute(cal, r, []ClockEvent{ev(EvReceived, "2026-03-02"), ev(EvFeeNotice, "2026-03-09"), ev(EvFeePaid, "2026-03-20")}, d("2026-03-20"))
	if c.Due != d("2026-03-30") || len(c.Pauses) != 0 {
		t.Errorf("no fee pause: due %s pauses %v", c.Due, c.Pauses)
	}
	// The explanation names each pause and the final computation.
	c, _ = Compute(cal, DefaultRules(), []ClockEvent{ev(EvReceived, "2025-12-24"),
		{Kind: EvConsultSent, On: d("2026-01-05"), Party: PartyThird, Ref: "A"},
		{Kind: EvConsultAnswered, On: d("2026-01-14"), Ref: "A"}}, d("2026-01-15"))
	all := strings.Join(c.Steps, "\n")
	for _, want := range []string{"2025-12-24 收到申请", "第三方（第三十二条）", "2026-01-06 至 2026-01-14 共 7 个工作日不计入",
		"答复期限 2026-02-02"} {
		if !strings.Contains(all, want) {
			t.Errorf("explanation lacks %q:\n%s", want, all)
		}
	}
	if len(c.Pauses) != 1 || c.Pauses[0].Days != 7 {
		t.Errorf("pauses %+v", c.Pauses)
	}
}

// A newly entered holiday table changes the due date of an open case: the
// clock is computed, not stored.
func TestClockFollowsTheCalendar(t *testing.T) {
	evs := []ClockEvent{ev(EvReceived, "2026-03-02")}
	before, err := Compute(workday.Builtin(), DefaultRules(), evs, d("2026-03-02"))
	if err != nil {
		t.Fatal(err)
	}
	var y2026 workday.Year
	for _, y := range workday.Builtin().Years() {
		if y.Year == 2026 {
			y2026 = y
		}
	}
	y2026.Holidays = append(y2026.Holidays, d("2026-03-10")) // a (fictional) correction adds a day off
	cal, err := workday.New(y2026)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Compute(cal, DefaultRules(), evs, d("2026-03-02"))
	if err != nil {
		t.Fatal(err)
	}
	if before.Due != d("2026-03-30") || after.Due != d("2026-03-31") {
		t.Errorf("due before %s after %s", before.Due, after.Due)
	}
}

func TestClockRefusesImpossibleSequences(t *testing.T) {
	cal := workday.Builtin()
	rec := ev(EvReceived, "2026-03-02")
	cases := []struct {
		name   string
		events []ClockEvent
		want   string
	}{
		{"no receipt", []ClockEvent{ev(EvReplied, "2026-03-05")}, "第一个事件应为收到申请"},
		{"answer without letter", []ClockEvent{rec, {Kind: EvConsultAnswered, On: d("2026-03-05"), Ref: "X"}}, "没有待答复的征求意见"},
		{"correction without notice", []ClockEvent{rec, ev(EvCorrectionReceived, "2026-03-05")}, "没有待补正的告知"},
		{"second correction notice", []ClockEvent{rec, {Kind: EvCorrectionNotice, On: d("2026-03-03"), Until: d("2026-03-10")},
			ev(EvCorrectionReceived, "2026-03-05"), {Kind: EvCorrectionNotice, On: d("2026-03-06"), Until: d("2026-03-20")}}, "一次性告知"},
		{"correction notice without deadline", []ClockEvent{rec, ev(EvCorrectionNotice, "2026-03-03")}, "补正期限"},
		{"extension over 20 days", []ClockEvent{rec, {Kind: EvExtension, On: d("2026-03-10"), Days: 15},
			{Kind: EvExtension, On: d("2026-03-11"), Days: 6}}, "合计不得超过 20"},
		{"extension after the due date", []ClockEvent{rec, {Kind: EvExtension, On: d("2026-03-31"), Days: 5}}, "届满前决定"},
		{"event after the reply", []ClockEvent{rec, ev(EvReplied, "2026-03-05"), {Kind: EvExtension, On: d("2026-03-06"), Days: 5}}, "已答复"},
		{"reply while paused", []ClockEvent{rec, {Kind: EvConsultSent, On: d("2026-03-03"), Party: PartyThird, Ref: "A"},
			ev(EvReplied, "2026-03-05")}, "先登记其结果"},
		{"unknown party", []ClockEvent{rec, {Kind: EvConsultSent, On: d("2026-03-03"), Party: "friend", Ref: "A"}}, "征求意见对象"},
		{"unknown kind", []ClockEvent{rec, ev("phoned", "2026-03-03")}, "未知事件类型"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compute(cal, DefaultRules(), tc.events, d("2026-03-20"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// A year without calendar data is named, never guessed.
	_, err := Compute(cal, DefaultRules(), []ClockEvent{ev(EvReceived, "2027-12-20")}, d("2027-12-20"))
	if !errors.Is(err, workday.ErrNoCalendar) {
		t.Errorf("2027: %v", err)
	}
}
