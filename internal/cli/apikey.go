package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// runAPIKey manages the tokens integrations (a provincial 政府信息公开申请
// 平台, 一网通办) use on /api/v1/apply/cases. Issuing one is an operator's
// act, recorded in the evidence chain like every other change.
func runAPIKey(env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"缺少子命令：create、list 或 revoke"}
	}
	sub, args := args[0], args[1:]
	f := newFlags("apikey "+sub, true)
	ctx := context.Background()
	switch sub {
	case "create":
		orgCode := f.String("org", "", "接入机构代码：密钥只能向该机构推送申请、查询该机构的申请")
		name := f.String("name", "", "接入平台名称，如“省政府信息公开申请平台”")
		if err := f.parse(args); err != nil {
			return err
		}
		if err := f.noArgs(); err != nil {
			return err
		}
		if strings.TrimSpace(*orgCode) == "" {
			return usageError{"缺少 --org（接入机构代码，gongkai org list 查看）"}
		}
		if strings.TrimSpace(*name) == "" {
			return usageError{"缺少 --name（接入平台名称，如“省政府信息公开申请平台”；证据链中以“接口：名称”记录其推送的申请）"}
		}
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		o, err := a.Orgs.GetOrgByCode(ctx, strings.TrimSpace(*orgCode))
		if err != nil {
			return usageError{fmt.Sprintf("--org：机构代码 %q 不存在（gongkai org list 查看）", *orgCode)}
		}
		c, token, err := a.APIClients.Create(ctx, operator(), *name, o.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已创建接口密钥：%s（编号 %s，机构：%s）\n\n", c.Name, c.ID, o.Name)
		fmt.Fprintf(env.Stdout, "  %s\n\n", token)
		fmt.Fprintln(env.Stdout, "注意：密钥只显示这一次，系统只保存它的哈希，无法再次查看。请立即通过安全渠道交给接入平台；")
		fmt.Fprintln(env.Stdout, "遗失或泄露时，用 gongkai apikey revoke "+c.ID+" 吊销后重新创建。")
		fmt.Fprintln(env.Stdout, "用法：请求头 Authorization: Bearer <密钥>，见 /api/v1/openapi.json 中的 /api/v1/apply/cases。")
		return nil
	case "list":
		a, err := f.parseOpen(ctx, args)
		if err != nil {
			return err
		}
		defer a.Close()
		clients, err := a.APIClients.List(ctx)
		if err != nil {
			return err
		}
		if len(clients) == 0 {
			fmt.Fprintln(env.Stdout, "还没有接口密钥。用 gongkai apikey create --org 机构代码 --name 名称 创建。")
			return nil
		}
		orgs, err := a.Orgs.ListOrgs(ctx)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, o := range orgs {
			names[o.ID] = o.Name + "（" + o.Code + "）"
		}
		when := func(t time.Time) string {
			if t.IsZero() {
				return "-"
			}
			return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "编号\t名称\t机构\t创建时间\t创建人\t最近使用\t状态")
		for _, c := range clients {
			state := "有效"
			if c.Revoked() {
				state = "已吊销（" + when(c.RevokedAt) + "）"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, names[c.OrgID], when(c.CreatedAt), c.CreatedBy,
				when(c.LastUsedAt), state)
		}
		return tw.Flush()
	case "revoke":
		if err := f.parse(args); err != nil {
			return err
		}
		if len(f.args) != 1 {
			return usageError{"需要一个密钥编号，例如：gongkai apikey revoke 编号（gongkai apikey list 查看）"}
		}
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		c, err := a.APIClients.Revoke(ctx, operator(), f.args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已吊销接口密钥 %s（%s），立即生效；该平台此前推送的申请不受影响。\n", c.ID, c.Name)
		return nil
	}
	return usageError{fmt.Sprintf("未知子命令 %q：可用 create、list、revoke", sub)}
}
