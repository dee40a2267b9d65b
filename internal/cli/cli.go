// Package cli implements the gongkai command: serve, migrate, demo, user,
// org, audit, version and help. Main returns an exit code instead of calling
// os.Exit so tests can run every command in-process.
package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"gongkai.dev/gongkai/internal/app"
	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/privacy"
	"gongkai.dev/gongkai/internal/ratelimit"
	"gongkai.dev/gongkai/internal/web"
	"gongkai.dev/gongkai/internal/workday"
)

// Env is what a command may touch.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Ctx, when set, replaces the signal-bound context of serve (tests).
	Ctx context.Context
}

type command struct {
	name, usage, summary string
	run                  func(env *Env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "serve [--addr 127.0.0.1:8080] [--data ./data] [--db URL] [--demo] [--secure-cookies] [--smtp URL] [--trusted-proxy 127.0.0.1] [--apply-rate-limit 5/10m,20/24h]",
			"启动门户、后台和 API（启动时自动迁移数据库）", runServe},
		{"migrate", "migrate [--status] [--data DIR] [--db URL]", "执行数据库迁移；--status 只显示各版本状态", runMigrate},
		{"demo", "demo [--data DIR] [--db URL]", "向空数据库写入示范区演示数据", runDemo},
		{"user", "user add|passwd|disable|enable|list …", "管理账号（运维用，无需登录界面）", runUser},
		{"org", "org add|list …", "管理机构", runOrg},
		{"catalog", "catalog export --org CODE [--version N | --draft] --format xlsx|json -o FILE | catalog import --org CODE FILE [--dry-run] [--year YYYY]",
			"导出、导入标准目录（Excel 两行表头，每个领域一个工作表；导入全有或全无）", runCatalog},
		{"workday", "workday add YYYY-MM-DD N | workday between YYYY-MM-DD YYYY-MM-DD",
			"按法定节假日和调休计算工作日：起始日不计入", runWorkday},
		{"calendar", "calendar import FILE | calendar list",
			"录入或查看节假日安排（每年 11 月公布次年安排后录入）", runCalendar},
		{"apply", "apply deadline --received YYYY-MM-DD [--events FILE] [--today YYYY-MM-DD] | apply export --org CODE [--subtree] --from DATE --to DATE [--format csv|json] [-o FILE] | apply remind [--today YYYY-MM-DD] [--send] [--smtp URL]",
			"计算依申请公开的答复期限并列出计算过程；export 导出一段时间的申请（CSV 或 JSON，不含申请人个人信息）；remind 显示（--send 发送）当天给承办人和机关的超期、临近到期提醒邮件", runApply},
		{"report", "report annual --org CODE [--year YYYY] [--format json|docx|xlsx|html] [-o FILE]",
			"输出政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）：已发布的输出发布版本，未发布的按当前数据生成草稿；年度默认上一年", runReport},
		{"apikey", "apikey create --org CODE --name NAME | apikey list | apikey revoke ID", "管理接入平台（省级申请平台、一网通办）推送依申请公开申请所用的接口密钥", runAPIKey},
		{"check", "check [--org CODE] [--json] [--data DIR] [--db URL]",
			"开展一次监督检查（网站栏目、标准目录、信息发布、依申请公开），更新问题清单和整改单并列出存在的问题；存在问题时退出码为 1", runCheck},
		{"privacy", "privacy scan PATH...",
			"扫描文件中的个人信息和密级标识，每处一行 JSON；发现问题时退出码为 1", runPrivacy},
		{"search", "search reindex [--data DIR] [--db URL] | search query \"检索词\" [--kind policy] [--sort date] [--json]",
			"重建站内搜索索引（显示进度）；或在命令行检索", runSearch},
		{"audit", "audit verify [--data DIR] [--db URL]", "校验证据链；发现被改动、删除或重排的事件时以非零状态退出", runAudit},
		{"site", "site export DIR [--base-url URL] [--force] [--upstream HOST:PORT] [--data DIR] [--db URL]", "把门户导出为静态镜像（与服务器输出逐字节相同），附 nginx 配置示例", runSite},
		{"version", "version", "显示版本", func(env *Env, _ []string) error { fmt.Fprintln(env.Stdout, "gongkai", app.Version); return nil }},
	}
}

// usageError is bad command-line input: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs the command line and returns the exit code.
func Main(args []string, env *Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			for _, c := range commands {
				if c.name == args[1] {
					fmt.Fprintf(env.Stdout, "用法：gongkai %s\n%s\n", c.usage, c.summary)
					return 0
				}
			}
		}
		help(env.Stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(env, args[1:])
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(env.Stdout, "用法：gongkai %s\n%s\n", c.usage, c.summary)
			return 0
		}
		var se silentExit
		if errors.As(err, &se) {
			return se.code
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.Stderr, "gongkai %s：%s\n用法：gongkai %s\n", c.name, ue.msg, c.usage)
			return 2
		}
		fmt.Fprintf(env.Stderr, "gongkai %s：%s\n", c.name, message(err))
		return 1
	}
	fmt.Fprintf(env.Stderr, "gongkai：未知命令 %q。运行 gongkai help 查看全部命令。\n", args[0])
	return 2
}

// message is err as an operator should read it: apperr messages with their
// fields; other errors as they are (they come from this program's own
// wrapping, e.g. database open errors, which name files and hosts).
func message(err error) string {
	if e, ok := apperr.As(err); ok {
		msg := e.Message
		if len(e.Fields) > 1 {
			var parts []string
			for _, f := range e.Fields {
				parts = append(parts, "--"+strings.ReplaceAll(f.Field, "_", "-")+"："+f.Message)
			}
			msg = "输入有误：" + strings.Join(parts, "；")
		} else if len(e.Fields) == 1 {
			msg = "输入有误（--" + strings.ReplaceAll(e.Fields[0].Field, "_", "-") + "）：" + e.Fields[0].Message
		}
		return msg
	}
	return err.Error()
}

func help(w io.Writer) {
	fmt.Fprintln(w, "gongkai — 基层政务公开标准化规范化平台")
	fmt.Fprintln(w, "\n用法：gongkai <命令> [参数]\n\n命令：")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprintln(w, "\n读写数据的命令都接受 --data DIR（SQLite 数据目录，默认 ./data）和 --db URL（postgres://…，优先于 --data）。")
	fmt.Fprintln(w, "运行 gongkai help <命令> 查看该命令的用法。")
}

// flags is a FlagSet that reports errors in Chinese instead of printing.
type flags struct {
	*flag.FlagSet
	data, db *string
	args     []string // positional arguments, wherever they stood
}

func newFlags(name string, withDB bool) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &flags{FlagSet: fs}
	if withDB {
		f.data = fs.String("data", "data", "数据目录")
		f.db = fs.String("db", "", "数据库地址")
	}
	return f
}

// parse accepts flags before and after positional arguments, as operators
// type them ("user passwd zhangsan --password-stdin").
func (f *flags) parse(args []string) error {
	for {
		if err := f.parseOnce(args); err != nil {
			return err
		}
		if f.NArg() == 0 {
			return nil
		}
		f.args = append(f.args, f.Arg(0))
		args = f.Args()[1:]
	}
}

func (f *flags) parseOnce(args []string) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		msg := err.Error()
		switch {
		case strings.HasPrefix(msg, "flag provided but not defined: "):
			msg = "未知参数 " + strings.TrimPrefix(msg, "flag provided but not defined: ")
		case strings.HasPrefix(msg, "flag needs an argument: "):
			msg = "参数 " + strings.TrimPrefix(msg, "flag needs an argument: ") + " 需要一个值"
		case strings.HasPrefix(msg, "invalid boolean value"), strings.HasPrefix(msg, "invalid value"):
			msg = "参数值无效：" + msg
		}
		return usageError{msg}
	}
	return nil
}

func (f *flags) noArgs() error {
	if len(f.args) > 0 {
		return usageError{fmt.Sprintf("多余的参数 %q", f.args[0])}
	}
	return nil
}

// parseOpen is the start of every data command without positional
// arguments: parse the flags, refuse extras, open the App.
func (f *flags) parseOpen(ctx context.Context, args []string) (*app.App, error) {
	if err := f.parse(args); err != nil {
		return nil, err
	}
	if err := f.noArgs(); err != nil {
		return nil, err
	}
	return f.open(ctx)
}

// open starts an App (database + migrations) for a data command.
func (f *flags) open(ctx context.Context) (*app.App, error) {
	return app.Open(ctx, app.Config{DataDir: *f.data, DBURL: *f.db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func operator() audit.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return audit.System("cli:"+name, "命令行（"+name+"）")
}

func runServe(env *Env, args []string) error {
	f := newFlags("serve", true)
	addr := f.String("addr", "127.0.0.1:8080", "监听地址")
	withDemo := f.Bool("demo", false, "空数据库时写入演示数据")
	secure := f.Bool("secure-cookies", false, "Cookie 仅经 HTTPS 发送（部署在 HTTPS 或 TLS 反向代理后时开启）")
	smtp := f.String("smtp", "", "发件服务器，用于依申请公开提醒邮件（默认取环境变量 GONGKAI_SMTP；不设则只在后台提醒）")
	proxies := f.String("trusted-proxy", "", "可信反向代理的地址或网段，逗号分隔（如 127.0.0.1）：从其 X-Forwarded-For 取访问者地址，用于限流和证据链")
	limit := f.String("apply-rate-limit", "", "网上申请每个地址的提交上限，如 5/10m,20/24h（默认即此值）")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := f.noArgs(); err != nil {
		return err
	}
	if _, err := web.ParseTrustedProxies(*proxies); err != nil {
		return usageError{"--trusted-proxy：" + err.Error()}
	}
	if *limit != "" {
		if _, err := ratelimit.ParseRules(*limit); err != nil {
			return usageError{"--apply-rate-limit：" + err.Error()}
		}
	}
	ctx := env.Ctx
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, nil))
	a, err := app.Open(ctx, app.Config{Addr: *addr, DataDir: *f.data, DBURL: *f.db, SecureCookies: *secure, Logger: logger, Index: true,
		SMTP: smtpURL(*smtp), TrustedProxies: *proxies, ApplyRateLimit: *limit})
	if err != nil {
		return err
	}
	defer a.Close()
	for _, m := range a.Migrated {
		logger.Info("migrated", "version", m.Version, "name", m.Name)
	}
	var accounts []demo.Account
	if *withDemo {
		if accounts, err = ensureDemo(ctx, a); err != nil {
			return err
		}
	}
	if err := a.Listen(); err != nil {
		return err
	}
	v, _ := a.DB.SchemaVersion(ctx)
	fmt.Fprintf(env.Stdout, "gongkai %s 已启动（%s，数据库结构版本 %d）\n", app.Version, a.DB.Where(), v)
	fmt.Fprintf(env.Stdout, "  门户网站：%s/\n  后台管理：%s/admin/\n  接口：    %s/api/v1/\n", a.URL(), a.URL(), a.URL())
	if accounts != nil {
		fmt.Fprintf(env.Stdout, "演示账号（密码均为 %s）：\n", demo.Password)
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		for _, acc := range accounts {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", acc.Username, acc.Name, acc.Role, acc.Org)
		}
		tw.Flush()
	}
	fmt.Fprintln(env.Stdout, "按 Ctrl+C 停止。")
	err = a.Serve(ctx)
	fmt.Fprintln(env.Stdout, "gongkai 已停止。")
	return err
}

// ensureDemo seeds an empty database, accepts one already seeded, and
// refuses one holding other data.
func ensureDemo(ctx context.Context, a *app.App) ([]demo.Account, error) {
	seeded, err := demo.Seeded(ctx, a.DB.R)
	if err != nil {
		return nil, err
	}
	if seeded {
		return demo.Accounts(), nil
	}
	return a.SeedDemo(ctx)
}

func runMigrate(env *Env, args []string) error {
	f := newFlags("migrate", true)
	status := f.Bool("status", false, "只显示迁移状态")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := f.noArgs(); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := f.open(ctx) // opening applies pending migrations
	if err != nil {
		return err
	}
	defer a.Close()
	for _, m := range a.Migrated {
		fmt.Fprintf(env.Stdout, "已执行迁移 %04d_%s\n", m.Version, m.Name)
	}
	v, err := a.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if *status {
		all, err := a.DB.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range all {
			at := "未执行"
			if m.AppliedAt != "" {
				at = "已执行 " + m.AppliedAt
			}
			fmt.Fprintf(env.Stdout, "%04d_%s\t%s\n", m.Version, m.Name, at)
		}
	}
	fmt.Fprintf(env.Stdout, "数据库结构版本：%d（%s）\n", v, a.DB.Where())
	return nil
}

func runDemo(env *Env, args []string) error {
	f := newFlags("demo", true)
	ctx := context.Background()
	a, err := f.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	accounts, err := a.SeedDemo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已写入示范区演示数据。演示账号（密码均为 %s）：\n", demo.Password)
	for _, acc := range accounts {
		fmt.Fprintf(env.Stdout, "  %s\t%s\t%s\t%s\n", acc.Username, acc.Name, acc.Role, acc.Org)
	}
	return nil
}

func readPassword(env *Env) (string, error) {
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError{"请从标准输入提供密码，例如：echo '新密码' | gongkai user passwd NAME --password-stdin"}
	}
	return pw, nil
}

// parseRoles reads "editor,reviewer@CODE" into grants; a role without @CODE
// is held in the user's own org.
func parseRoles(ctx context.Context, orgs *org.Service, spec, homeID string) ([]org.Grant, error) {
	var out []org.Grant
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, code, hasOrg := strings.Cut(part, "@")
		g := org.Grant{Role: org.Role(role), OrgID: homeID}
		if _, ok := org.LookupRole(g.Role); !ok {
			var names []string
			for _, r := range org.Roles {
				names = append(names, string(r.Role)+"（"+r.Label+"）")
			}
			return nil, usageError{fmt.Sprintf("--roles 中的角色 %q 不存在；可用：%s", role, strings.Join(names, "、"))}
		}
		if hasOrg {
			o, err := orgs.GetOrgByCode(ctx, code)
			if err != nil {
				return nil, usageError{fmt.Sprintf("--roles 中的机构代码 %q 不存在", code)}
			}
			g.OrgID = o.ID
		}
		out = append(out, g)
	}
	return out, nil
}

func runUser(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：add、passwd、disable、enable 或 list"}
	}
	sub, args := args[0], args[1:]
	f := newFlags("user "+sub, true)
	ctx := context.Background()
	switch sub {
	case "add":
		username := f.String("username", "", "用户名")
		name := f.String("name", "", "姓名")
		orgCode := f.String("org", "", "所属机构代码")
		roles := f.String("roles", "", "角色，逗号分隔，可加 @机构代码")
		phone := f.String("phone", "", "联系电话")
		email := f.String("email", "", "电子邮箱（接收依申请公开提醒邮件）")
		stdin := f.Bool("password-stdin", false, "从标准输入读取初始密码")
		mustChange := f.Bool("must-change", true, "首次登录须修改密码")
		if err := f.parse(args); err != nil {
			return err
		}
		if err := f.noArgs(); err != nil {
			return err
		}
		if !*stdin {
			return usageError{"需要 --password-stdin，并从标准输入提供初始密码（不在命令行中明文传递密码）"}
		}
		if *orgCode == "" {
			return usageError{"缺少 --org（所属机构代码）"}
		}
		pw, err := readPassword(env)
		if err != nil {
			return err
		}
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		o, err := a.Orgs.GetOrgByCode(ctx, *orgCode)
		if err != nil {
			return usageError{fmt.Sprintf("--org：机构代码 %q 不存在（gongkai org list 查看）", *orgCode)}
		}
		grants, err := parseRoles(ctx, a.Orgs, *roles, o.ID)
		if err != nil {
			return err
		}
		u, err := a.Orgs.CreateUser(ctx, operator(), org.UserInput{Username: *username, DisplayName: *name, OrgID: o.ID,
			Phone: *phone, Email: *email, Password: pw, Grants: grants, MustChangePassword: *mustChange})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已创建账号 %s（%s，%s）\n", u.Username, u.DisplayName, o.Name)
		return nil
	case "passwd", "disable", "enable":
		stdin := f.Bool("password-stdin", false, "从标准输入读取新密码")
		if err := f.parse(args); err != nil {
			return err
		}
		if len(f.args) != 1 {
			return usageError{"需要一个用户名，例如：gongkai user " + sub + " zhangsan"}
		}
		var pw string
		if sub == "passwd" {
			if !*stdin {
				return usageError{"需要 --password-stdin，并从标准输入提供新密码"}
			}
			var err error
			if pw, err = readPassword(env); err != nil {
				return err
			}
		}
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		u, err := a.Orgs.GetUserByName(ctx, f.args[0])
		if err != nil {
			return fmt.Errorf("账号 %q 不存在", f.args[0])
		}
		switch sub {
		case "passwd":
			// An operator resetting a password is an administrator reset:
			// the user sets their own at the next login.
			if err := a.Orgs.SetPassword(ctx, operator(), u.ID, pw, true, ""); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "已重置 %s 的密码；该用户下次登录时须修改密码，现有登录会话已结束。\n", u.Username)
		case "disable", "enable":
			if err := a.Orgs.SetDisabled(ctx, operator(), u.ID, sub == "disable"); err != nil {
				return err
			}
			word := map[string]string{"disable": "停用", "enable": "启用"}[sub]
			fmt.Fprintf(env.Stdout, "已%s账号 %s\n", word, u.Username)
		}
		return nil
	case "list":
		a, err := f.parseOpen(ctx, args)
		if err != nil {
			return err
		}
		defer a.Close()
		users, err := a.Orgs.ListUsers(ctx, nil)
		if err != nil {
			return err
		}
		orgs, err := a.Orgs.ListOrgs(ctx)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, o := range orgs {
			names[o.ID] = o.Name
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "用户名\t姓名\t所属机构\t角色\t状态")
		for _, u := range users {
			grants, err := a.Orgs.Grants(ctx, u.ID)
			if err != nil {
				return err
			}
			var rs []string
			for _, g := range grants {
				s := g.Role.Label()
				if g.OrgID != u.OrgID {
					s += "@" + names[g.OrgID]
				}
				rs = append(rs, s)
			}
			sort.Strings(rs)
			state := "正常"
			if u.Disabled {
				state = "已停用"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, names[u.OrgID], strings.Join(rs, "、"), state)
		}
		return tw.Flush()
	}
	return usageError{fmt.Sprintf("未知子命令 %q：可用 add、passwd、disable、enable、list", sub)}
}

func runOrg(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：add 或 list"}
	}
	sub, args := args[0], args[1:]
	f := newFlags("org "+sub, true)
	ctx := context.Background()
	switch sub {
	case "add":
		parent := f.String("parent", "", "上级机构代码（区县级机构不填）")
		kind := f.String("kind", "", "类型：district|department|street|town|community|village")
		name := f.String("name", "", "机构名称")
		short := f.String("short-name", "", "简称")
		code := f.String("code", "", "9 位组织机构代码或 18 位统一社会信用代码")
		address := f.String("address", "", "办公地址")
		phone := f.String("phone", "", "联系电话")
		email := f.String("email", "", "电子邮箱")
		hours := f.String("office-hours", "", "办公时间")
		a, err := f.parseOpen(ctx, args)
		if err != nil {
			return err
		}
		defer a.Close()
		in := org.OrgInput{Kind: org.Kind(*kind), Name: *name, ShortName: *short, Code: *code, Address: *address,
			Phone: *phone, Email: *email, OfficeHours: *hours}
		if *parent != "" {
			p, err := a.Orgs.GetOrgByCode(ctx, *parent)
			if err != nil {
				return usageError{fmt.Sprintf("--parent：机构代码 %q 不存在", *parent)}
			}
			in.ParentID = p.ID
		}
		o, err := a.Orgs.CreateOrg(ctx, operator(), in)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已创建机构 %s（%s，代码 %s）\n", o.Name, o.Kind.Label(), o.Code)
		return nil
	case "list":
		a, err := f.parseOpen(ctx, args)
		if err != nil {
			return err
		}
		defer a.Close()
		orgs, err := a.Orgs.ListOrgs(ctx)
		if err != nil {
			return err
		}
		depth := org.Depth(orgs)
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "机构代码\t类型\t名称")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%s\t%s\t%s%s\n", o.Code, o.Kind.Label(), strings.Repeat("  ", depth[o.ID]), o.Name)
		}
		return tw.Flush()
	}
	return usageError{fmt.Sprintf("未知子命令 %q：可用 add、list", sub)}
}

func runCatalog(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：export 或 import"}
	}
	sub, args := args[0], args[1:]
	f := newFlags("catalog "+sub, true)
	orgCode := f.String("org", "", "机构代码")
	ctx := context.Background()
	switch sub {
	case "export":
		format := f.String("format", "xlsx", "xlsx 或 json")
		out := f.String("o", "", "输出文件（- 为标准输出）")
		number := f.Int("version", 0, "版本号（默认当前发布版本）")
		draft := f.Bool("draft", false, "导出草稿")
		a, err := f.parseOpen(ctx, args)
		if err != nil {
			return err
		}
		defer a.Close()
		if *format != "xlsx" && *format != "json" {
			return usageError{"--format 只能是 xlsx 或 json"}
		}
		if *out == "" {
			return usageError{"缺少 -o 输出文件"}
		}
		o, err := a.Orgs.GetOrgByCode(ctx, *orgCode)
		if err != nil {
			return usageError{fmt.Sprintf("--org：机构代码 %q 不存在（gongkai org list 查看）", *orgCode)}
		}
		var v catalog.Version
		switch {
		case *draft:
			v, err = a.Catalog.DraftOf(ctx, o.ID)
		case *number > 0:
			v, err = a.Catalog.VersionByNumber(ctx, o.ID, *number)
		default:
			v, err = a.Catalog.Current(ctx, o.ID)
		}
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if *format == "json" {
			if err := a.Catalog.ExportJSON(ctx, &buf, v); err != nil {
				return err
			}
		} else if err := a.Catalog.ExportXLSX(ctx, &buf, v); err != nil {
			return err
		}
		if *out == "-" {
			_, err = env.Stdout.Write(buf.Bytes())
			return err
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("无法写入 %s：%v", *out, err)
		}
		fmt.Fprintf(env.Stderr, "已导出 %s 标准目录第 %d 版（%s，%d 项）到 %s\n", o.Name, v.Number, v.StatusLabel(), v.Items, *out)
		return nil
	case "import":
		dry := f.Bool("dry-run", false, "只检查，不写入")
		year := f.Int("year", 0, "新建草稿时的目录年度（默认今年）")
		if err := f.parse(args); err != nil {
			return err
		}
		if len(f.args) != 1 {
			return usageError{"需要一个 Excel 文件，例如：gongkai catalog import --org CODE 目录.xlsx"}
		}
		file, err := os.Open(f.args[0])
		if err != nil {
			return fmt.Errorf("无法读取 %s：%v", f.args[0], unwrapPath(err))
		}
		defer file.Close()
		if st, err := file.Stat(); err == nil && st.Size() > catalog.MaxUpload {
			return fmt.Errorf("%s 超过 10 MB，不是正常的目录文件", f.args[0])
		}
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		o, err := a.Orgs.GetOrgByCode(ctx, *orgCode)
		if err != nil {
			return usageError{fmt.Sprintf("--org：机构代码 %q 不存在（gongkai org list 查看）", *orgCode)}
		}
		res, err := a.Catalog.Import(ctx, operator(), o.ID, file, *year, *dry)
		if err != nil {
			return err
		}
		if len(res.Problems) > 0 {
			for _, p := range res.Problems {
				fmt.Fprintln(env.Stderr, p.String())
			}
			return fmt.Errorf("发现 %d 个问题，未导入任何内容", len(res.Problems))
		}
		if res.DryRun {
			fmt.Fprintf(env.Stdout, "检查通过：%d 个领域、%d 项（--dry-run，未写入）\n", res.Sheets, res.Items)
			return nil
		}
		fmt.Fprintf(env.Stdout, "已导入 %d 个领域、%d 项到 %s 标准目录第 %d 版草稿\n", res.Sheets, res.Items, o.Name, res.Version.Number)
		return nil
	}
	return usageError{fmt.Sprintf("未知子命令 %q：可用 export、import", sub)}
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// runWorkday computes with the calendar in force (built-in years plus the
// ones entered into the database given by --data/--db).
// calendar is the working-day calendar in force: the built-in years plus
// those stored in the database the flags name.
func (f *flags) calendar(ctx context.Context) (*workday.Calendar, error) {
	a, err := f.open(ctx)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.Calendar.Calendar(ctx)
}

func runWorkday(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：add 或 between"}
	}
	sub, args := args[0], args[1:]
	f := newFlags("workday "+sub, true)
	if err := f.parse(args); err != nil {
		return err
	}
	if len(f.args) != 2 {
		return usageError{"需要两个参数，例如：gongkai workday add 2026-09-18 20"}
	}
	start, err := workday.ParseDate(f.args[0])
	if err != nil {
		return usageError{err.Error()}
	}
	cal, err := f.calendar(context.Background())
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		n, err := strconv.Atoi(f.args[1])
		if err != nil || n < 0 || n > 3650 {
			return usageError{fmt.Sprintf("工作日数 %q 应为 0–3650 的整数", f.args[1])}
		}
		d, err := cal.AddWorkdays(start, n)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, d.String())
		return nil
	case "between":
		end, err := workday.ParseDate(f.args[1])
		if err != nil {
			return usageError{err.Error()}
		}
		n, err := cal.WorkdaysBetween(start, end)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, n)
		return nil
	}
	return usageError{fmt.Sprintf("未知子命令 %q：可用 add、between", sub)}
}

func runCalendar(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：import 或 list"}
	}
	sub, args := args[0], args[1:]
	f := newFlags("calendar "+sub, true)
	if err := f.parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	switch sub {
	case "import":
		if len(f.args) != 1 {
			return usageError{"需要一个文件，例如：gongkai calendar import 2027.txt"}
		}
		file, err := os.Open(f.args[0])
		if err != nil {
			return fmt.Errorf("无法读取 %s：%v", f.args[0], unwrapPath(err))
		}
		defer file.Close()
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		y, err := a.Calendar.Import(ctx, operator(), file)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已录入 %d 年节假日安排：%d 个放假日（工作日），%d 个调休上班日\n", y.Year, len(y.Holidays), len(y.Makeup))
		return nil
	case "list":
		if err := f.noArgs(); err != nil {
			return err
		}
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		cal, err := a.Calendar.Calendar(ctx)
		if err != nil {
			return err
		}
		for _, y := range cal.Years() {
			fmt.Fprintf(env.Stdout, "%d\t%d 个放假日\t%d 个调休上班日\t%s\n", y.Year, len(y.Holidays), len(y.Makeup), y.Source)
		}
		return nil
	}
	return usageError{fmt.Sprintf("未知子命令 %q：可用 import、list", sub)}
}

// runPrivacy scans files without a database: it is also a tool for staff
// checking a document before they upload it.
func runPrivacy(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "scan" {
		return usageError{"可用子命令：scan"}
	}
	f := newFlags("privacy scan", false)
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if len(f.args) == 0 {
		return usageError{"需要至少一个文件或目录"}
	}
	found, failed := 0, 0
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	scan := func(path string) {
		data, err := os.ReadFile(path)
		if err == nil && len(data) > maxScanFile {
			err = fmt.Errorf("文件超过 %d MB", maxScanFile>>20)
		}
		var fs []privacy.Finding
		if err == nil {
			fs, err = privacy.ScanFile(filepath.Base(path), data)
		}
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "%s：%v\n", path, unwrapPath(err))
			return
		}
		for _, x := range fs {
			found++
			enc.Encode(map[string]any{"file": path, "kind": x.Kind, "label": x.Kind.Label(), "offset": x.Offset,
				"length": x.Length, "masked": x.Masked})
		}
	}
	for _, root := range f.args {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				failed++
				fmt.Fprintf(env.Stderr, "%s：%v\n", path, unwrapPath(err))
				return nil
			}
			if !d.IsDir() {
				scan(path)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if found > 0 {
		return silentExit{1}
	}
	if failed > 0 {
		return silentExit{2}
	}
	return nil
}

// maxScanFile matches the largest attachment the platform accepts.
const maxScanFile = 20 << 20

// silentExit ends a command with a code after it has printed its output.
type silentExit struct{ code int }

func (e silentExit) Error() string { return fmt.Sprintf("exit %d", e.code) }

func runAudit(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"可用子命令：verify"}
	}
	f := newFlags("audit verify", true)
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if err := f.noArgs(); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := audit.Verify(ctx, a.DB.R)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("证据链校验失败：%s", res.Problem)
	}
	fmt.Fprintf(env.Stdout, "证据链完整：共 %d 条事件，链头第 %d 号，哈希 %s\n", res.Events, res.HeadSeq, res.HeadHash)
	fmt.Fprintln(env.Stdout, "（建议定期把链头哈希另行存档，以便证明此后未被整体替换。）")
	return nil
}
