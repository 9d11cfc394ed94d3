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
        from zhuqi.core.roles import ALL_ROLES, OFFICIAL_ROLES
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.enterprises import sections as enterprise_sections

        from . import cards, sections
        from .demo import load_demo

        references.register("region", _projects_in_region)
        references.register("department", _projects_of_department)

        month_model = self.get_model("InvestmentMonth")
        post_save.connect(_month_changed, sender=month_model, dispatch_uid="zhuqi_progress_save")
        post_delete.connect(_month_changed, sender=month_model, dispatch_uid="zhuqi_progress_delete")

        officials = OFFICIAL_ROLES
        menu.register(menu.MenuItem(_("重点项目"), "projects:project_list", "cone-striped", ALL_ROLES, 30))
        menu.register(menu.MenuItem(_("挂图作战"), "projects:board", "bar-chart-steps", officials, 31))
        menu.register(menu.MenuItem(_("三个一批"), "projects:campaign_list", "flag", officials, 32))
        menu.register(
            menu.MenuItem(_("观摩评比"), "projects:inspection_list", "clipboard-check", officials, 33)
        )
        menu.register(menu.MenuItem(_("红黑榜"), "projects:ranking_list", "trophy", officials, 34))
        menu.register(menu.MenuItem(_("项目调度"), "projects:dispatch", "calendar-week", officials, 35))
        if cards.projects_card not in views.HOME_CARDS:
            views.HOME_CARDS.append(cards.projects_card)
        views.register_attachable("projects.project")
        demo.register(load_demo, order=70)
        enterprise_sections.register(sections.projects_section, 35)
        EVENT_LABELS.update(
            {
                "project_created": pgettext_lazy("timeline event", "新建项目"),
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
