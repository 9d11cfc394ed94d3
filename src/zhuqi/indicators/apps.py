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

        # --- demo data (helper ind-demo): after the registry (30), cases (60), projects (70)
        from zhuqi.core import demo as core_demo

        from .demo import load as load_demo

        core_demo.register(load_demo, order=80)
        # --- end demo data
