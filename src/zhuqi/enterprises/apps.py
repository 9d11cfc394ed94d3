from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _enterprises_in_region(region):
    from django.utils.translation import gettext

    from .models import Enterprise

    return [(gettext("企业"), Enterprise.objects.filter(region=region).count())]


class EnterprisesConfig(AppConfig):
    name = "zhuqi.enterprises"
    label = "enterprises"
    verbose_name = _("企业")

    def ready(self):
        from zhuqi.core import menu, references
        from zhuqi.core.menu import MenuItem
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS

        menu.register(
            MenuItem(_("企业库"), "enterprises:enterprise_list", "buildings", "enterprises.view", 20)
        )
        menu.register(
            MenuItem(_("本企业"), "enterprises:my_enterprise", "building", "enterprises.view_own", 5)
        )
        menu.register(MenuItem(_("企业清单"), "enterprises:list_index", "list-stars", "enterprises.view", 21))
        menu.register(
            MenuItem(
                _("联系方式"),
                "enterprises:my_contacts",
                "person-lines-fill",
                "enterprises.contacts.edit_own",
                6,
            )
        )
        from . import sections, views_accounts

        sections.register(views_accounts.accounts_section, 95)
        references.register("region", _enterprises_in_region)
        menu.register(
            MenuItem(_("已归档企业"), "enterprises:archived", "archive", "core.archive.restore", 86)
        )
        EVENT_LABELS.update(
            {
                "enterprise_registered": pgettext_lazy("timeline event", "登记企业"),
                "enterprise_account_invited": pgettext_lazy("timeline event", "开通企业账号"),
                "activation_link_issued": pgettext_lazy("timeline event", "生成激活链接"),
                "primary_contact_set": pgettext_lazy("timeline event", "设置主要联系人"),
                "enterprise_account_deactivated": pgettext_lazy("timeline event", "停用企业账号"),
                "enterprise_account_reactivated": pgettext_lazy("timeline event", "恢复企业账号"),
                "contacts_updated": pgettext_lazy("timeline event", "更新联系方式"),
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
