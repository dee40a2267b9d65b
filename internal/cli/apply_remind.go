package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"gongkai.dev/gongkai/internal/mail"
	"gongkai.dev/gongkai/internal/workday"
)

// smtpURL is the --smtp flag, or GONGKAI_SMTP when the flag is not given.
func smtpURL(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return strings.TrimSpace(os.Getenv("GONGKAI_SMTP"))
}

// runApplyRemind: apply remind — the day's reminder digests of open
// 依申请公开 cases, printed (dry run) or, with --send, e-mailed once per
// recipient and day (the serving processes skip what this sent).
func runApplyRemind(env *Env, args []string) error {
	f := newFlags("apply remind", true)
	todayFlag := f.String("today", "", "按哪一天提醒（默认今天）")
	send := f.Bool("send", false, "发送邮件（默认只显示将发送的内容）")
	smtpFlag := f.String("smtp", "", "发件服务器 smtp://用户:密码@主机:端口?from=发件地址&tls=starttls|tls|none（默认取环境变量 GONGKAI_SMTP）")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := f.noArgs(); err != nil {
		return err
	}
	var sender *mail.Sender
	if *send {
		u := smtpURL(*smtpFlag)
		if u == "" {
			return usageError{"--send 需要发件服务器：--smtp URL 或环境变量 GONGKAI_SMTP"}
		}
		var err error
		if sender, err = mail.New(u); err != nil {
			return usageError{"--smtp：" + err.Error()}
		}
	}
	ctx := context.Background()
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	today := a.Apply.Today()
	if *todayFlag != "" {
		if today, err = workday.ParseDate(*todayFlag); err != nil {
			return usageError{"--today：" + err.Error()}
		}
	}
	base := ""
	if st, err := a.Site.Get(ctx); err == nil {
		base = st.BaseURL
	}
	w := env.Stdout
	if !*send {
		ds, err := a.Apply.Digests(ctx, today, base)
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			fmt.Fprintf(w, "%s 没有需要提醒的依申请公开事项。\n", today.Chinese())
			return nil
		}
		withMail := 0
		for _, d := range ds {
			to := d.To
			if to == "" {
				to = "（无电子邮箱，仅在后台提醒）"
			} else {
				withMail++
			}
			fmt.Fprintf(w, "==== %s（%s）→ %s\n主题：%s\n\n%s\n", d.Name, d.Recipient, to, d.Subject, d.Body)
		}
		fmt.Fprintf(w, "共 %d 份提醒，其中 %d 份有电子邮箱。以上为预览；加 --send 发送邮件。\n", len(ds), withMail)
		return nil
	}
	res, err := a.Apply.SendDigests(ctx, today, base, sender)
	if err != nil {
		return err
	}
	for _, d := range res.Sent {
		fmt.Fprintf(w, "已发送：%s → %s（%s）\n", d.Name, d.To, d.Subject)
	}
	for _, d := range res.Skipped {
		fmt.Fprintf(w, "今日已发送过，跳过：%s → %s\n", d.Name, d.To)
	}
	for _, d := range res.NoAddress {
		fmt.Fprintf(w, "无电子邮箱，仅在后台提醒：%s\n", d.Name)
	}
	for _, e := range res.Errors {
		fmt.Fprintf(env.Stderr, "发送失败：%v\n", e)
	}
	fmt.Fprintf(w, "%s：发送 %d 份，跳过 %d 份，无邮箱 %d 份，失败 %d 份（发件服务器 %s）\n", today.Chinese(), len(res.Sent),
		len(res.Skipped), len(res.NoAddress), len(res.Failed), sender.Config)
	if len(res.Failed) > 0 {
		return silentExit{1}
	}
	return nil
}
