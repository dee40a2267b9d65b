package apply

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/workday"
)

// eventNames accepts the identifiers and the words staff use.
var eventNames = map[string]string{
	EvReceived: EvReceived, "收到申请": EvReceived,
	EvCorrectionNotice: EvCorrectionNotice, "补正告知": EvCorrectionNotice,
	EvCorrectionReceived: EvCorrectionReceived, "收到补正": EvCorrectionReceived,
	EvConsultSent: EvConsultSent, "征求意见": EvConsultSent,
	EvConsultAnswered: EvConsultAnswered, "收到意见": EvConsultAnswered,
	EvExtension: EvExtension, "延期": EvExtension,
	EvFeeNotice: EvFeeNotice, "收费通知": EvFeeNotice,
	EvFeePaid: EvFeePaid, "缴费": EvFeePaid,
	EvReplied: EvReplied, "答复": EvReplied,
}

// ParseClockEvents reads one event per line — `DATE KIND [key=value …]`,
// keys until= (correction deadline), days= (extension), party=
// third_party|agency and ref= (consultations); `#` starts a comment:
//
//	2026-03-04 补正告知 until=2026-03-18
//	2026-03-10 收到补正
//	2026-03-12 征求意见 party=third_party ref=A
//	2026-03-20 收到意见 ref=A
//	2026-03-23 延期 days=10
//
// Errors name the line.
func ParseClockEvents(r io.Reader) ([]ClockEvent, error) {
	var out []ClockEvent
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		bad := func(format string, a ...any) error {
			return apperr.Field("events", fmt.Sprintf("第%d行：", n)+fmt.Sprintf(format, a...))
		}
		if len(f) < 2 {
			return nil, bad("应为“日期 事件 [参数]”")
		}
		on, err := workday.ParseDate(f[0])
		if err != nil {
			return nil, bad("%v", err)
		}
		kind, ok := eventNames[f[1]]
		if !ok {
			return nil, bad("未知事件 %q", f[1])
		}
		e := ClockEvent{Kind: kind, On: on}
		for _, kv := range f[2:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, bad("参数 %q 应为 key=value", kv)
			}
			switch k {
			case "until":
				if e.Until, err = workday.ParseDate(v); err != nil {
					return nil, bad("until：%v", err)
				}
			case "days":
				if e.Days, err = strconv.Atoi(v); err != nil {
					return nil, bad("days 应为整数：%q", v)
				}
			case "party":
				e.Party = v
			case "ref":
				e.Ref = v
			default:
				return nil, bad("未知参数 %q", k)
			}
		}
		if kind == EvConsultSent && e.Party == "" {
			e.Party = PartyThird
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
