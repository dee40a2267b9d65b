package cli

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"gongkai.dev/gongkai/internal/app"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/org"
)

// smtpSink accepts any number of SMTP sessions on 127.0.0.1 and counts the
// messages delivered.
func smtpSink(t *testing.T) (addr string, count func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	n := 0
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r := bufio.NewReader(conn)
				say := func(s string) { io.WriteString(conn, s+"\r\n") }
				say("220 sink")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch strings.ToUpper(strings.Fields(line + " x")[0]) {
					case "DATA":
						say("354 go")
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
						}
						mu.Lock()
						n++
						mu.Unlock()
						say("250 ok")
					case "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() int { mu.Lock(); defer mu.Unlock(); return n }
}

func TestApplyRemindCommand(t *testing.T) {
	t.Setenv("GONGKAI_SMTP", "")
	flags := dbFlags(t)
	root := org.MakeUSCC("11999901000014349")
	if r := run(t, flags, "", "org", "add", "--kind", "district", "--name", "某区人民政府", "--code", root); r.code != 0 {
		t.Fatalf("add root: %+v", r)
	}
	if r := run(t, flags, "Ops@2026\n", "user", "add", "--username", "clerk", "--name", "办理员", "--org", root,
		"--roles", "handler", "--email", "clerk@", "--password-stdin"); r.code != 1 || !strings.Contains(r.stderr, "--email") {
		t.Fatalf("bad e-mail accepted: %+v", r)
	}
	if r := run(t, flags, "Ops@2026\n", "user", "add", "--username", "clerk", "--name", "办理员", "--org", root,
		"--roles", "handler", "--email", "clerk@example.gov.cn", "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	// A case received on 2 March 2026 (due 30 March) by the clerk.
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: valueOf(flags, "--data"), DBURL: valueOf(flags, "--db")})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := a.Orgs.GetUserByName(ctx, "clerk")
	grants, _ := a.Orgs.Grants(ctx, u.ID)
	c, err := a.Apply.Register(ctx, &org.Principal{User: u, Grants: grants}, "127.0.0.1", u.OrgID, apply.Application{
		ApplicantType: apply.ApplicantPerson, ApplicantName: "赵六", ContactPhone: "13500000000", Description: "某项目审批文件",
		Channel: apply.ChannelInPerson, SubmittedOn: "2026-03-02"})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}

	r := run(t, flags, "", "apply", "remind", "--today", "2026-04-02")
	if r.code != 0 || !strings.Contains(r.stdout, c.TrackingNo) || !strings.Contains(r.stdout, "已超期 3 个工作日") ||
		!strings.Contains(r.stdout, "→ clerk@example.gov.cn") || !strings.Contains(r.stdout, "加 --send") || strings.Contains(r.stdout, "赵六") {
		t.Fatalf("dry run: %+v", r)
	}
	if r := run(t, flags, "", "apply", "remind", "--today", "2026-02-02"); r.code != 0 || !strings.Contains(r.stdout, "没有需要提醒") {
		t.Errorf("nothing to remind: %+v", r)
	}
	if r := run(t, flags, "", "apply", "remind", "--send"); r.code != 2 || !strings.Contains(r.stderr, "GONGKAI_SMTP") {
		t.Errorf("--send without a server: %+v", r)
	}
	if r := run(t, flags, "", "apply", "remind", "--send", "--smtp", "smtp://x?from=a@b.cn&tls=ssl"); r.code != 2 || !strings.Contains(r.stderr, "tls") {
		t.Errorf("bad --smtp: %+v", r)
	}
	addr, sent := smtpSink(t)
	t.Setenv("GONGKAI_SMTP", "smtp://"+addr+"?from=gongkai@example.gov.cn&tls=none")
	r = run(t, flags, "", "apply", "remind", "--today", "2026-04-02", "--send")
	if r.code != 0 || !strings.Contains(r.stdout, "已发送：办理员 → clerk@example.gov.cn") || sent() != 1 ||
		!strings.Contains(r.stdout, "无电子邮箱，仅在后台提醒：某区人民政府") {
		t.Fatalf("send: %+v (%d mails)", r, sent())
	}
	before := sent()
	if r := run(t, flags, "", "apply", "remind", "--today", "2026-04-02", "--send"); r.code != 0 || sent() != before ||
		!strings.Contains(r.stdout, "今日已发送过，跳过：办理员") {
		t.Errorf("second send the same day: %+v (%d mails)", r, sent())
	}
}
