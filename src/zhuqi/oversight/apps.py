from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OversightConfig(AppConfig):
    name = "zhuqi.oversight"
    label = "oversight"
    verbose_name = _("督查考核")

    def ready(self):
        from zhuqi.core import demo as core_demo
        from zhuqi.core import menu, references
        from zhuqi.core import views as core_views
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS

        from . import selectors
        from .cards import department_card, queue_card, raise_item_action
        from .demo import load as load_demo

        menu.register(menu.MenuItem(_("督办队列"), "oversight:queue", "megaphone", "oversight.queue", 60))
        menu.register(menu.MenuItem(_("督办事项"), "oversight:item_list", "list-check", "oversight.view", 61))
        menu.register(
            menu.MenuItem(
                _("通报"), "oversight:bulletin_list", "file-earmark-text", "oversight.bulletin.view", 62
            )
        )
        menu.register(
            menu.MenuItem(
                _("考核"), "oversight:scheme_list", "clipboard-data", "oversight.assessment.view", 63
            )
        )
        menu.register(
            menu.MenuItem(_("红黑榜"), "oversight:redblack_list", "trophy", "oversight.assessment.view", 64)
        )
        menu.register(menu.MenuItem(_("督查日历"), "oversight:calendar", "calendar3", "oversight.view", 67))
        menu.register(
            menu.MenuItem(_("观摩评比"), "oversight:tour_list", "clipboard-check", "oversight.tour.view", 65)
        )
        menu.register(
            menu.MenuItem(_("我的观摩评分"), "oversight:tour_mine", "phone", "oversight.tour.score", 66)
        )
        # the 督查 role's home page is its queue: its card comes first (its "order")
        for card in (queue_card, department_card):
            if card not in core_views.HOME_CARDS:
                core_views.HOME_CARDS.append(card)
        core_views.register_object_action(raise_item_action)
        core_demo.register(load_demo, order=90)
        references.register("region", selectors.region_uses)
        references.register("department", selectors.department_uses)
        EVENT_LABELS.update(
            {
                "oversight_assigned": pgettext_lazy("timeline event", "交办督办事项"),
                "oversight_progress": pgettext_lazy("timeline event", "报送进展"),
                "oversight_reply": pgettext_lazy("timeline event", "办结回复"),
                "oversight_accept": pgettext_lazy("timeline event", "审核认定"),
                "oversight_return": pgettext_lazy("timeline event", "退回重办"),
                "oversight_close": pgettext_lazy("timeline event", "销号"),
                "oversight_cancel": pgettext_lazy("timeline event", "撤销督办"),
                "oversight_slip": pgettext_lazy("timeline event", "发出督办单"),
                "oversight_extension_requested": pgettext_lazy("timeline event", "申请延期"),
                "oversight_extension_approved": pgettext_lazy("timeline event", "同意延期"),
                "oversight_extension_refused": pgettext_lazy("timeline event", "不同意延期"),
                "bulletin_drafted": pgettext_lazy("timeline event", "起草通报"),
                "bulletin_approved": pgettext_lazy("timeline event", "审核通报"),
                "bulletin_published": pgettext_lazy("timeline event", "发布通报"),
                "assessment_scheme_created": pgettext_lazy("timeline event", "新建考核方案"),
                "assessment_scheme_changed": pgettext_lazy("timeline event", "修改考核方案"),
                "assessment_computed": pgettext_lazy("timeline event", "计算考核结果"),
                "assessment_published": pgettext_lazy("timeline event", "公布考核结果"),
                "redblack_rule_created": pgettext_lazy("timeline event", "新建红黑榜规则"),
                "redblack_rule_changed": pgettext_lazy("timeline event", "修改红黑榜规则"),
                "redblack_exempted": pgettext_lazy("timeline event", "登记黑榜豁免"),
                "redblack_published": pgettext_lazy("timeline event", "公布红黑榜"),
                "tour_created": pgettext_lazy("timeline event", "组织观摩"),
                "tour_changed": pgettext_lazy("timeline event", "修改观摩"),
                "tour_scored": pgettext_lazy("timeline event", "观摩评分"),
                "tour_published": pgettext_lazy("timeline event", "公布观摩结果"),
                "calendar_reminded": pgettext_lazy("timeline event", "督查日历提醒"),
                "calendar_event_created": pgettext_lazy("timeline event", "新增督查日历事项"),
                "calendar_event_changed": pgettext_lazy("timeline event", "修改督查日历事项"),
                "calendar_event_deactivated": pgettext_lazy("timeline event", "停用督查日历事项"),
                "calendar_event_activated": pgettext_lazy("timeline event", "启用督查日历事项"),
            }
        )
