from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IndicatorsConfig(AppConfig):
    name = "zhuqi.indicators"
    label = "indicators"
    verbose_name = _("经济指标")

    def ready(self):
        from zhuqi.core import menu
        from zhuqi.enterprises import sections as enterprise_sections

        from .sections import indicators_section

        enterprise_sections.register(indicators_section, 38)
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS

        menu.register(
            menu.MenuItem(_("报表填报"), "indicators:my_returns", "pencil-square", "indicators.report", 40)
        )
        menu.register(
            menu.MenuItem(_("指标报送"), "indicators:dataset_list", "clipboard-data", "indicators.view", 41)
        )
        menu.register(
            menu.MenuItem(_("报表审核"), "indicators:approvals", "shield-check", "indicators.view", 43)
        )
        EVENT_LABELS.update(
            {
                "indicator_values": pgettext_lazy("timeline event", "填报经济指标"),
                "indicator_report": pgettext_lazy("timeline event", "报送指标报表"),
                "indicator_approved": pgettext_lazy("timeline event", "审核锁定报表"),
                "indicator_unlock_requested": pgettext_lazy("timeline event", "申请解锁报表"),
                "indicator_unlock_granted": pgettext_lazy("timeline event", "同意解锁报表"),
                "indicator_unlock_refused": pgettext_lazy("timeline event", "驳回解锁申请"),
                "indicator_reminded": pgettext_lazy("timeline event", "催报"),
            }
        )
