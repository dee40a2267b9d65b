package app

import (
	"context"
	"fmt"

	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/mail"
)

// openMailer builds the reminder mail sender from Config.SMTP.
func openMailer(cfg Config) (apply.Mailer, error) {
	if cfg.SMTP == "" {
		return nil, nil
	}
	s, err := mail.New(cfg.SMTP)
	if err != nil {
		return nil, fmt.Errorf("发件服务器配置有误（--smtp / GONGKAI_SMTP）：%w", err)
	}
	return s, nil
}

// remind runs the daily reminder digests while the server runs. Every
// replica may run it: the claims in apply_reminders_sent send each digest
// once per recipient and day.
func (a *App) remind(ctx context.Context) {
	if a.Mailer == nil {
		a.Cfg.Logger.Info("未配置发件服务器（--smtp 或 GONGKAI_SMTP）：依申请公开提醒只在后台显示，不发送邮件")
		return
	}
	if s, ok := a.Mailer.(*mail.Sender); ok {
		a.Cfg.Logger.Info("依申请公开提醒邮件：工作日 08:30 起发送", "smtp", s.Config.String())
	}
	job := &apply.ReminderJob{Apply: a.Apply, Mailer: a.Mailer, Logger: a.Cfg.Logger,
		BaseURL: func(ctx context.Context) string {
			st, err := a.Site.Get(ctx)
			if err != nil {
				return ""
			}
			return st.BaseURL
		}}
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		job.Run(ctx)
	}()
}
