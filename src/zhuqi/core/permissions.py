"""The permission matrix: which role may do which action, in one place.

Every action of every app is a named string (`"cases.register"`, `"assistance.visit.record"`,
`"projects.investment.import"`) mapped to the roles allowed to do it. Core imports no app: the
names are plain strings, and the whole table lives here so a reader sees every rule at once.

* `allowed(user, action) -> bool` — the role part of a rule: is `user` (signed in, active) of a
  role the matrix allows? A superuser counts as `Role.ADMIN`.
* `require(user, action)` — the same, raising `PermissionDenied` with a Chinese message.
* templates: `{% load core_tags %}{% if request.user|can:"projects.investment.import" %}`;
  the menu: `MenuItem(..., roles="cases.board", ...)` shows an item to the roles of an action.

Object-level rules (the viewer's data scope, their own department, their own assignments, the
project they lead) stay with the app's service or workflow, and always start from the matrix:
`can_edit_plan(user, enterprise)` first asks `allowed(user, "assistance.plan.edit_assigned")`
and then looks for the user's assignment. docs/permissions.md shows this table; a test keeps it
equal to the code, another walks every URL and API operation as every role against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roles import ALL_ROLES, DEPARTMENT_ROLES, MANAGER_ROLES, OFFICIAL_ROLES, Role


@dataclass(frozen=True)
class Action:
    """One named action: who may do it (by role) and what scope adds (the object-level rule)."""

    name: str
    label: str | Promise  # gettext_lazy: shown in the user's language
    roles: frozenset[str]
    scope: str | Promise = ""


A, D, L = Role.ADMIN, Role.DISPATCH, Role.LEADER
H, E = Role.DEPT_HEAD, Role.HANDLER
C, G, S, OB, P = Role.COMMISSIONER, Role.GRID, Role.SUPERVISOR, Role.OBSERVER, Role.ENTERPRISE

#: officials who do work (everyone but the read-only observer and enterprise staff)
WORKING_OFFICIALS: frozenset[str] = OFFICIAL_ROLES - {OB}
#: who may change a project: the dispatch office (its area), the responsible department's
#: people and the responsible leader
PROJECT_EDITORS: frozenset[str] = MANAGER_ROLES | DEPARTMENT_ROLES | {L}
#: who may record a government–enterprise meeting (政企会议)
MEETING_ROLES: frozenset[str] = frozenset({A, D, L, H, C})

_in_scope = _("在其数据范围内")

_ACTIONS: list[Action] = [
    # --- core ----------------------------------------------------------------------------------
    Action("core.home", _("首页、消息、个人账号"), ALL_ROLES, _("自己的消息")),
    Action("core.regions.view", _("查看区划"), OFFICIAL_ROLES, _in_scope),
    Action("core.departments.view", _("查看部门"), OFFICIAL_ROLES, _in_scope),
    Action("core.people.view", _("查看人员详情"), OFFICIAL_ROLES, _in_scope),
    Action("core.people.list", _("人员名册"), OFFICIAL_ROLES - {G}, _in_scope),
    Action("core.org.manage", _("维护区划、部门、人员（含导入）"), MANAGER_ROLES, _("专班办公室：本辖区内")),
    Action("core.calendar.configure", _("工作日调整（导入、修改），录入国家节假日安排"), frozenset({A})),
    Action("core.settings.view", _("系统设置：查看配置页（类别、时限、节假日）"), MANAGER_ROLES),
    Action("core.roles.configure", _("修改用户角色"), frozenset({A})),
    Action(
        "core.accounts.manage",
        _("管理账号：新建、修改、停用、重置密码"),
        MANAGER_ROLES,
        _("专班办公室：本辖区内的政府人员"),
    ),
    Action("core.accounts.admins", _("管理系统管理员账号，授予系统管理员角色"), frozenset({A})),
    Action("core.accounts.reset_password", _("重置他人密码"), frozenset({A}), _("所管理的账号")),
    Action("core.accounts.unlock", _("解锁被锁定的账号"), frozenset({A})),
    Action("core.archive.restore", _("查看、恢复已归档的企业和项目"), frozenset({A})),
    Action("core.audit.view", _("查看审计日志"), frozenset({A, S}), _("督查：本辖区人员的操作")),
    Action("core.admin", _("系统管理后台"), frozenset({A})),
    Action("core.attach", _("上传附件、发表评论"), ALL_ROLES - {OB}, _("可见的对象；企业用户：本企业的诉求")),
    # --- enterprises ---------------------------------------------------------------------------
    Action("enterprises.view", _("查看企业库、企业清单"), OFFICIAL_ROLES, _in_scope),
    Action("enterprises.view_own", _("查看本企业"), frozenset({P}), _("本企业")),
    Action("enterprises.contacts.edit_own", _("修改本企业联系方式"), frozenset({P}), _("本企业")),
    Action("enterprises.export", _("导出企业库"), OFFICIAL_ROLES, _in_scope),
    Action(
        "enterprises.edit",
        _("登记、修改企业，标记重点企业，调整清单"),
        MANAGER_ROLES,
        _("专班办公室：本辖区内"),
    ),
    Action("enterprises.import", _("导入企业名录"), MANAGER_ROLES, _("专班办公室：本辖区内")),
    Action("enterprises.credit_code.confirm", _("确认未通过校验位的信用代码"), frozenset({A})),
    Action(
        "enterprises.accounts.manage",
        _("开通、停用企业账号，设置主要联系人"),
        MANAGER_ROLES,
        _("专班办公室：本辖区内的企业"),
    ),
    Action(
        "enterprises.lists.configure",
        _("新建、修改企业清单和培育库"),
        MANAGER_ROLES,
        _("专班办公室：本辖区的清单"),
    ),
    Action(
        "enterprises.archive",
        _("归档误登记的企业"),
        MANAGER_ROLES,
        _("专班办公室：本辖区内，无未办结诉求等引用"),
    ),
    # --- cases ---------------------------------------------------------------------------------
    Action("cases.view", _("查看诉求"), ALL_ROLES, _("数据范围内；企业用户：本企业的诉求")),
    Action("cases.list", _("诉求列表"), OFFICIAL_ROLES, _in_scope),
    Action("cases.export", _("导出诉求"), OFFICIAL_ROLES, _in_scope),
    Action("cases.board", _("诉求调度台"), MANAGER_ROLES, _in_scope),
    Action("cases.inbox", _("部门待办"), DEPARTMENT_ROLES, _("本部门")),
    Action("cases.leader_view", _("领导视图"), frozenset({A, L, S}), _in_scope),
    Action("cases.register", _("登记诉求（工作人员）"), frozenset({A, D, L, C, G, S}), _in_scope),
    Action(
        "cases.create",
        _("为企业提出诉求（含走访、项目问题）"),
        WORKING_OFFICIALS | {P},
        _("数据范围内的企业；企业用户：本企业"),
    ),
    Action("cases.portal", _("企业诉求门户"), frozenset({P}), _("本企业")),
    Action("cases.figures", _("诉求统计及导出"), OFFICIAL_ROLES - {G}, _in_scope),
    Action("cases.suggest", _("分拨建议"), OFFICIAL_ROLES),
    Action("cases.rules.view", _("查看分拨规则"), OFFICIAL_ROLES, _in_scope),
    Action("cases.configure", _("维护分拨规则"), MANAGER_ROLES, _in_scope),
    Action("cases.categories.configure", _("维护问题类别（全平台）"), frozenset({A})),
    Action("cases.sla.configure", _("维护、切换办理时限制度（全平台）"), frozenset({A})),
    Action("cases.correct", _("更正诉求登记信息（企业、标题、描述、类别）"), MANAGER_ROLES, _in_scope),
    Action("cases.import", _("导入热线工单"), MANAGER_ROLES, _in_scope),
    Action(
        "cases.transition.dispatch",
        _("诉求流转：受理、交办、办结审核、督办（专班）"),
        MANAGER_ROLES,
        _("诉求在本辖区内"),
    ),
    Action(
        "cases.transition.lead",
        _("诉求流转：签收、办理、答复（主办部门）"),
        DEPARTMENT_ROLES | {D},
        _("本部门为主办部门"),
    ),
    Action(
        "cases.transition.leader",
        _("诉求流转：协调会、督办（领导）"),
        frozenset({A, L}),
        _("诉求在本辖区内"),
    ),
    Action(
        "cases.transition.supervisor", _("诉求流转：督办（督查）"), frozenset({A, S}), _("诉求在本辖区内")
    ),
    Action(
        "cases.transition.enterprise", _("诉求流转：撤回、评价（企业）"), frozenset({P}), _("本企业的诉求")
    ),
    Action("cases.supervision.respond", _("回复督办"), DEPARTMENT_ROLES, _("被督办的本部门")),
    Action(
        "cases.coordination.view",
        _("协调会：待协调诉求队列、会议安排和纪要"),
        frozenset({A, D, L, S}),
        _("本辖区内"),
    ),
    Action(
        "cases.coordination.manage",
        _("协调会：安排会议、记录议定事项（写入诉求）"),
        frozenset({A, D, L}),
        _("本辖区内提级到县级以上调度的诉求"),
    ),
    # --- assistance ----------------------------------------------------------------------------
    Action("assistance.my_enterprises", _("我的包抓企业"), WORKING_OFFICIALS, _("本人的包抓")),
    Action("assistance.visit.view", _("查看走访记录及导出"), OFFICIAL_ROLES, _in_scope),
    Action("assistance.visit.record", _("填报走访"), WORKING_OFFICIALS, _("数据范围内的企业")),
    Action("assistance.visit.amend", _("更正、撤回任一走访记录"), MANAGER_ROLES, _in_scope),
    Action(
        "assistance.visit.amend_own",
        _("更正、撤回本人的走访记录"),
        WORKING_OFFICIALS,
        _("本人填报的，填报后 3 个工作日内"),
    ),
    Action("assistance.compliance.view", _("走访考核"), OFFICIAL_ROLES, _in_scope),
    Action("assistance.assignments.view", _("查看包抓分工及导出"), OFFICIAL_ROLES, _in_scope),
    Action(
        "assistance.assignments.manage",
        _("分配、交接包抓责任"),
        MANAGER_ROLES,
        _("数据范围内的企业"),
    ),
    Action("assistance.assignments.import", _("导入包抓分工"), MANAGER_ROLES, _("数据范围内的企业")),
    Action("assistance.plan.view", _("查看一企一策"), OFFICIAL_ROLES, _in_scope),
    Action("assistance.plan.edit", _("制定、修改任一企业的一企一策"), MANAGER_ROLES, _in_scope),
    Action(
        "assistance.plan.edit_assigned",
        _("制定、修改所包抓企业的一企一策，填报措施进展"),
        WORKING_OFFICIALS,
        _("本人包抓的企业；本人负责的措施"),
    ),
    Action("assistance.meetings.view", _("查看政企会议"), OFFICIAL_ROLES, _in_scope),
    Action("assistance.meetings.record", _("登记政企会议"), MEETING_ROLES, _("数据范围内的企业")),
    Action("assistance.rules.view", _("查看走访频次要求"), OFFICIAL_ROLES),
    Action("assistance.configure", _("修改走访频次要求、包抓数量上限"), frozenset({A})),
    # --- projects ------------------------------------------------------------------------------
    Action("projects.view", _("查看重点项目"), ALL_ROLES, _("数据范围内；企业用户：本企业的项目")),
    Action("projects.export", _("导出项目月报表"), ALL_ROLES, _("数据范围内；企业用户：本企业的项目")),
    Action("projects.board", _("挂图作战、项目调度"), OFFICIAL_ROLES, _in_scope),
    Action("projects.oversight.view", _("查看三个一批"), OFFICIAL_ROLES, _in_scope),
    Action(
        "projects.create",
        _("新建项目"),
        MANAGER_ROLES,
        _("本辖区内（部门人员可通过接口为本部门新建，见 projects.edit）"),
    ),
    Action(
        "projects.edit",
        _("修改项目：阶段、审批、任务、计划、投资"),
        PROJECT_EDITORS,
        _("专班办公室：本辖区的项目；部门：本部门负责的项目；领导：本人包抓的项目"),
    ),
    Action(
        "projects.investment.import",
        _("导入月度完成投资"),
        PROJECT_EDITORS,
        _("可修改的项目"),
    ),
    Action(
        "projects.problem.raise",
        _("登记项目问题"),
        WORKING_OFFICIALS | {P},
        _("数据范围内的项目；企业用户：本企业的项目"),
    ),
    Action(
        "projects.configure",
        _("设置三个一批期次"),
        MANAGER_ROLES,
        _("专班办公室：本辖区内"),
    ),
    Action(
        "projects.archive",
        _("归档误录入的项目"),
        MANAGER_ROLES,
        _("专班办公室：本辖区的项目，无未办结诉求"),
    ),
    Action("projects.campaign.manage", _("调整三个一批期次的项目"), MANAGER_ROLES, _("本辖区的期次")),
    # --- indicators ----------------------------------------------------------------------------
    Action("indicators.view", _("查看经济指标、指标调度、报送情况"), OFFICIAL_ROLES, _in_scope),
    Action("indicators.report", _("企业填报本企业的指标报表"), frozenset({P}), _("本企业")),
    Action(
        "indicators.enter",
        _("代企业填报、批量录入指标"),
        MANAGER_ROLES | DEPARTMENT_ROLES | {C},
        _("数据范围内的企业；已审核锁定的期间不能修改"),
    ),
    Action("indicators.import", _("导入部门指标表、区域指标"), MANAGER_ROLES | DEPARTMENT_ROLES, _in_scope),
    Action("indicators.approve", _("审核并锁定一期报表"), MANAGER_ROLES, _("本辖区")),
    Action(
        "indicators.unlock.request", _("申请解锁已审核的数据"), MANAGER_ROLES | DEPARTMENT_ROLES, _("本辖区")
    ),
    Action("indicators.unlock.decide", _("审批解锁申请"), MANAGER_ROLES, _("上一级区划")),
    Action("indicators.targets.manage", _("设定和分解目标"), MANAGER_ROLES, _("本辖区")),
    Action("indicators.configure", _("设置报表：指标、报送范围、期限"), MANAGER_ROLES, _("本辖区的报表")),
    Action("indicators.catalogue.manage", _("维护指标目录"), frozenset({A}), _("全平台共用")),
    Action("indicators.remind", _("催报"), MANAGER_ROLES | DEPARTMENT_ROLES, _in_scope),
    # --- oversight (督查考核) --------------------------------------------------------------------
    Action(
        "oversight.view",
        _("查看督办事项"),
        frozenset({A, D, L, S, OB}) | DEPARTMENT_ROLES,
        _("本辖区的事项；部门：交办给本部门（牵头或配合）的事项"),
    ),
    Action(
        "oversight.queue",
        _("督办队列：按红、橙、蓝督办等级排列的待办事项"),
        frozenset({A, D, L, S}),
        _in_scope,
    ),
    Action("oversight.item.create", _("交办督办事项"), frozenset({A, D, S}), _("本辖区的部门")),
    Action(
        "oversight.import",
        _("导入年度督办清单（任务清单、责任清单、时限清单）"),
        frozenset({A, D, S}),
        _in_scope,
    ),
    Action(
        "oversight.item.reply",
        _("报送督办事项进展、办结回复、申请延期"),
        frozenset({D}) | DEPARTMENT_ROLES,
        _("本部门牵头的事项"),
    ),
    Action(
        "oversight.item.review",
        _("审核督办事项（认定、退回、销号、撤销）、审批延期申请"),
        frozenset({A, S}),
        _("督查：本辖区的事项"),
    ),
    Action(
        "oversight.bulletin.view",
        _("查看通报"),
        frozenset({A, D, L, S, OB}) | DEPARTMENT_ROLES,
        _("本辖区的通报；部门：本级和上级已发布的通报"),
    ),
    Action(
        "oversight.bulletin.draft", _("起草、修改通报（由实时数据生成）"), frozenset({A, D, S}), _in_scope
    ),
    Action("oversight.bulletin.approve", _("审核通报"), frozenset({A, L}), _in_scope),
    Action(
        "oversight.bulletin.publish", _("发布通报（编发文字号、发送各单位）"), frozenset({A, D, S}), _in_scope
    ),
    Action(
        "oversight.tour.view",
        _("查看观摩评比：观摩点、评分进度、排名"),
        frozenset({A, D, L, S, OB}),
        _("本辖区的观摩；评委：本人担任评委的观摩"),
    ),
    Action(
        "oversight.tour.manage", _("组织观摩：观摩点、评分项和权重、评委"), frozenset({A, D, S}), _("本辖区")
    ),
    Action("oversight.tour.score", _("观摩现场评分"), OFFICIAL_ROLES, _("本人担任评委的观摩，评分中")),
    Action("oversight.tour.publish", _("公布观摩结果"), frozenset({A, D, S}), _("本辖区的观摩")),
    Action(
        "oversight.assessment.view",
        _("查看考核方案、考核结果和红黑榜"),
        frozenset({A, D, L, S, OB}) | DEPARTMENT_ROLES,
        _("本辖区；部门：本级已公布的考核结果"),
    ),
    Action(
        "oversight.assessment.configure",
        _("设定考核方案和红黑榜规则"),
        frozenset({A, D, S}),
        _("本辖区"),
    ),
    Action(
        "oversight.assessment.compute", _("计算（试算）考核结果"), frozenset({A, D, S}), _("本辖区的方案")
    ),
    Action("oversight.assessment.publish", _("公布考核结果"), frozenset({A, L, S}), _("本辖区的方案")),
    Action(
        "oversight.redblack.exempt", _("登记黑榜豁免（不可抗力）"), frozenset({A, S}), _("本辖区的红黑榜")
    ),
    Action("oversight.redblack.publish", _("公布红黑榜"), frozenset({A, L, S}), _("本辖区的红黑榜")),
    Action(
        "oversight.calendar.configure",
        _("设置督查日历：周期、日期、准备单位和提前提醒"),
        frozenset({A, D, S}),
        _("本辖区"),
    ),
    # --- mu (亩均效益评价) -------------------------------------------------------------------------
    Action("mu.view", _("查看亩均效益评价：评价批次、排名和得分说明"), OFFICIAL_ROLES, _in_scope),
    Action("mu.compute", _("亩均效益试算"), MANAGER_ROLES, _("本辖区的企业")),
    Action("mu.publish", _("发布亩均效益评价结果"), MANAGER_ROLES, _("本辖区的评价批次")),
    Action("mu.import", _("导入亩均评价数据（各部门）"), MANAGER_ROLES | DEPARTMENT_ROLES, _in_scope),
    Action(
        "mu.adjust",
        _("登记亩均评价的加减分、否决、保护和暂不评价，更正评价数据"),
        MANAGER_ROLES,
        _("本辖区的企业"),
    ),
    Action("mu.own", _("企业查看本企业公示中和已发布的亩均评价结果"), frozenset({P}), _("本企业")),
    Action("mu.object", _("企业在公示期内对本企业的评价结果提出异议"), frozenset({P}), _("本企业")),
    Action(
        "mu.keylist.confirm",
        _("按亩均评价结果确定下一年度包保联系名单（重点企业）"),
        MANAGER_ROLES,
        _("本辖区的企业"),
    ),
    Action(
        "mu.objection.decide",
        _("处理亩均评价异议（采纳并更正数据、不予采纳）"),
        MANAGER_ROLES,
        _("本辖区的企业"),
    ),
    Action(
        "mu.measures.configure",
        _("维护本辖区的亩均差别化措施（电价、水价、用地、用能等，含有效期）"),
        MANAGER_ROLES,
        _("本辖区；系统管理员维护方案的示例措施"),
    ),
    # --- attraction (招商引资) ----------------------------------------------------------------------
    Action(
        "attraction.view",
        _("查看招商线索、阶段记录、漏斗和联审预审"),
        OFFICIAL_ROLES - {C, G},
        _("招商小组（部门）：本小组的线索；其他：本辖区的线索"),
    ),
    Action(
        "attraction.lead.work",
        _("登记、修改和推进招商线索（含搁置、流失），记录时限办理情况，登记合同和履约情况"),
        MANAGER_ROLES | DEPARTMENT_ROLES,
        _("招商小组：本小组的线索；专班办公室：本辖区"),
    ),
    Action(
        "attraction.target.manage",
        _("维护重点目标企业名录表（对接方案、责任人、状态）"),
        MANAGER_ROLES | DEPARTMENT_ROLES,
        _("招商小组：本小组的目标企业；专班办公室：本辖区"),
    ),
    Action(
        "attraction.prereview.manage",
        _("发起联审预审、出具综合预审意见"),
        MANAGER_ROLES,
        _("本辖区的线索"),
    ),
    Action(
        "attraction.prereview.opinion",
        _("以预审部门身份反馈预审意见"),
        DEPARTMENT_ROLES,
        _("本部门被征求意见的预审"),
    ),
    Action(
        "attraction.configure",
        _("设置联审预审部门（常设部门和按行业增加的部门）和驻外招商组"),
        MANAGER_ROLES,
        _("本辖区"),
    ),
    Action(
        "attraction.clocks.configure",
        _("设置亿元以上线索的办理时限（计时起点和响应、研判、反馈推荐人、报告进展的工作日数）"),
        MANAGER_ROLES,
        _("本辖区的省、市、县（区）"),
    ),
    Action(
        "attraction.ledger.close",
        _("到位资金台账按月关账和重新开账（关账后该月不能再登记到位资金）"),
        MANAGER_ROLES,
        _("本辖区（关账对下级区划的线索同样有效）"),
    ),
    Action(
        "attraction.chains.configure",
        _("维护产业链（链长、牵头部门）和环节（上中下游、行业代码、强链/延链/补链），确认环节上的本地企业"),
        MANAGER_ROLES,
        _("本辖区的产业链"),
    ),
    Action(
        "attraction.convert",
        _("将已签约的线索转为重点项目"),
        MANAGER_ROLES,
        _("本辖区的线索"),
    ),
    Action(
        "attraction.judging.manage",
        _("召开线索研判会：选定待研判线索、评分、作出跟进/暂缓/放弃的结论"),
        MANAGER_ROLES,
        _("本辖区的线索"),
    ),
    Action(
        "attraction.weekly.submit",
        _("报送驻外招商工作周报"),
        DEPARTMENT_ROLES,
        _("本小组（驻外招商组）"),
    ),
    # --- policies (惠企政策) -------------------------------------------------------------------------
    Action(
        "policies.view",
        _("查看政策库、事项的匹配企业和差一点可享的企业"),
        OFFICIAL_ROLES,
        _("匹配企业：在其数据范围内"),
    ),
    Action(
        "policies.manage",
        _("录入和修改政策文件、政策事项（条件、金额规则、办事指南）"),
        MANAGER_ROLES | DEPARTMENT_ROLES,
        _("部门：本部门负责的事项；专班办公室：本辖区"),
    ),
    Action("policies.manage_area", _("维护本辖区任一部门负责的政策事项"), MANAGER_ROLES, _("本辖区")),
    Action("policies.guide", _("阅读已发布事项的办事指南"), ALL_ROLES),
    Action(
        "policies.push",
        _("向符合条件的企业推送政策事项"),
        MANAGER_ROLES | DEPARTMENT_ROLES,
        _("部门：本部门负责的事项；专班办公室：本辖区"),
    ),
    Action(
        "policies.review",
        _("审核政策兑现：退回补正、核准（可另定金额并说明理由）、核定免申即享名单、公示、兑现、不予兑现"),
        MANAGER_ROLES | DEPARTMENT_ROLES,
        _("部门：本部门负责的事项；专班办公室：本辖区"),
    ),
    Action(
        "policies.apply",
        _("企业申报政策兑现、补正后重新提交、上传申报材料、确认收款账户"),
        frozenset({P}),
        _("本企业"),
    ),
    Action("policies.own", _("企业查看本企业可享和差一点可享的政策"), frozenset({P}), _("本企业")),
    # --- cockpit (领导驾驶舱) -------------------------------------------------------------------
    Action(
        "cockpit.view",
        _("查看驾驶舱：本级和下级区划的指标、诉求、项目、亩均、政策、督办，地图和大屏"),
        frozenset({A, D, L, S, OB}),
        _("本辖区及其下级区划"),
    ),
    Action("cockpit.boundaries", _("上传镇街、园区的边界（GeoJSON）"), frozenset({A, D}), _("本辖区")),
]

#: action name → Action: the one matrix
MATRIX: dict[str, Action] = {a.name: a for a in _ACTIONS}
assert len(MATRIX) == len(_ACTIONS), "an action is declared twice"


def register(action: Action) -> None:
    """Add an action of a new module (from its `AppConfig.ready()`), or keep the one declared."""
    known = MATRIX.get(action.name)
    if known is not None and known != action:
        raise ImproperlyConfigured(f"permission action {action.name!r} declared twice, differently")
    MATRIX[action.name] = action


def _get(action: str) -> Action:
    try:
        return MATRIX[action]
    except KeyError:
        raise ImproperlyConfigured(f"unknown permission action {action!r} (core/permissions.py)") from None


def role_of(user) -> str | None:
    """The role the matrix reads for `user`: None when signed out or inactive, ADMIN for a
    superuser."""
    if not (
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
    ):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return getattr(user, "role", None)


def roles(action: str) -> frozenset[str]:
    """The roles the matrix allows for `action`."""
    return _get(action).roles


def allowed(user, action: str) -> bool:
    """May `user`, by role, do `action`? (Scope and ownership are the caller's next check.)"""
    role = role_of(user)
    return role is not None and role in _get(action).roles


def require(user, action: str, message: str | None = None) -> None:
    """Raise PermissionDenied (in Chinese) unless `allowed(user, action)`."""
    if not allowed(user, action):
        raise PermissionDenied(
            message or gettext("您的角色不能执行此操作：%(action)s") % {"action": _get(action).label}
        )


def actions_for(user) -> set[str]:
    """Every action `user` may do (for a page that shows several buttons)."""
    role = role_of(user)
    return {name for name, a in MATRIX.items() if role in a.roles} if role else set()


def markdown_table() -> str:
    """The matrix as the Markdown table of docs/permissions.md (in Chinese, the canonical
    language of the docs): one row per action, one column per role, then what scope adds.
    `zhuqi permissions` prints it; tests/core/test_permission_matrix.py keeps the doc equal."""
    from django.utils import translation

    with translation.override("zh-hans"):
        head = [gettext("动作"), gettext("说明"), *[str(Role(r).label) for r in Role.values], gettext("范围")]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for a in MATRIX.values():
            marks = ["✓" if r in a.roles else "" for r in Role.values]
            lines.append("| " + " | ".join([f"`{a.name}`", str(a.label), *marks, str(a.scope)]) + " |")
    return "\n".join(lines) + "\n"
