from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CockpitConfig(AppConfig):
    name = "zhuqi.cockpit"
    label = "cockpit"
    verbose_name = _("领导驾驶舱")

    def ready(self):
        from zhuqi.core import demo, menu
        from zhuqi.core import views as core_views
        from zhuqi.core.templatetags.core_tags import EVENT_LABELS

        from . import cards
        from .demo import load_demo

        menu.register(menu.MenuItem(_("驾驶舱"), "cockpit:cockpit", "speedometer2", "cockpit.view", 5))
        menu.register_setting(
            menu.SettingPage(
                _("区划边界"),
                "cockpit:boundaries",
                _("驾驶舱地图用的镇街、园区边界：上传 GeoJSON"),
                "cockpit.boundaries",
                15,
            )
        )
        if cards.cockpit_card not in core_views.HOME_CARDS:
            core_views.HOME_CARDS.append(cards.cockpit_card)
        demo.register(load_demo, order=95)
        EVENT_LABELS.update(
            {
                "boundary_set": pgettext_lazy("timeline event", "设置区划边界"),
                "boundary_cleared": pgettext_lazy("timeline event", "清除区划边界"),
            }
        )
