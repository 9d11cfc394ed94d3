from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhuqi.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from . import audit, lookups, signals  # noqa: F401 - connect receivers, register `__any`

        audit.connect_permission_signals()
