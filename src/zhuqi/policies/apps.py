from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PoliciesConfig(AppConfig):
    name = "zhuqi.policies"
    label = "policies"
    verbose_name = _("惠企政策")

    def ready(self):
        from zhuqi.core import views as core_views

        from . import cards

        for card in (cards.enterprise_card,):
            if card not in core_views.HOME_CARDS:
                core_views.HOME_CARDS.append(card)
        from zhuqi.core import demo, menu
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.core.views import register_attachable
        from zhuqi.enterprises import sections as enterprise_sections

        from .demo import load_demo
        from .sections import policies_section

        register_attachable("policies.policydocument")
        register_attachable("policies.application")  # the evidence a claim needs (申报材料)
        enterprise_sections.register(policies_section, 41)
        menu.register(menu.MenuItem(_("惠企政策"), "policies:item_list", "cash-coin", "policies.view", 46))
        menu.register(menu.MenuItem(_("可享政策"), "policies:mine", "cash-coin", "policies.own", 46))
        demo.register(load_demo, order=90)
        EVENT_LABELS.update(
            {
                "policy_document_created": pgettext_lazy("timeline event", "录入政策文件"),
                "policy_document_changed": pgettext_lazy("timeline event", "修改政策文件"),
                "policy_item_created": pgettext_lazy("timeline event", "录入政策事项"),
                "policy_item_changed": pgettext_lazy("timeline event", "修改政策事项"),
                "policy_pushed": pgettext_lazy("timeline event", "推送政策"),
                "policy_applied": pgettext_lazy("timeline event", "申报政策兑现"),
                "policy_return": pgettext_lazy("timeline event", "退回补正"),
                "policy_resubmit": pgettext_lazy("timeline event", "补正后重新提交"),
                "policy_approve": pgettext_lazy("timeline event", "核准兑现"),
                "policy_granted": pgettext_lazy("timeline event", "免申即享核定"),
                "policy_publicise": pgettext_lazy("timeline event", "公示"),
                "policy_account": pgettext_lazy("timeline event", "确认收款账户"),
                "policy_pay": pgettext_lazy("timeline event", "登记兑现"),
                "policy_refuse": pgettext_lazy("timeline event", "不予兑现"),
                "policy_clawback": pgettext_lazy("timeline event", "追回已兑现资金"),
            }
        )
