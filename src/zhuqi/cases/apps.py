from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "zhuqi.cases"
    label = "cases"
    verbose_name = _("企业诉求")
