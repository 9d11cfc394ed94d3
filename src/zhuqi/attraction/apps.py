from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AttractionConfig(AppConfig):
    name = "zhuqi.attraction"
    label = "attraction"
    verbose_name = _("招商引资")

    def ready(self):
        from zhuqi.core import demo, menu
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.projects import panels as project_panels

        from .demo import load_demo
        from .panels import lead_panel

        project_panels.register(lead_panel, 10)
        self._rollup_signals()

        menu.register(menu.MenuItem(_("招商线索"), "attraction:lead_list", "bullseye", "attraction.view", 36))
        menu.register(menu.MenuItem(_("招商漏斗"), "attraction:funnel", "funnel", "attraction.view", 37))
        menu.register(
            menu.MenuItem(_("到位资金台账"), "attraction:funds_ledger", "cash-stack", "attraction.view", 38)
        )
        menu.register(menu.MenuItem(_("产业链图谱"), "attraction:chains", "diagram-2", "attraction.view", 38))
        menu.register(
            menu.MenuItem(_("招商路径图"), "attraction:target_paths", "signpost-split", "attraction.view", 38)
        )
        menu.register(menu.MenuItem(_("招商成效"), "attraction:rates", "percent", "attraction.view", 38))
        menu.register(
            menu.MenuItem(_("招商年度目标"), "attraction:annual_targets", "flag", "attraction.view", 38)
        )
        menu.register(
            menu.MenuItem(
                _("线索研判会"), "attraction:meeting_list", "clipboard-check", "attraction.view", 38
            )
        )
        menu.register(
            menu.MenuItem(
                _("驻外招商周报"), "attraction:report_board", "calendar-week", "attraction.view", 38
            )
        )
        menu.register_setting(
            menu.SettingPage(
                _("联审预审部门"),
                "attraction:reviewers",
                _("招商项目“14+n”联审预审：常设预审部门和按行业增加的部门"),
                "attraction.configure",
                70,
            )
        )
        menu.register_setting(
            menu.SettingPage(
                _("驻外招商组"),
                "attraction:abroad_teams",
                _("哪些部门是驻外招商组、驻点城市和每周周报的截止日"),
                "attraction.configure",
                71,
            )
        )
        menu.register_setting(
            menu.SettingPage(
                _("招商线索办理时限"),
                "attraction:clock_settings",
                _("亿元以上线索从多少金额起计时，响应、研判、反馈推荐人、报告进展各几个工作日"),
                "attraction.clocks.configure",
                72,
            )
        )
        demo.register(load_demo, order=95)
        EVENT_LABELS.update(
            {
                "lead_registered": pgettext_lazy("timeline event", "登记招商线索"),
                "lead_changed": pgettext_lazy("timeline event", "修改招商线索"),
                "lead_moved": pgettext_lazy("timeline event", "线索推进"),
                "prereview_started": pgettext_lazy("timeline event", "发起联审预审"),
                "prereview_opinion": pgettext_lazy("timeline event", "部门预审意见"),
                "prereview_concluded": pgettext_lazy("timeline event", "出具综合预审意见"),
                "contract_recorded": pgettext_lazy("timeline event", "登记招商合同"),
                "obligation_checked": pgettext_lazy("timeline event", "核定履约情况"),
                "lead_converted": pgettext_lazy("timeline event", "转为重点项目"),
                "funds_recorded": pgettext_lazy("timeline event", "登记到位资金"),
                "reviewer_set": pgettext_lazy("timeline event", "设置预审部门"),
                "target_added": pgettext_lazy("timeline event", "登记重点目标企业"),
                "target_changed": pgettext_lazy("timeline event", "修改重点目标企业"),
                "clock_stopped": pgettext_lazy("timeline event", "记录时限办理情况"),
                "clock_overdue": pgettext_lazy("timeline event", "办理时限超时"),
                "clock_setting_set": pgettext_lazy("timeline event", "设置办理时限"),
                "clock_setting_cleared": pgettext_lazy("timeline event", "恢复上级办理时限"),
                "weekly_report_filed": pgettext_lazy("timeline event", "报送驻外招商周报"),
                "weekly_report_changed": pgettext_lazy("timeline event", "修改驻外招商周报"),
                "weekly_report_reminded": pgettext_lazy("timeline event", "提醒报送周报"),
                "abroad_team_set": pgettext_lazy("timeline event", "设置驻外招商组"),
                "obligation_breached": pgettext_lazy("timeline event", "违约预警"),
                "chain_added": pgettext_lazy("timeline event", "新建产业链"),
                "chain_changed": pgettext_lazy("timeline event", "修改产业链"),
                "chain_node_added": pgettext_lazy("timeline event", "添加产业链环节"),
                "chain_node_changed": pgettext_lazy("timeline event", "修改产业链环节"),
                "chain_node_switched": pgettext_lazy("timeline event", "启用/停用产业链环节"),
                "chain_enterprise_confirmed": pgettext_lazy("timeline event", "确认环节上的本地企业"),
                "chain_enterprise_removed": pgettext_lazy("timeline event", "移除环节上的本地企业"),
                "annual_target_set": pgettext_lazy("timeline event", "下达招商年度目标"),
                "annual_target_split": pgettext_lazy("timeline event", "分解招商年度目标"),
                "ledger_closed": pgettext_lazy("timeline event", "到位资金台账关账"),
                "ledger_reopened": pgettext_lazy("timeline event", "到位资金台账重新开账"),
                "judging_called": pgettext_lazy("timeline event", "召开线索研判会"),
                "judging_scored": pgettext_lazy("timeline event", "记录研判评分"),
                "judging_decided": pgettext_lazy("timeline event", "研判会作出结论"),
            }
        )

    @staticmethod
    def _rollup_signals() -> None:
        """Mark the rollup's pairs stale on every change it counts (rollups.py)."""
        from django.db.models.signals import post_delete, post_save, pre_delete

        from zhuqi.projects.models import Project

        from . import rollups
        from .models import FundMonth, Lead, LedgerClose, Stage, StageChange

        for sender, receiver in (
            (Lead, rollups.lead_saved),
            (StageChange, rollups.change_saved),
            (FundMonth, rollups.fund_saved),
            (LedgerClose, rollups.ledger_saved),
            (Stage, rollups.stages_changed),
        ):
            name = f"attraction.rollups.{sender.__name__}"
            post_save.connect(receiver, sender=sender, dispatch_uid=f"{name}.saved")
            post_delete.connect(receiver, sender=sender, dispatch_uid=f"{name}.deleted")
        pre_delete.connect(rollups.project_deleted, sender=Project, dispatch_uid="attraction.rollups.project")
