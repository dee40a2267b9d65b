package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/workday"
)

// runApply: apply deadline — the statutory clock of an application, computed
// from its events exactly as a case page computes it.
func runApply(env *Env, args []string) error {
	if len(args) > 0 && args[0] == "remind" {
		return runApplyRemind(env, args[1:])
	}
	if len(args) > 0 && args[0] == "export" {
		return runApplyExport(env, args[1:])
	}
	if len(args) == 0 || args[0] != "deadline" {
		return usageError{"缺少子命令：deadline、export 或 remind"}
	}
	f := newFlags("apply deadline", true)
	received := f.String("received", "", "收到申请之日 YYYY-MM-DD（第三十一条）")
	events := f.String("events", "", "事件文件：每行“日期 事件 [参数]”")
	todayFlag := f.String("today", "", "按哪一天计算（默认今天）")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if err := f.noArgs(); err != nil {
		return err
	}
	if *received == "" {
		return usageError{"需要 --received YYYY-MM-DD（收到申请之日）"}
	}
	rd, err := workday.ParseDate(*received)
	if err != nil {
		return usageError{"--received：" + err.Error()}
	}
	today := workday.DateOf(time.Now())
	if *todayFlag != "" {
		if today, err = workday.ParseDate(*todayFlag); err != nil {
			return usageError{"--today：" + err.Error()}
		}
	}
	evs := []apply.ClockEvent{{Kind: apply.EvReceived, On: rd}}
	if *events != "" {
		fh, err := os.Open(*events)
		if err != nil {
			return usageError{fmt.Sprintf("--events：%v", err)}
		}
		more, err := apply.ParseClockEvents(fh)
		fh.Close()
		if err != nil {
			return usageError{fmt.Sprintf("%s：%s", *events, fieldMessage(err))}
		}
		evs = append(evs, more...)
	}
	cal, err := f.calendar(context.Background())
	if err != nil {
		return err
	}
	c, err := apply.Compute(cal, apply.DefaultRules(), evs, today)
	if err != nil {
		return usageError{fieldMessage(err)}
	}
	w := env.Stdout
	fmt.Fprintf(w, "状态：%s\n", apply.ClockStateLabels[c.State])
	if c.Due != (workday.Date{}) {
		fmt.Fprintf(w, "答复期限：%s（%s）\n", c.Due, c.Due.Chinese())
	}
	switch {
	case c.State == apply.ClockPaused:
		fmt.Fprintf(w, "暂停中：已计 %d 个工作日，恢复计算后尚余 %d 个工作日\n", c.Used, c.Remaining)
	case c.Overdue && c.State == apply.ClockRunning:
		fmt.Fprintf(w, "已超期 %d 个工作日\n", -c.Remaining)
	case c.State == apply.ClockRunning:
		fmt.Fprintf(w, "已计 %d 个工作日，尚余 %d 个工作日\n", c.Used, c.Remaining)
	}
	if c.CorrectionDeadline == (workday.Date{}) && c.State == apply.ClockRunning && !today.After(c.CorrectionNoticeDue) {
		fmt.Fprintf(w, "补正告知期限：%s\n", c.CorrectionNoticeDue)
	}
	if c.PaymentDue != (workday.Date{}) {
		fmt.Fprintf(w, "缴费期限：%s\n", c.PaymentDue)
	}
	fmt.Fprintln(w, "\n计算过程：")
	fmt.Fprintln(w, "  "+strings.Join(c.Steps, "\n  "))
	return nil
}

// fieldMessage is an input error's own message, without the generic prefix.
func fieldMessage(err error) string {
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return ae.Fields[0].Message
	}
	return err.Error()
}
