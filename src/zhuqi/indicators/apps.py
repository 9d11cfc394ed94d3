from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IndicatorsConfig(AppConfig):
    name = "zhuqi.indicators"
    label = "indicators"
    verbose_name = _("经济指标")

    def ready(self):
        from zhuqi.core import menu
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS

        assert menu  # menu items: added with their pages
        # --- 经济指标调度 and 目标管理 (views_dispatch.py, views_targets.py) ---
        from zhuqi.core import scope
        from zhuqi.core.menu import MenuItem

        assert (
            scope.GROUP_KINDS
        )  # assistance registers the 包抓 groups (core.scope.register_assignment_groups)
        menu.register(MenuItem(_("指标调度"), "indicators:dispatch", "speedometer2", "indicators.view", 42))
        menu.register(
            MenuItem(_("目标管理"), "indicators:target_list", "bullseye", "indicators.targets.manage", 44)
        )
        EVENT_LABELS.update(
            {
                "indicator_target_set": pgettext_lazy("timeline event", "设定指标目标"),
                "indicator_target_parts": pgettext_lazy("timeline event", "调整目标分解"),
                "indicator_reminder": pgettext_lazy("timeline event", "指标督办提醒"),
            }
        )
        # --- end 经济指标调度 and 目标管理 ---
        EVENT_LABELS.update(
            {
                "indicator_values": pgettext_lazy("timeline event", "填报经济指标"),
                "indicator_report": pgettext_lazy("timeline event", "报送指标报表"),
                "indicator_approved": pgettext_lazy("timeline event", "审核锁定报表"),
                "indicator_unlock_requested": pgettext_lazy("timeline event", "申请解锁报表"),
                "indicator_unlock_granted": pgettext_lazy("timeline event", "同意解锁报表"),
                "indicator_unlock_refused": pgettext_lazy("timeline event", "驳回解锁申请"),
            }
        )
