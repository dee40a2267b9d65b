// Package supervise owns 监督考核: the named checks over every unit's
// website columns, catalog, publishing and 依申请公开 handling (computed
// through the owning packages' Go APIs, never their tables), the findings
// those checks keep between runs, the rectification loop (核查 → 反馈 → 整改
// → 再核查) with tickets, deadlines in working days and escalation, and
// the period scores (a configurable 100-point indicator table with
// deductions, veto items and bonus points) with their stored snapshots.
//
// # Findings
//
// A finding is keyed by its rule and object (e.g. column.empty +
// 东湖街道/人事信息), so a re-run updates the same row (last seen, evidence)
// instead of adding a duplicate. A finding a run no longer produces is
// resolved; one that comes back is reopened, with a new span of days. Each
// run checks "as of" its day: records published later do not exist for it.
// A rule that cannot be computed in a run (a calendar year missing) leaves
// its findings as they were: unknown is not fixed.
//
// # Tickets and escalation
//
// The 政务公开办 (supervise.manage) turns open findings into tickets, one or
// many at a time, with an assignee unit and a deadline in working days. Only
// staff of the assignee unit (supervise.reply there) may reply. A check run
// closes a ticket whose finding is gone (resolution "fixed") and reopens a
// ticket closed that way when its finding comes back, with a new deadline.
// The supervisor may also accept a reply (resolution "accepted", for what a
// re-check cannot prove, e.g. a record published late) or return it for
// further work, again with a new deadline.
//
// Escalation (督办) is precise: a ticket still waiting for the unit's reply
// (status open) after its due day is escalated by the first check run after
// that day — scheduled daily or started by hand. Escalation is recorded
// (escalated_on and an evidence-chain event), lists the ticket first on the
// supervisor's dashboard and counts against the unit in the period's score
// (ticket.escalated). A later reply does not erase it; a reopened or
// returned ticket starts a new deadline and may escalate again.
//
// # Scores
//
// A period's score per unit is 100 minus the indicator table's deductions
// (per finding of the indicator's rules seen during the period, capped at the
// indicator's weight), plus bonus points only when that base is above the
// bonus threshold (default 80, rules.md §4.1); any veto item makes the result
// 不合格 whatever the points. Saving a period stores the table as it was with
// every row, so a later change of the table never rewrites history.
package supervise
