"""REST API of the 亩均 evaluation, read-only and scoped like the pages: runs (officials of the
run's region and above), results with every item's intermediate (officials: the enterprises they
may see; an enterprise user: its own result in runs in 公示 or published, never a trial), each
result's explanation lines. Filters: a result list by `run`, `klass`, `enterprise`."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from zhuqi.core import permissions
from zhuqi.core.api import ScopedViewSetMixin
from zhuqi.core.params import int_param

from .models import Klass, Result, ResultItem, Run


class RunSerializer(serializers.ModelSerializer):
    scheme_code = serializers.CharField(source="scheme.code", read_only=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "scheme",
            "scheme_code",
            "scheme_name",
            "region",
            "region_name",
            "year",
            "status",
            "evaluated",
            "excluded",
            "batch_ids",
            "created_at",
            "publicity_start",
            "publicity_end",
            "published_at",
            "replaces",
        ]
        read_only_fields = fields


class ResultItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultItem
        fields = [
            "measure",
            "family",
            "weight",
            "value",
            "benchmark",
            "benchmark_low",
            "ratio",
            "points",
            "missing",
            "capped",
        ]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    year = serializers.IntegerField(source="run.year", read_only=True)
    run_status = serializers.CharField(source="run.status", read_only=True)
    items = ResultItemSerializer(many=True, read_only=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "run",
            "year",
            "run_status",
            "enterprise",
            "enterprise_name",
            "credit_code",
            "excluded_reason",
            "base",
            "bonus",
            "penalty",
            "total",
            "land_mu",
            "tax",
            "tax_per_mu",
            "veto",
            "rank",
            "percentile",
            "rank_class",
            "klass",
            "items",
        ]
        read_only_fields = fields


class RunViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Run.objects.select_related("scheme", "region").order_by("-year", "-pk")
    serializer_class = RunSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        return qs if permissions.allowed(self.request.user, "mu.view") else qs.none()


class ResultViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = (
        Result.objects.select_related("enterprise", "run")
        .prefetch_related("items")
        .order_by("run_id", "rank", "enterprise__name", "pk")
    )
    serializer_class = ResultSerializer

    def get_queryset(self):
        user = self.request.user
        qs = super().get_queryset()
        if not (permissions.allowed(user, "mu.view") or permissions.allowed(user, "mu.own")):
            return qs.none()
        params = self.request.query_params
        run_id = int_param(params, "run")
        if run_id:
            qs = qs.filter(run_id=run_id)
        klass = params.get("klass")
        if klass in Klass.values:
            qs = qs.filter(klass=klass)
        enterprise_id = int_param(params, "enterprise")
        if enterprise_id:
            qs = qs.filter(enterprise_id=enterprise_id)
        return qs


def register(router) -> None:
    router.register("mu-runs", RunViewSet, basename="mu-run")
    router.register("mu-results", ResultViewSet, basename="mu-result")
