from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MuConfig(AppConfig):
    name = "zhuqi.mu"
    label = "mu"
    verbose_name = _("亩均效益评价")

    def ready(self):
        from zhuqi.core import demo as core_demo
        from zhuqi.core import menu
        from zhuqi.core import views as core_views
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.enterprises import sections as enterprise_sections
        from zhuqi.enterprises.selectors import ListFilter, register_list_filter

        from .demo import load as load_demo
        from .sections import mu_section
        from .selectors import class_filter_choices, class_filter_q

        enterprise_sections.register(mu_section, 39)
        register_list_filter(ListFilter("mu", _("亩均类别"), class_filter_choices, class_filter_q))
        core_demo.register(load_demo, order=85)  # after the indicators demo's 规上 reporters
        menu.register(menu.MenuItem(_("亩均评价"), "mu:run_list", "grid-3x3", "mu.view", 45))
        core_views.register_attachable("mu.objection")
        menu.register_setting(
            menu.SettingPage(
                _("亩均差别化措施"),
                "mu:measures",
                _("各类企业执行的差别化电价、水价、用地、用能措施和有效期"),
                "mu.measures.configure",
                40,
            )
        )
        EVENT_LABELS.update(
            {
                "mu_announced": pgettext_lazy("timeline event", "发布亩均效益评价公示"),
                "mu_recomputed": pgettext_lazy("timeline event", "亩均效益重新计算"),
                "mu_objected": pgettext_lazy("timeline event", "对亩均评价结果提出异议"),
                "mu_objection_upheld": pgettext_lazy("timeline event", "采纳亩均评价异议"),
                "mu_objection_rejected": pgettext_lazy("timeline event", "不予采纳亩均评价异议"),
                "mu_key_list_confirmed": pgettext_lazy("timeline event", "确定包保联系名单"),
                "mu_fact_corrected": pgettext_lazy("timeline event", "更正亩均评价数据"),
                "mu_computed": pgettext_lazy("timeline event", "亩均效益试算"),
                "mu_published": pgettext_lazy("timeline event", "正式发布亩均效益评价"),
                "mu_adjusted": pgettext_lazy("timeline event", "登记亩均评价调整"),
                "mu_measure_added": pgettext_lazy("timeline event", "添加差别化措施"),
                "mu_measure_changed": pgettext_lazy("timeline event", "修改差别化措施"),
                "mu_measure_deleted": pgettext_lazy("timeline event", "删除差别化措施"),
                "mu_measures_started": pgettext_lazy("timeline event", "建立本辖区差别化措施清单"),
            }
        )
