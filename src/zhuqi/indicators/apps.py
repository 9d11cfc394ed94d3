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
        # --- entry (entry helper): the 批量录入 grid; the lead places it among the app's items ---
        menu.register(menu.MenuItem(_("批量录入"), "indicators:grid", "grid-3x3", "indicators.enter", 37))
        # --- end entry ---
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
