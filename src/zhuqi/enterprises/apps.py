from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EnterprisesConfig(AppConfig):
    name = "zhuqi.enterprises"
    label = "enterprises"
    verbose_name = _("企业")

    def ready(self):
        from zhuqi.core import menu
        from zhuqi.core.menu import MenuItem
        from zhuqi.core.roles import OFFICIAL_ROLES, Role
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS

        menu.register(MenuItem(_("企业库"), "enterprises:enterprise_list", "buildings", OFFICIAL_ROLES, 20))
        menu.register(
            MenuItem(_("本企业"), "enterprises:my_enterprise", "building", frozenset({Role.ENTERPRISE}), 5)
        )
        menu.register(MenuItem(_("企业清单"), "enterprises:list_index", "list-stars", OFFICIAL_ROLES, 21))
        menu.register(
            MenuItem(_("已归档企业"), "enterprises:archived", "archive", frozenset({Role.ADMIN}), 86)
        )
        EVENT_LABELS.update(
            {
                "enterprise_registered": pgettext_lazy("timeline event", "登记企业"),
                "credit_code_override": pgettext_lazy("timeline event", "确认未通过校验的信用代码"),
                "tags_changed": pgettext_lazy("timeline event", "修改标签"),
                "key_designated": pgettext_lazy("timeline event", "认定重点企业"),
                "key_revoked": pgettext_lazy("timeline event", "取消重点企业"),
                "list_entered": pgettext_lazy("timeline event", "入库"),
                "list_exited": pgettext_lazy("timeline event", "出库"),
                "pool_goal_achieved": pgettext_lazy("timeline event", "达成培育目标"),
                "enterprise_archived": pgettext_lazy("timeline event", "归档企业"),
                "list_created": pgettext_lazy("timeline event", "新建清单"),
                "list_changed": pgettext_lazy("timeline event", "修改清单"),
                "enterprise_restored": pgettext_lazy("timeline event", "恢复已归档企业"),
            }
        )
