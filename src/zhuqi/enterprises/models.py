"""The enterprise registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Region
from zhuqi.core.scope import ScopedQuerySet, scope_for


class Enterprise(models.Model):
    """An enterprise the platform serves, identified by its unified social credit code."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="enterprises"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    above_scale = models.BooleanField(_("规上企业"), default=False)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("")


class EnterpriseUser(models.Model):
    """Links an enterprise user's account to the one enterprise it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_membership"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("企业账号")
        verbose_name_plural = _("企业账号")

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise}"
