package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/supervise"
	"gongkai.dev/gongkai/internal/workday"
)

// runCheck: check — one supervision run (the same as the daily one or the
// back office's 立即检查), recorded with its findings and evidence-chain
// event, over every org or one org's subtree. Like privacy scan, the exit
// code is 1 when anything is found, so a cron job or CI can act on it;
// rules that could not be computed are reported on stderr.
func runCheck(env *Env, args []string) error {
	f := newFlags("check", true)
	code := f.String("org", "", "只检查该机构及其下级（统一社会信用代码或组织机构代码）")
	asJSON := f.Bool("json", false, "每个问题输出一行 JSON")
	ctx := context.Background()
	a, err := f.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	scope := ""
	if *code != "" {
		o, err := a.Orgs.GetOrgByCode(ctx, *code)
		if apperr.Is(err, apperr.NotFound) {
			return usageError{fmt.Sprintf("--org：机构代码 %s 不存在", *code)}
		}
		if err != nil {
			return err
		}
		scope = o.ID
	}
	res, err := a.Supervise.Run(ctx, operator(), supervise.RunOptions{ScopeOrgID: scope, Kind: supervise.RunCLI})
	if err != nil {
		return err
	}
	all, err := a.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	names, codes := map[string]string{}, map[string]string{}
	for _, o := range all {
		names[o.ID], codes[o.ID] = o.Name, o.Code
	}
	run := res.Run
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for _, x := range res.Findings {
			enc.Encode(map[string]any{"rule": x.Rule, "rule_name": x.RuleName(), "severity": x.Severity, "org_code": codes[x.OrgID],
				"org_name": names[x.OrgID], "object_type": x.ObjectType, "object_id": x.ObjectID, "object": x.ObjectLabel, "link": x.Link,
				"evidence": x.Evidence, "first_seen": x.FirstSeen, "last_seen": x.LastSeen, "ticket": x.TicketNo})
		}
	} else {
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "严重程度\t单位\t检查规则\t对象\t问题情况")
		for _, x := range res.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.Severity.Label(), names[x.OrgID], x.RuleName(), x.ObjectLabel, x.Evidence)
		}
		tw.Flush()
	}
	asOf, _ := workday.ParseDate(run.AsOf)
	fmt.Fprintf(env.Stderr, "监督检查（截至 %s%s）：存在问题 %d 项，新发现 %d 项，已整改消除 %d 项；整改单自动办结 %d 件、重新打开 %d 件、督办 %d 件。\n",
		asOf.Chinese(), map[bool]string{true: "，" + names[scope] + "及其下级", false: ""}[scope != ""], run.Open, run.New, run.Resolved,
		run.ClosedTickets, run.ReopenedTickets, run.EscalatedTickets)
	for _, r := range supervise.Rules {
		if why := run.Errors[r.Code]; why != "" {
			fmt.Fprintf(env.Stderr, "未能计算“%s”（%s）：%s\n", r.Name, r.Code, why)
		}
	}
	if len(res.Findings) > 0 {
		return silentExit{1}
	}
	return nil
}
