from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssistanceConfig(AppConfig):
    name = "zhuqi.assistance"
    label = "assistance"
    verbose_name = _("包抓帮扶")

    def ready(self):
        from zhuqi.core import demo, menu, scope
        from zhuqi.core.menu import MenuItem
        from zhuqi.core.roles import MANAGER_ROLES, Role
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.core.views import HOME_CARDS, register_attachable
        from zhuqi.enterprises import sections as enterprise_sections

        from . import cards, sections, selectors
        from . import demo as assistance_demo

        scope.register_assigned_enterprises(selectors.assigned_enterprises)
        scope.register_responsible_officials(selectors.responsible_officials)
        scope.register_assignment_groups(selectors.assignment_groups)
        from zhuqi.core import handover as core_handover

        from . import handover

        for duty in handover.DUTIES:
            core_handover.register(duty)
        from django.db.models.signals import post_delete, post_save

        assignment = self.get_model("Assignment")
        post_save.connect(
            scope.assignments_changed, sender=assignment, dispatch_uid="zhuqi_scope_assign_save"
        )
        post_delete.connect(
            scope.assignments_changed, sender=assignment, dispatch_uid="zhuqi_scope_assign_del"
        )
        from zhuqi.enterprises.services import register_archive_check

        from .services import current_assignments_check

        register_archive_check(current_assignments_check)
        register_attachable("assistance.visit")
        register_attachable("assistance.meeting")
        menu.register(
            MenuItem(_("我的企业"), "assistance:my_enterprises", "star", "assistance.my_enterprises", 5)
        )
        menu.register(
            MenuItem(_("走访记录"), "assistance:visit_list", "geo-alt", "assistance.visit.view", 22)
        )
        menu.register(
            MenuItem(
                _("走访考核"), "assistance:compliance", "bar-chart-line", "assistance.compliance.view", 23
            )
        )
        # a configuration page: in the menu of those who open 系统设置 (the dispatch office reads
        # it, administrators change it: assistance.configure); others reach it from their pages
        menu.register(
            MenuItem(_("走访频次与包抓数量"), "assistance:rules", "sliders", "core.settings.view", 88)
        )
        menu.register(
            MenuItem(_("一企一策"), "assistance:plan_list", "clipboard-check", "assistance.plan.view", 24)
        )
        menu.register(
            MenuItem(_("政企会议"), "assistance:meeting_list", "people-fill", "assistance.meetings.view", 25)
        )
        menu.register(
            MenuItem(
                _("包抓分工"),
                "assistance:assignment_list",
                "diagram-2",
                MANAGER_ROLES | {Role.LEADER, Role.SUPERVISOR},
                26,
            )
        )
        if cards.my_enterprises_card not in HOME_CARDS:
            HOME_CARDS.append(cards.my_enterprises_card)
        EVENT_LABELS.update(
            {
                "assigned": pgettext_lazy("timeline event", "分配包抓责任"),
                "handed_over": pgettext_lazy("timeline event", "工作交接"),
                "measure_handed_over": pgettext_lazy("timeline event", "交接一企一策措施"),
                "assignment_ended": pgettext_lazy("timeline event", "结束包抓"),
                "visit_recorded": pgettext_lazy("timeline event", "填报走访"),
                "visit_corrected": pgettext_lazy("timeline event", "更正走访记录"),
                "visit_withdrawn": pgettext_lazy("timeline event", "撤回走访记录"),
                "plan_created": pgettext_lazy("timeline event", "制定一企一策"),
                "measure_added": pgettext_lazy("timeline event", "新增帮扶措施"),
                "measure_progress": pgettext_lazy("timeline event", "更新措施进展"),
                "meeting_recorded": pgettext_lazy("timeline event", "登记政企会议"),
                "visit_rule_changed": pgettext_lazy("timeline event", "修改走访频次"),
                "load_limit_changed": pgettext_lazy("timeline event", "修改包抓数量"),
            }
        )
        enterprise_sections.register(sections.team_section, 10)
        enterprise_sections.register(sections.plan_section, 20)
        enterprise_sections.register(sections.visits_section, 30)
        demo.register(assistance_demo.load, 30)
