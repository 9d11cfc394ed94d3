from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _projects_in_region(region):
    from django.utils.translation import gettext

    from .models import Project

    return [(gettext("重点项目"), Project.objects.filter(region=region).count())]


def _projects_of_department(department):
    from django.utils.translation import gettext

    from .models import Project

    return [(gettext("负责的重点项目"), Project.objects.filter(department=department).count())]


class ProjectsConfig(AppConfig):
    name = "zhuqi.projects"
    label = "projects"
    verbose_name = _("重点项目")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from zhuqi.core import demo, menu, references, views
        from zhuqi.core import handover as core_handover
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.enterprises import sections as enterprise_sections

        from . import cards, handover, sections

        for duty in handover.DUTIES:
            core_handover.register(duty)
        from .demo import load_demo

        references.register("region", _projects_in_region)
        references.register("department", _projects_of_department)

        from . import rollups

        # 重点项目汇总 (rollups.py): a project saved or deleted marks its path stale
        project_model = self.get_model("Project")
        post_save.connect(rollups.project_saved, sender=project_model, dispatch_uid="projects.rollups.saved")
        post_delete.connect(
            rollups.project_saved, sender=project_model, dispatch_uid="projects.rollups.deleted"
        )

        month_model = self.get_model("InvestmentMonth")
        post_save.connect(_month_changed, sender=month_model, dispatch_uid="zhuqi_progress_save")
        post_delete.connect(_month_changed, sender=month_model, dispatch_uid="zhuqi_progress_delete")

        from zhuqi.enterprises.services import register_archive_check

        from .services import owned_projects_check

        register_archive_check(owned_projects_check)
        menu.register(
            menu.MenuItem(_("重点项目"), "projects:project_list", "cone-striped", "projects.view", 30)
        )
        menu.register(menu.MenuItem(_("挂图作战"), "projects:board", "bar-chart-steps", "projects.board", 31))
        menu.register(
            menu.MenuItem(_("三个一批"), "projects:campaign_list", "flag", "projects.oversight.view", 32)
        )
        menu.register(
            menu.MenuItem(_("项目调度"), "projects:dispatch", "calendar-week", "projects.board", 35)
        )
        menu.register(
            menu.MenuItem(_("已归档项目"), "projects:archived", "archive", "core.archive.restore", 87)
        )
        if cards.projects_card not in views.HOME_CARDS:
            views.HOME_CARDS.append(cards.projects_card)
        views.register_attachable("projects.project")
        demo.register(load_demo, order=70)
        enterprise_sections.register(sections.projects_section, 35)
        EVENT_LABELS.update(
            {
                "project_created": pgettext_lazy("timeline event", "新建项目"),
                "project_handed_over": pgettext_lazy("timeline event", "项目责任交接"),
                "stage_moved": pgettext_lazy("timeline event", "阶段推进"),
                "stage_rollback": pgettext_lazy("timeline event", "阶段回退"),
                "approval_started": pgettext_lazy("timeline event", "审批受理"),
                "approval_done": pgettext_lazy("timeline event", "审批办结"),
                "approval_overdue": pgettext_lazy("timeline event", "审批逾期"),
                "dependency_added": pgettext_lazy("timeline event", "添加前置关系"),
                "schedule_forward": pgettext_lazy("timeline event", "顺排工期"),
                "schedule_backward": pgettext_lazy("timeline event", "倒排工期"),
                "plan_approved": pgettext_lazy("timeline event", "批准计划基线"),
                "investment_planned": pgettext_lazy("timeline event", "分解年度投资计划"),
                "investment_reported": pgettext_lazy("timeline event", "填报月度完成投资"),
                "investment_corrected": pgettext_lazy("timeline event", "修改月度完成投资"),
                "project_archived": pgettext_lazy("timeline event", "归档项目"),
                "campaign_created": pgettext_lazy("timeline event", "新建三个一批期次"),
                "campaign_changed": pgettext_lazy("timeline event", "修改三个一批期次"),
                "ranking_rule_created": pgettext_lazy("timeline event", "新建红黑榜规则"),
                "inspection_created": pgettext_lazy("timeline event", "新建观摩评比"),
                "inspection_changed": pgettext_lazy("timeline event", "修改观摩评比"),
                "ranking_rule_changed": pgettext_lazy("timeline event", "修改红黑榜规则"),
                "project_restored": pgettext_lazy("timeline event", "恢复已归档项目"),
                "campaign_entry_added": pgettext_lazy("timeline event", "纳入三个一批"),
                "inspection_scored": pgettext_lazy("timeline event", "观摩评分"),
                "inspection_published": pgettext_lazy("timeline event", "公布观摩结果"),
                "ranking_published": pgettext_lazy("timeline event", "公布红黑榜"),
            }
        )


def _month_changed(sender, instance, raw=False, **kwargs):
    """Keep the year-to-date rows of that project and year in step with its months."""
    if raw:
        return
    from . import services

    services.month_changed(instance)
