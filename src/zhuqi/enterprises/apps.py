from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "zhuqi.enterprises"
    label = "enterprises"
    verbose_name = _("企业")

    def ready(self):
        from zhuqi.core import menu
        from zhuqi.core.menu import MenuItem
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS

        menu.register(
            MenuItem(_("企业库"), "enterprises:enterprise_list", "buildings", menu.ALL - {"enterprise"}, 20)
        )
        menu.register(
            MenuItem(_("本企业"), "enterprises:my_enterprise", "building", frozenset({"enterprise"}), 5)
        )
        menu.register(MenuItem(_("企业清单"), "enterprises:list_index", "list-stars", menu.OFFICIALS, 21))
        EVENT_LABELS.update(
            {
                "enterprise_registered": "登记企业",
                "credit_code_override": "确认未通过校验的信用代码",
                "tags_changed": "修改标签",
                "key_designated": "认定重点企业",
                "key_revoked": "取消重点企业",
                "list_entered": "入库",
                "list_exited": "出库",
                "pool_goal_achieved": "达成培育目标",
            }
        )
