from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MuConfig(AppConfig):
    name = "zhuqi.mu"
    label = "mu"
    verbose_name = _("亩均效益评价")

    def ready(self):
        from zhuqi.core import menu
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS
        from zhuqi.enterprises import sections as enterprise_sections

        from .sections import mu_section

        enterprise_sections.register(mu_section, 39)
        menu.register(menu.MenuItem(_("亩均评价"), "mu:run_list", "grid-3x3", "mu.view", 45))
        EVENT_LABELS.update(
            {
                "mu_computed": pgettext_lazy("timeline event", "亩均效益试算"),
                "mu_published": pgettext_lazy("timeline event", "发布亩均效益评价"),
                "mu_adjusted": pgettext_lazy("timeline event", "登记亩均评价调整"),
            }
        )
