from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "submitted": "提交诉求",
    "accepted": "受理",
    "refused": "不予受理",
    "dispatched": "交办",
    "signed": "签收",
    "sent_back": "退单",
    "progress": "反馈进展",
    "paused": "暂停计时（待企业补充）",
    "resumed": "恢复计时",
    "replied": "答复",
    "followed_up": "回访",
    "reopened": "回访不满意，重办",
    "closed": "销号",
    "merged": "合并",
    "merged_from": "合并入本诉求",
    "withdrawn": "企业撤回",
    "extension_requested": "申请延期",
    "extension_approved": "批准延期",
    "extension_rejected": "驳回延期",
    "beyond_local": "属地难以解决",
    "escalated": "提级调度",
    "problem_case": "标记为问题工单",
    "meeting_held": "召开协调会",
    "supervised": "督办",
    "supervision_answered": "督办回复",
    "deadline_missed": "超时",
    "routing_rule_saved": "保存分拨规则",
    "routing_rule_deleted": "删除分拨规则",
    "reminded": "催办",
}


class CasesConfig(AppConfig):
    name = "zhuqi.cases"
    label = "cases"
    verbose_name = _("企业诉求")

    def ready(self):
        from zhuqi.core import demo, menu
        from zhuqi.core import views as core_views
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS as LABELS

        from . import demo as cases_demo
        from . import views

        LABELS.update(EVENT_LABELS)
        core_views.register_attachable("cases.case")
        if views.home_card not in core_views.HOME_CARDS:
            core_views.HOME_CARDS.append(views.home_card)
        officials = menu.OFFICIALS
        menu.register(
            menu.MenuItem(_("诉求调度台"), "cases:board", "kanban", frozenset({"admin", "dispatch"}), 10)
        )
        menu.register(
            menu.MenuItem(_("部门待办"), "cases:inbox", "inbox", frozenset({"dept_head", "handler"}), 10)
        )
        menu.register(menu.MenuItem(_("企业诉求"), "cases:list", "chat-square-text", officials, 11))
        menu.register(menu.MenuItem(_("诉求统计"), "cases:figures", "bar-chart", officials - {"grid"}, 12))
        menu.register(
            menu.MenuItem(
                _("分拨规则"), "cases:rules", "signpost-split", frozenset({"admin", "dispatch"}), 13
            )
        )
        menu.register(
            menu.MenuItem(_("我的诉求"), "cases:portal", "chat-square-text", frozenset({"enterprise"}), 10)
        )
        demo.register(cases_demo.load, order=60)
