package org

// Role is a duty a user holds in one organisation.
type Role string

const (
	RoleAdmin      Role = "admin"      // 系统管理员
	RoleSupervisor Role = "supervisor" // 政务公开办
	RoleEditor     Role = "editor"     // 信息发布员
	RoleReviewer   Role = "reviewer"   // 审核员（公开机构负责人）
	RoleLeader     Role = "leader"     // 分管领导
	RoleHandler    Role = "handler"    // 依申请办理员
)

// Permission is something a role lets a user do within an org scope.
type Permission string

const (
	PermOrgView    Permission = "org.view"
	PermOrgManage  Permission = "org.manage"
	PermUserView   Permission = "user.view"
	PermUserManage Permission = "user.manage"
	PermAuditView  Permission = "audit.view"
	// The standard catalog: view drafts, edit drafts, publish a version.
	PermCatalogView    Permission = "catalog.view"
	PermCatalogEdit    Permission = "catalog.edit"
	PermCatalogPublish Permission = "catalog.publish"
	// 政府信息: see unpublished records, draft and maintain them. Approving
	// is not a permission: the record's review flow names the role per step.
	PermInfoView Permission = "info.view"
	PermInfoEdit Permission = "info.edit"

	// 依申请公开: see the org's applications (with the applicant's personal
	// data) and handle them; approving an extension is the disclosure
	// office head's (审核员 as 公开机构负责人, 第三十三条).
	PermApplyView    Permission = "apply.view"
	PermApplyHandle  Permission = "apply.handle"
	PermApplyApprove Permission = "apply.approve"

	// 年度报告: see a unit's report before publication, compile it (figures,
	// sections), publish it — drafted by the editor, published by the
	// 公开机构负责人 or 分管领导 (the format notice makes the 分管领导 the
	// first responsible), never by whoever drafted alone. The government's
	// report aggregates its departments and is compiled and published by
	// the 政务公开办 (条例第四十九条: the 主管部门 publishes 本级政府's report).
	PermReportView    Permission = "report.view"
	PermReportEdit    Permission = "report.edit"
	PermReportPublish Permission = "report.publish"
	PermReportCompile Permission = "report.compile"

	// 监督考核: see findings, rectification tickets and scores (the
	// 政务公开办 across its subtree, each unit its own); run checks, issue,
	// return and accept tickets, keep the thresholds and the indicator table
	// (政务公开办 only); reply to the unit's own tickets (its staff only, so
	// one unit never answers for another).
	PermSuperviseView   Permission = "supervise.view"
	PermSuperviseManage Permission = "supervise.manage"
	PermSuperviseReply  Permission = "supervise.reply"

	// 公众参与 (征求意见, 重大行政决策事项目录): see unpublished solicitations
	// and every comment (with the commenter's private contact); draft
	// solicitations, catalog entries and the adoption report; moderate
	// comments and publish a solicitation, a catalog entry or an adoption
	// report. Moderating is a publication decision (先审后发), so it is the
	// 审核员's, as for records: the person who publishes is not the one who
	// drafts.
	PermParticipateView     Permission = "participate.view"
	PermParticipateEdit     Permission = "participate.edit"
	PermParticipateModerate Permission = "participate.moderate"

	// 留言 and 政策问答: see the org's messages (with the writer's private
	// contact); handle them — accept, transfer, reply, refer to another
	// channel — which only the org a message is routed to may do, so it is
	// granted per org, never through a subtree (a district role does not
	// answer for a street); release or reject held messages and publish
	// replies and Q&A entries, a publication decision like moderating
	// comments (审核员); draft Q&A entries (the staff who answer questions).
	PermBoardView    Permission = "board.view"
	PermBoardHandle  Permission = "board.handle"
	PermBoardPublish Permission = "board.publish"
	PermBoardQA      Permission = "board.qa"
)

// RoleInfo describes a role. A role with Subtree covers the org it is
// granted in and every org below it (the district office oversees streets,
// streets' communities and departments); the others cover exactly their org,
// so a street's editor cannot publish for a community unless granted there.
type RoleInfo struct {
	Role        Role
	Label       string
	Description string
	Subtree     bool
	Perms       []Permission
}

// Roles lists every role in display order. It is the one permission matrix:
// web routes and capability packages ask Allowed, never compare role names.
var Roles = []RoleInfo{
	{RoleAdmin, "系统管理员", "管理机构、账号和角色，查看证据链", true,
		[]Permission{PermOrgView, PermOrgManage, PermUserView, PermUserManage, PermAuditView,
			PermCatalogView, PermCatalogEdit, PermCatalogPublish, PermInfoView, PermInfoEdit, PermReportView,
			PermSuperviseView, PermParticipateView, PermParticipateEdit, PermParticipateModerate, PermBoardView}},
	{RoleSupervisor, "政务公开办", "全区只读，开展检查、整改和考核；编制和发布本级政府年度报告", true,
		[]Permission{PermOrgView, PermUserView, PermAuditView, PermCatalogView, PermInfoView, PermReportView, PermReportCompile,
			PermSuperviseView, PermSuperviseManage, PermParticipateView, PermBoardView}},
	{RoleEditor, "信息发布员", "维护本单位目录，起草和提交信息；起草征求意见稿和意见采纳情况；办理留言，起草政策问答", false,
		[]Permission{PermOrgView, PermCatalogView, PermCatalogEdit, PermInfoView, PermInfoEdit, PermReportView, PermReportEdit,
			PermSuperviseView, PermSuperviseReply, PermParticipateView, PermParticipateEdit, PermBoardView, PermBoardHandle,
			PermBoardQA}},
	{RoleReviewer, "审核员", "审核本单位信息（公开机构负责人），含保密审查；发布本单位目录；批准依申请公开延期；审核公众意见，发布征求意见和采纳情况；审核留言，公开留言答复和政策问答", false,
		[]Permission{PermOrgView, PermCatalogView, PermCatalogPublish, PermInfoView, PermApplyView, PermApplyApprove,
			PermReportView, PermReportPublish, PermSuperviseView, PermSuperviseReply, PermParticipateView, PermParticipateModerate,
			PermBoardView, PermBoardPublish}},
	{RoleLeader, "分管领导", "终审本单位信息；发布本单位目录", false,
		[]Permission{PermOrgView, PermCatalogView, PermCatalogPublish, PermInfoView, PermReportView, PermReportPublish,
			PermSuperviseView, PermSuperviseReply, PermParticipateView, PermBoardView}},
	{RoleHandler, "依申请办理员", "登记、办理和答复政府信息公开申请；办理留言，起草政策问答", false,
		[]Permission{PermOrgView, PermCatalogView, PermInfoView, PermApplyView, PermApplyHandle, PermReportView,
			PermSuperviseView, PermSuperviseReply, PermBoardView, PermBoardHandle, PermBoardQA}},
}

// LookupRole returns the description of r.
func LookupRole(r Role) (RoleInfo, bool) {
	for _, ri := range Roles {
		if ri.Role == r {
			return ri, true
		}
	}
	return RoleInfo{}, false
}

// Label is the Chinese name of r.
func (r Role) Label() string {
	if ri, ok := LookupRole(r); ok {
		return ri.Label
	}
	return string(r)
}

func (ri RoleInfo) has(p Permission) bool {
	for _, x := range ri.Perms {
		if x == p {
			return true
		}
	}
	return false
}
