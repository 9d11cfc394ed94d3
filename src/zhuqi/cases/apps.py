from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

EVENT_LABELS = {
    "submitted": pgettext_lazy("timeline event", "提交诉求"),
    "accepted": pgettext_lazy("timeline event", "受理"),
    "refused": pgettext_lazy("timeline event", "不予受理"),
    "dispatched": pgettext_lazy("timeline event", "交办"),
    "signed": pgettext_lazy("timeline event", "签收"),
    "sent_back": pgettext_lazy("timeline event", "退单"),
    "progress": pgettext_lazy("timeline event", "反馈进展"),
    "paused": pgettext_lazy("timeline event", "暂停计时（待企业补充）"),
    "resumed": pgettext_lazy("timeline event", "恢复计时"),
    "replied": pgettext_lazy("timeline event", "答复"),
    "followed_up": pgettext_lazy("timeline event", "回访"),
    "reopened": pgettext_lazy("timeline event", "回访不满意，重办"),
    "closed": pgettext_lazy("timeline event", "销号"),
    "merged": pgettext_lazy("timeline event", "合并"),
    "merged_from": pgettext_lazy("timeline event", "合并入本诉求"),
    "withdrawn": pgettext_lazy("timeline event", "企业撤回"),
    "extension_requested": pgettext_lazy("timeline event", "申请延期"),
    "extension_approved": pgettext_lazy("timeline event", "批准延期"),
    "extension_rejected": pgettext_lazy("timeline event", "驳回延期"),
    "beyond_local": pgettext_lazy("timeline event", "属地难以解决"),
    "escalated": pgettext_lazy("timeline event", "提级调度"),
    "problem_case": pgettext_lazy("timeline event", "标记为问题工单"),
    "meeting_held": pgettext_lazy("timeline event", "召开协调会"),
    "supervised": pgettext_lazy("timeline event", "督办"),
    "supervision_answered": pgettext_lazy("timeline event", "督办回复"),
    "deadline_missed": pgettext_lazy("timeline event", "超时"),
    "routing_rule_saved": pgettext_lazy("timeline event", "保存分拨规则"),
    "routing_rule_deleted": pgettext_lazy("timeline event", "删除分拨规则"),
    "reminded": pgettext_lazy("timeline event", "催办"),
    "deadlines_recomputed": pgettext_lazy("timeline event", "工作日调整，重算期限"),
    "corrected": pgettext_lazy("timeline event", "更正登记信息"),
}


def _working_days_changed(sender, changes, **kwargs):
    from .services import recompute_deadlines

    recompute_deadlines(changes)


class CasesConfig(AppConfig):
    name = "zhuqi.cases"
    label = "cases"
    verbose_name = _("企业诉求")

    def ready(self):
        from zhuqi.core import demo, menu
        from zhuqi.core import views as core_views
        from zhuqi.core.roles import DEPARTMENT_ROLES, MANAGER_ROLES, OFFICIAL_ROLES, Role
        from zhuqi.core.signals import working_days_changed
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS as LABELS
        from zhuqi.enterprises import sections as enterprise_sections

        from . import cards, sections
        from . import demo as cases_demo

        LABELS.update(EVENT_LABELS)
        core_views.register_attachable("cases.case")
        if cards.cases_card not in core_views.HOME_CARDS:
            core_views.HOME_CARDS.append(cards.cases_card)
        officials = OFFICIAL_ROLES
        menu.register(menu.MenuItem(_("诉求调度台"), "cases:board", "kanban", MANAGER_ROLES, 10))
        menu.register(menu.MenuItem(_("部门待办"), "cases:inbox", "inbox", DEPARTMENT_ROLES, 10))
        menu.register(menu.MenuItem(_("企业诉求"), "cases:list", "chat-square-text", officials, 11))
        menu.register(menu.MenuItem(_("诉求统计"), "cases:figures", "bar-chart", officials - {Role.GRID}, 12))
        menu.register(menu.MenuItem(_("分拨规则"), "cases:rules", "signpost-split", MANAGER_ROLES, 13))
        menu.register(
            menu.MenuItem(_("我的诉求"), "cases:portal", "chat-square-text", frozenset({Role.ENTERPRISE}), 10)
        )
        demo.register(cases_demo.load, order=60)
        enterprise_sections.register(sections.cases_section, 15)
        working_days_changed.connect(_working_days_changed, dispatch_uid="cases_recompute_deadlines")
        from zhuqi.enterprises.services import register_archive_check

        from .services import open_cases_check

        register_archive_check(open_cases_check)
