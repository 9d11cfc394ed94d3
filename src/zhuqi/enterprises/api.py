"""Enterprise REST API, scoped like the pages."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from zhuqi.core.api import ScopedViewSetMixin

from .models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "region", "address", "legal_representative", "above_scale"]


class EnterpriseViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset_base = Enterprise.objects.select_related("region")
    serializer_class = EnterpriseSerializer
    filterset_fields = ["region", "above_scale"]
    search_fields = ["name", "credit_code"]


def register(router) -> None:
    router.register("enterprises", EnterpriseViewSet, basename="enterprise")
