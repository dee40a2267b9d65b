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
			PermCatalogView, PermCatalogEdit, PermCatalogPublish, PermInfoView, PermInfoEdit}},
	{RoleSupervisor, "政务公开办", "全区只读，开展检查、整改和考核", true,
		[]Permission{PermOrgView, PermUserView, PermAuditView, PermCatalogView, PermInfoView}},
	{RoleEditor, "信息发布员", "维护本单位目录，起草和提交信息", false,
		[]Permission{PermOrgView, PermCatalogView, PermCatalogEdit, PermInfoView, PermInfoEdit}},
	{RoleReviewer, "审核员", "审核本单位信息（公开机构负责人），含保密审查；发布本单位目录；批准依申请公开延期", false,
		[]Permission{PermOrgView, PermCatalogView, PermCatalogPublish, PermInfoView, PermApplyView, PermApplyApprove}},
	{RoleLeader, "分管领导", "终审本单位信息；发布本单位目录", false,
		[]Permission{PermOrgView, PermCatalogView, PermCatalogPublish, PermInfoView}},
	{RoleHandler, "依申请办理员", "登记、办理和答复政府信息公开申请", false,
		[]Permission{PermOrgView, PermCatalogView, PermInfoView, PermApplyView, PermApplyHandle}},
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
