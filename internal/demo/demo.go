// Package demo seeds a realistic fictional district, 示范区, on an empty
// database: the district government, departments, streets and towns with
// their communities and villages, site settings and one account per role.
// Codes are valid (check characters computed) but use the division code
// 999901, which no real region has, so no real body is impersonated.
package demo

import (
	"context"
	"database/sql"
	"fmt"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
	"gongkai.dev/gongkai/internal/report"
	"gongkai.dev/gongkai/internal/site"
	"gongkai.dev/gongkai/internal/supervise"
)

// Password is every demo account's password (documented in the README).
const Password = "Demo@2026"

// Account is a demo login printed at start-up.
type Account struct {
	Username, Name, Role, Org string
}

const division = "999901"

// code makes the 18-character 统一社会信用代码 of the n-th demo body; the
// first two characters are 11 for state organs and 54 for self-governing
// community and village committees (GB 32100).
func code(prefix string, n int) string {
	body := org.MakeOrgCode(fmt.Sprintf("%08d", 80000000+n*137))
	return org.MakeUSCC(prefix + division + body)
}

type unit struct {
	kind      org.Kind
	name      string
	short     string
	address   string
	phone     string
	children  []unit
	community bool
}

var district = unit{kind: org.KindDistrict, name: "示范区人民政府", short: "示范区", address: "示范区人民大道 1 号", phone: "0000-88880000",
	children: []unit{
		{kind: org.KindDepartment, name: "示范区人民政府办公室", short: "区政府办", address: "示范区人民大道 1 号", phone: "0000-88880001"},
		{kind: org.KindDepartment, name: "示范区发展和改革局", short: "区发改局", address: "示范区人民大道 3 号", phone: "0000-88880102"},
		{kind: org.KindDepartment, name: "示范区教育局", short: "区教育局", address: "示范区文化路 12 号", phone: "0000-88880203"},
		{kind: org.KindDepartment, name: "示范区民政局", short: "区民政局", address: "示范区和平路 8 号", phone: "0000-88880304"},
		{kind: org.KindDepartment, name: "示范区财政局", short: "区财政局", address: "示范区人民大道 5 号", phone: "0000-88880405"},
		{kind: org.KindDepartment, name: "示范区人力资源和社会保障局", short: "区人社局", address: "示范区和平路 20 号", phone: "0000-88880506"},
		{kind: org.KindDepartment, name: "示范区自然资源局", short: "区自然资源局", address: "示范区建设路 66 号", phone: "0000-88880607"},
		{kind: org.KindDepartment, name: "示范区住房和城乡建设局", short: "区住建局", address: "示范区建设路 68 号", phone: "0000-88880708"},
		{kind: org.KindDepartment, name: "示范区卫生健康局", short: "区卫健局", address: "示范区健康路 2 号", phone: "0000-88880809"},
		{kind: org.KindDepartment, name: "示范区市场监督管理局", short: "区市场监管局", address: "示范区建设路 90 号", phone: "0000-88880910"},
		{kind: org.KindStreet, name: "示范区东湖街道办事处", short: "东湖街道", address: "示范区东湖路 100 号", phone: "0000-88881001",
			children: []unit{
				{kind: org.KindCommunity, name: "东湖街道湖滨社区居民委员会", short: "湖滨社区", address: "东湖路 18 号", phone: "0000-88881011"},
				{kind: org.KindCommunity, name: "东湖街道莲花社区居民委员会", short: "莲花社区", address: "莲花巷 6 号", phone: "0000-88881012"},
			}},
		{kind: org.KindStreet, name: "示范区西城街道办事处", short: "西城街道", address: "示范区西城大街 50 号", phone: "0000-88882001",
			children: []unit{
				{kind: org.KindCommunity, name: "西城街道西门社区居民委员会", short: "西门社区", address: "西门路 3 号", phone: "0000-88882011"},
				{kind: org.KindCommunity, name: "西城街道文昌社区居民委员会", short: "文昌社区", address: "文昌路 27 号", phone: "0000-88882012"},
			}},
		{kind: org.KindStreet, name: "示范区南山街道办事处", short: "南山街道", address: "示范区南山路 9 号", phone: "0000-88883001",
			children: []unit{
				{kind: org.KindCommunity, name: "南山街道南山社区居民委员会", short: "南山社区", address: "南山路 40 号", phone: "0000-88883011"},
			}},
		{kind: org.KindTown, name: "示范区青石镇人民政府", short: "青石镇", address: "青石镇青石街 1 号", phone: "0000-88884001",
			children: []unit{
				{kind: org.KindVillage, name: "青石镇青石村民委员会", short: "青石村", address: "青石镇青石村", phone: "0000-88884011"},
				{kind: org.KindVillage, name: "青石镇柳树村民委员会", short: "柳树村", address: "青石镇柳树村", phone: "0000-88884012"},
			}},
		{kind: org.KindTown, name: "示范区白沙镇人民政府", short: "白沙镇", address: "白沙镇沙湾路 2 号", phone: "0000-88885001",
			children: []unit{
				{kind: org.KindCommunity, name: "白沙镇白沙社区居民委员会", short: "白沙社区", address: "白沙镇白沙路 11 号", phone: "0000-88885011"},
				{kind: org.KindVillage, name: "白沙镇沙湾村民委员会", short: "沙湾村", address: "白沙镇沙湾村", phone: "0000-88885012"},
			}},
	}}

type account struct {
	username, name, org string // org by short name
	roles               []org.Role
}

var accounts = []account{
	{"admin", "王建国", "示范区", []org.Role{org.RoleAdmin}},
	{"gkb", "李政", "示范区", []org.Role{org.RoleSupervisor}},
	{"editor", "张晓梅", "东湖街道", []org.Role{org.RoleEditor}},
	{"reviewer", "陈立", "东湖街道", []org.Role{org.RoleReviewer}},
	{"leader", "赵国强", "东湖街道", []org.Role{org.RoleLeader}},
	{"handler", "刘敏", "区政府办", []org.Role{org.RoleHandler}},
	{"jyj.editor", "孙悦", "区教育局", []org.Role{org.RoleEditor}},
	{"hubin", "周芳", "湖滨社区", []org.Role{org.RoleEditor}},
	{"zfb.editor", "吴静", "区政府办", []org.Role{org.RoleEditor}},
	{"zfb.reviewer", "郑伟", "区政府办", []org.Role{org.RoleReviewer}},
	{"zfb.leader", "钱明", "区政府办", []org.Role{org.RoleLeader}},
	{"jyj.reviewer", "冯磊", "区教育局", []org.Role{org.RoleReviewer}},
	{"jyj.leader", "韩梅", "区教育局", []org.Role{org.RoleLeader}},
	{"mzj.editor", "何静", "区民政局", []org.Role{org.RoleEditor}},
	{"mzj.reviewer", "罗斌", "区民政局", []org.Role{org.RoleReviewer}},
	{"mzj.leader", "梁红", "区民政局", []org.Role{org.RoleLeader}},
	{"qsz.editor", "宋涛", "青石镇", []org.Role{org.RoleEditor}},
	{"qsz.reviewer", "唐丽", "青石镇", []org.Role{org.RoleReviewer}},
	{"qsz.leader", "许刚", "青石镇", []org.Role{org.RoleLeader}},
}

const seededKey = "demo.seeded"

// Seeded reports whether the database holds the demo data.
func Seeded(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = $1", seededKey).Scan(&n)
	return n > 0, err
}

// Services are what the demo writes through.
type Services struct {
	Orgs        *org.Service
	Site        *site.Service
	Catalog     *catalog.Service
	Info        *info.Service
	Apply       *apply.Service
	Participate *participate.Service
	Report      *report.Service
	// Supervise replays a quarter and a half of checks, tickets and scores.
	Supervise *supervise.Service
	// Board tells a few months of 留言 and keeps a 政策问答 base.
	Board *board.Service
}

// Seed writes the demo district. Organisations, accounts and settings go in
// one transaction; catalogs follow through the catalog service, and the
// "seeded" marker is written last, so a failed seed is never mistaken for a
// finished one. It refuses a database that already holds organisations.
//
// Each capability with demo content adds its service to Services and its
// seeding step after the ones it builds on.
func Seed(ctx context.Context, s Services) ([]Account, error) {
	orgs, st, cat, inf, ap := s.Orgs, s.Site, s.Catalog, s.Info, s.Apply
	n, err := orgs.CountOrgs(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, apperr.New(apperr.Conflict, "数据库中已有机构数据；演示数据只能写入空数据库")
	}
	hashes := make([]string, len(accounts))
	for i := range accounts {
		hashes[i] = org.HashPassword(Password)
	}
	actor := audit.System("demo", "系统（写入演示数据）")
	var out []Account
	shortIDs := map[string]string{}
	err = orgs.DB.Tx(ctx, func(tx *sql.Tx) error {
		ids := shortIDs
		names := map[string]string{}
		counter := 0
		var add func(u unit, parent string, sort int) error
		add = func(u unit, parent string, sort int) error {
			counter++
			prefix := "11"
			if u.kind == org.KindCommunity || u.kind == org.KindVillage {
				prefix = "54"
			}
			o, err := orgs.CreateOrgTx(ctx, tx, actor, org.OrgInput{ParentID: parent, Kind: u.kind, Name: u.name,
				ShortName: u.short, Code: code(prefix, counter), Address: u.address, Postcode: "999901", Phone: u.phone,
				OfficeHours: "工作日 上午 8:30–12:00，下午 14:30–17:30（法定节假日除外）", Sort: sort,
				Email: fmt.Sprintf("gk%02d@example.gov.cn", counter)})
			if err != nil {
				return fmt.Errorf("%s: %w", u.name, err)
			}
			ids[u.short], names[u.short] = o.ID, o.Name
			for i, c := range u.children {
				if err := add(c, o.ID, (i+1)*10); err != nil {
					return err
				}
			}
			return nil
		}
		if err := add(district, "", 0); err != nil {
			return err
		}
		for i, a := range accounts {
			var grants []org.Grant
			for _, r := range a.roles {
				grants = append(grants, org.Grant{OrgID: ids[a.org], Role: r})
			}
			if _, err := orgs.CreateUserTx(ctx, tx, actor, org.UserInput{Username: a.username, DisplayName: a.name,
				OrgID: ids[a.org], Password: Password, Grants: grants, Phone: "0000-8888" + fmt.Sprintf("%04d", 9000+i)}, hashes[i]); err != nil {
				return fmt.Errorf("%s: %w", a.username, err)
			}
			out = append(out, Account{Username: a.username, Name: a.name, Role: a.roles[0].Label(), Org: names[a.org]})
		}
		return st.SetTx(ctx, tx, actor, map[string]string{
			"site.name": "示范区人民政府", "site.host_org": "示范区人民政府办公室", "site.address": "示范区人民大道 1 号",
			"site.phone": "0000-88880000", "site.gov_site_code": "9999010001", "site.icp": "示ICP备00000000号（演示）",
			"site.police_record": "示公网安备 99990102000001号（演示）",
		})
	})
	if err != nil {
		return nil, err
	}
	if err := seedCatalogs(ctx, orgs, cat, shortIDs); err != nil {
		return nil, fmt.Errorf("演示目录写入失败（请删除数据目录后重试）：%w", err)
	}
	if err := seedInfo(ctx, orgs, cat, inf, shortIDs); err != nil {
		return nil, fmt.Errorf("演示信息写入失败（请删除数据目录后重试）：%w", err)
	}
	if err := seedPolicies(ctx, orgs, inf, shortIDs); err != nil {
		return nil, fmt.Errorf("演示政策文件写入失败（请删除数据目录后重试）：%w", err)
	}
	if err := seedApplications(ctx, orgs, ap, shortIDs); err != nil {
		return nil, fmt.Errorf("演示申请写入失败（请删除数据目录后重试）：%w", err)
	}
	if err := seedReports(ctx, orgs, ap, s.Report, shortIDs); err != nil {
		return nil, fmt.Errorf("演示年度报告写入失败（请删除数据目录后重试）：%w", err)
	}
	if s.Participate != nil {
		if err := seedParticipation(ctx, orgs, s.Participate, shortIDs); err != nil {
			return nil, fmt.Errorf("演示公众参与数据写入失败（请删除数据目录后重试）：%w", err)
		}
	}
	if s.Board != nil {
		if err := seedBoard(ctx, orgs, inf, s.Board, shortIDs); err != nil {
			return nil, fmt.Errorf("演示留言数据写入失败（请删除数据目录后重试）：%w", err)
		}
	}
	if s.Supervise != nil {
		if err := seedSupervision(ctx, orgs, inf, s.Supervise, shortIDs); err != nil {
			return nil, fmt.Errorf("演示监督考核数据写入失败（请删除数据目录后重试）：%w", err)
		}
	}
	if err := st.Set(ctx, actor, map[string]string{seededKey: "1"}); err != nil {
		return nil, err
	}
	return out, nil
}

// Accounts lists the demo logins (for printing when the data already exists).
func Accounts() []Account {
	short := map[string]string{}
	var walk func(u unit)
	walk = func(u unit) {
		short[u.short] = u.name
		for _, c := range u.children {
			walk(c)
		}
	}
	walk(district)
	out := make([]Account, len(accounts))
	for i, a := range accounts {
		out[i] = Account{Username: a.username, Name: a.name, Role: a.roles[0].Label(), Org: short[a.org]}
	}
	return out
}
