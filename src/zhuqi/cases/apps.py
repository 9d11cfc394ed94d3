from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

EVENT_LABELS = {
    "leader_handed_over": pgettext_lazy("timeline event", "交办领导交接"),
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
    "meeting_scheduled": pgettext_lazy("timeline event", "安排协调会"),
    "coordination_scheduled": pgettext_lazy("timeline event", "安排协调会"),
    "coordination_held": pgettext_lazy("timeline event", "记录协调会结果"),
    "coordination_cancelled": pgettext_lazy("timeline event", "取消协调会"),
    "supervised": pgettext_lazy("timeline event", "督办"),
    "supervision_answered": pgettext_lazy("timeline event", "督办回复"),
    "deadline_missed": pgettext_lazy("timeline event", "超时"),
    "routing_rule_saved": pgettext_lazy("timeline event", "保存分拨规则"),
    "routing_rule_deleted": pgettext_lazy("timeline event", "删除分拨规则"),
    "category_created": pgettext_lazy("timeline event", "新建问题类别"),
    "category_saved": pgettext_lazy("timeline event", "修改问题类别"),
    "category_enabled": pgettext_lazy("timeline event", "启用问题类别"),
    "category_disabled": pgettext_lazy("timeline event", "停用问题类别"),
    "sla_policy_created": pgettext_lazy("timeline event", "新建时限规则"),
    "sla_policy_saved": pgettext_lazy("timeline event", "修改时限规则"),
    "sla_policy_enabled": pgettext_lazy("timeline event", "启用时限规则"),
    "sla_policy_disabled": pgettext_lazy("timeline event", "停用时限规则"),
    "sla_scheme_activated": pgettext_lazy("timeline event", "切换时限制度"),
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
        from zhuqi.core import demo, menu, references
        from zhuqi.core import views as core_views
        from zhuqi.core.signals import working_days_changed
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS as LABELS
        from zhuqi.enterprises import sections as enterprise_sections

        from . import cards, sections
        from . import demo as cases_demo
        from . import selectors as cases_selectors

        LABELS.update(EVENT_LABELS)
        from zhuqi.core import handover as core_handover

        from . import handover

        for duty in handover.DUTIES:
            core_handover.register(duty)
        core_views.register_attachable("cases.case")
        for card in (cards.cases_card, cards.coordination_card):
            if card not in core_views.HOME_CARDS:
                core_views.HOME_CARDS.append(card)
        menu.register(menu.MenuItem(_("诉求调度台"), "cases:board", "kanban", "cases.board", 10))
        menu.register(menu.MenuItem(_("部门待办"), "cases:inbox", "inbox", "cases.inbox", 10))
        menu.register(menu.MenuItem(_("企业诉求"), "cases:list", "chat-square-text", "cases.list", 11))
        menu.register(
            menu.MenuItem(_("协调会"), "cases:coordination", "people", "cases.coordination.view", 11)
        )
        menu.register(menu.MenuItem(_("诉求统计"), "cases:figures", "bar-chart", "cases.figures", 12))
        menu.register(menu.MenuItem(_("分拨规则"), "cases:rules", "signpost-split", "cases.configure", 13))
        menu.register(menu.MenuItem(_("我的诉求"), "cases:portal", "chat-square-text", "cases.portal", 10))
        demo.register(cases_demo.load, order=60)
        enterprise_sections.register(sections.cases_section, 15)
        working_days_changed.connect(_working_days_changed, dispatch_uid="cases_recompute_deadlines")
        from django.db.models.signals import post_delete, post_save

        from . import rollups
        from .models import Case

        post_save.connect(rollups.mark_saved, sender=Case, dispatch_uid="cases.rollups.saved")
        post_delete.connect(rollups.mark_saved, sender=Case, dispatch_uid="cases.rollups.deleted")
        _connect_cache_versions()
        menu.register_setting(
            menu.SettingPage(
                _("问题类别"), "cases:categories", _("诉求的分类：新建、修改、停用"), "core.settings.view", 20
            )
        )
        menu.register_setting(
            menu.SettingPage(
                _("办理时限制度"),
                "cases:sla",
                _("13710、山东 5 日或本县自定义：执行哪一个、从哪天起、各项时限"),
                "core.settings.view",
                21,
            )
        )
        menu.register_setting(
            menu.SettingPage(
                _("分拨规则"), "cases:rules", _("问题类别 × 区划 → 主办、协办部门"), "cases.configure", 22
            )
        )
        references.register("region", cases_selectors.region_uses)
        references.register("department", cases_selectors.department_uses)
        from zhuqi.enterprises.services import register_archive_check

        from .services import open_cases_check

        register_archive_check(open_cases_check)


# fields of a user that decide whether it is one of the dispatch recipients services keep
_RECIPIENT_FIELDS = {"role", "region", "region_id", "is_active"}


def _connect_cache_versions() -> None:
    """Edits of what `services` keeps per process (SLA configuration, dispatch recipients)
    write a new version token in the editing transaction (`zhuqi.core.versions`)."""
    from django.db.models.signals import post_delete, post_save

    from zhuqi.core import versions
    from zhuqi.core.models import Region, User

    from . import services
    from .models import Category, SlaActivation, SlaPolicy

    # `raw` saves (loaddata) count too: a fixture changes the rows as much as a form does
    def sla_changed(sender, **kwargs):
        versions.bump(services.SLA)

    def recipients_changed(sender, update_fields=None, **kwargs):
        if update_fields is not None and not _RECIPIENT_FIELDS & set(update_fields):
            return  # e.g. last_login on each login
        versions.bump(services.DISPATCH_USERS)

    for model in (SlaPolicy, SlaActivation, Category):
        for signal in (post_save, post_delete):
            signal.connect(
                sla_changed,
                sender=model,
                weak=False,
                dispatch_uid=f"cases.sla.{model.__name__}.{signal is post_save}",
            )
    for model in (User, Region):
        for signal in (post_save, post_delete):
            signal.connect(
                recipients_changed,
                sender=model,
                weak=False,
                dispatch_uid=f"cases.recipients.{model.__name__}.{signal is post_save}",
            )
