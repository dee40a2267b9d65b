package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"gongkai.dev/gongkai/internal/apply"
)

// runApplyExport: apply export — the cases of an org (and, with
// --subtree, the orgs under it) for a period, as CSV for Excel or JSON,
// without the applicants' personal data.
func runApplyExport(env *Env, args []string) error {
	f := newFlags("apply export", true)
	code := f.String("org", "", "机构代码（统一社会信用代码）")
	subtree := f.Bool("subtree", false, "包括下级机构")
	from := f.String("from", "", "起始日期 YYYY-MM-DD（按收到申请之日）")
	to := f.String("to", "", "截止日期 YYYY-MM-DD")
	format := f.String("format", "csv", "csv 或 json")
	out := f.String("o", "", "输出文件（默认标准输出）")
	ctx := context.Background()
	a, err := f.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	if *code == "" {
		return usageError{"需要 --org 机构代码"}
	}
	if *format != "csv" && *format != "json" {
		return usageError{"--format 只能是 csv 或 json"}
	}
	fd, td, err := apply.ParsePeriod(*from, *to)
	if err != nil {
		return usageError{"--from/--to：" + fieldMessage(err)}
	}
	o, err := a.Orgs.GetOrgByCode(ctx, *code)
	if err != nil {
		return usageError{fmt.Sprintf("--org：没有机构代码为 %s 的机构", *code)}
	}
	ids := []string{o.ID}
	if *subtree {
		if ids, err = a.Orgs.Subtree(ctx, o.ID); err != nil {
			return err
		}
	}
	rows, err := a.Apply.Export(ctx, ids, fd, td)
	if err != nil {
		return err
	}
	var w io.Writer = env.Stdout
	if *out != "" {
		fh, err := os.Create(*out)
		if err != nil {
			return usageError{fmt.Sprintf("-o：%v", err)}
		}
		defer fh.Close()
		w = fh
	}
	if *format == "json" {
		err = apply.WriteJSON(w, rows, fd, td)
	} else {
		all, nerr := a.Orgs.ListOrgs(ctx)
		if nerr != nil {
			return nerr
		}
		names := map[string]string{}
		for _, o := range all {
			names[o.ID] = o.Name
		}
		err = apply.WriteCSV(w, rows, func(id string) string { return names[id] })
	}
	if err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(env.Stderr, "已导出 %d 件申请到 %s\n", len(rows), *out)
	}
	return nil
}
