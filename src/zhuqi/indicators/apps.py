from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IndicatorsConfig(AppConfig):
    name = "zhuqi.indicators"
    label = "indicators"
    verbose_name = _("经济指标")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from zhuqi.core import views as core_views

        from . import cards, rollups
        from .models import Value

        post_save.connect(rollups.mark_saved, sender=Value, dispatch_uid="indicators.rollups.saved")
        post_delete.connect(rollups.mark_saved, sender=Value, dispatch_uid="indicators.rollups.deleted")
        from zhuqi.core.signals import region_moved

        region_moved.connect(rollups.region_moved, dispatch_uid="indicators.rollups.region_moved")

        for card in (
            cards.returns_card,
            cards.laggards_card,
        ):
            if card not in core_views.HOME_CARDS:
                core_views.HOME_CARDS.append(card)
        from zhuqi.core import menu
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.enterprises import sections as enterprise_sections

        from .sections import indicators_section

        enterprise_sections.register(indicators_section, 38)
        # the sidebar's 经济运行 section (orders 40–59)
        for item in (
            menu.MenuItem(_("报表填报"), "indicators:my_returns", "pencil-square", "indicators.report", 40),
            menu.MenuItem(_("指标报送"), "indicators:dataset_list", "clipboard-data", "indicators.view", 41),
            menu.MenuItem(_("批量录入"), "indicators:grid", "grid-3x3", "indicators.enter", 42),
            menu.MenuItem(_("指标调度"), "indicators:dispatch", "speedometer2", "indicators.view", 43),
            menu.MenuItem(_("报表审核"), "indicators:approvals", "shield-check", "indicators.view", 44),
            menu.MenuItem(
                _("目标管理"), "indicators:target_list", "bullseye", "indicators.targets.manage", 45
            ),
        ):
            menu.register(item)
        menu.register_setting(
            menu.SettingPage(
                _("报表"),
                "indicators:settings_datasets",
                _("经济指标报表：指标、报送范围、周期和期限"),
                "indicators.configure",
                40,
            )
        )
        menu.register_setting(
            menu.SettingPage(
                _("指标目录"),
                "indicators:settings_indicators",
                _("全平台共用的经济指标：单位、汇总方式、口径"),
                "indicators.configure",
                41,
            )
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
                "indicator_dataset_created": pgettext_lazy("timeline event", "新建报表"),
                "indicator_dataset_changed": pgettext_lazy("timeline event", "修改报表"),
                "indicator_created": pgettext_lazy("timeline event", "新建指标"),
                "indicator_changed": pgettext_lazy("timeline event", "修改指标"),
                "indicator_target_set": pgettext_lazy("timeline event", "设定指标目标"),
                "indicator_target_parts": pgettext_lazy("timeline event", "调整目标分解"),
                "indicator_reminder": pgettext_lazy("timeline event", "指标督办提醒"),
            }
        )

        # demo data: after the registry (30), cases (60), projects (70)
        from zhuqi.core import demo as core_demo

        from .demo import load as load_demo

        core_demo.register(load_demo, order=80)
