"""REST API of supervision items, scoped like the pages: items read from
`visible_to(request.user)`; one write, `POST /api/v1/oversight-items/{id}/fire/`, fires a
transition of `workflow.TRANSITIONS` through `services.fire` (the lead department's reply,
督查's accept / return / close / cancel)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core import permissions
from zhuqi.core.api import ScopedViewSetMixin, service_errors

from . import services, tours, workflow
from .models import Assessment, Item, RedBlackList, RedBlackRule, Result, Slip, Status, TourRound


class ItemSerializer(serializers.ModelSerializer):
    lead_department_name = serializers.CharField(source="lead_department.name", read_only=True)
    slip_label = serializers.CharField(source="get_slip_display", read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "region",
            "title",
            "requirement",
            "source",
            "source_text",
            "list_kind",
            "year",
            "lead_department",
            "lead_department_name",
            "priority",
            "report_frequency",
            "assigned_on",
            "working_days",
            "due_on",
            "status",
            "slip",
            "slip_label",
            "slip_reason",
            "slip_at",
            "progress_pct",
            "next_report_on",
            "closed_at",
        ]
        read_only_fields = fields


class FireSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(workflow.TRANSITIONS))
    body = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    progress_pct = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=100, required=False, allow_null=True
    )


class ItemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    slip = django_filters.ChoiceFilter(choices=Slip.choices)

    class Meta:
        model = Item
        fields = ["status", "slip", "lead_department", "list_kind", "year"]


class ItemViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Item.objects.select_related("lead_department").order_by("-slip", "due_on", "pk")
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    # the role part of every transition (reply: the department; review: 督查); the
    # workflow decides who may fire which
    write_actions = {"fire": "oversight.view"}

    @extend_schema(request=FireSerializer, responses=ItemSerializer)
    @action(detail=True, methods=["post"])
    def fire(self, request, pk=None):
        item = self.get_object()
        data = FireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        with service_errors():
            item = services.fire(
                item, d["action"], actor=request.user, body=d["body"], progress_pct=d.get("progress_pct")
            )
        return Response(ItemSerializer(item).data)


class AssessmentResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Result
        fields = ["unit_kind", "unit_id", "label", "total", "rank", "items"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    region = serializers.IntegerField(source="scheme.region_id", read_only=True)
    period_label = serializers.CharField(read_only=True)
    results = AssessmentResultSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "region",
            "period",
            "period_label",
            "status",
            "computed_at",
            "published_at",
            "results",
        ]
        read_only_fields = fields


class AssessmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """考核结果 (docs/oversight.md §5): each unit's total, rank and per-item explanation with the
    link to its rows; a department sees its region's published ones."""

    queryset = (
        Assessment.objects.select_related("scheme").prefetch_related("results").order_by("-period", "-pk")
    )
    serializer_class = AssessmentSerializer
    filterset_fields = ["scheme", "period", "status"]

    def get_queryset(self):
        # a role the matrix does not let see assessments reads no rows (404 on one), like any
        # row outside its scope
        qs = super().get_queryset()
        return qs if permissions.allowed(self.request.user, "oversight.assessment.view") else qs.none()


class RedBlackListSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(read_only=True)

    class Meta:
        model = RedBlackList
        fields = ["period", "period_label", "red", "black", "exempted", "published_at"]
        read_only_fields = fields


class RedBlackRuleSerializer(serializers.ModelSerializer):
    lists = RedBlackListSerializer(many=True, read_only=True)

    class Meta:
        model = RedBlackRule
        fields = [
            "id",
            "region",
            "name",
            "sequence",
            "metric",
            "indicator",
            "scheme",
            "target",
            "size",
            "period_kind",
            "lists",
        ]
        read_only_fields = fields


class RedBlackRuleViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """红黑榜 rules with their published lists (docs/oversight.md §6)."""

    queryset = RedBlackRule.objects.prefetch_related("lists").order_by("region__path", "name")
    serializer_class = RedBlackRuleSerializer

    def get_queryset(self):
        # a role the matrix does not let see assessments reads no rows (404 on one), like any
        # row outside its scope
        qs = super().get_queryset()
        return qs if permissions.allowed(self.request.user, "oversight.assessment.view") else qs.none()


class TourSerializer(serializers.ModelSerializer):
    class Meta:
        model = TourRound
        fields = ["id", "name", "period", "region", "held_on", "status", "published_at"]
        read_only_fields = fields  # output only: no write names a row through it


class TourResultSerializer(serializers.Serializer):
    site = serializers.IntegerField(source="site.pk")
    name = serializers.CharField(source="site.name")
    project = serializers.IntegerField(source="site.project_id", allow_null=True)
    enterprise = serializers.IntegerField(source="site.enterprise_id", allow_null=True)
    order = serializers.IntegerField(source="site.order")
    judges_done = serializers.IntegerField(source="done")
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


class TourViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Inspection-tour rounds (观摩); `results` gives each site's total and rank once the round
    is published (before, the totals and ranks are null: only the judges' progress shows)."""

    queryset = TourRound.objects.select_related("region")
    serializer_class = TourSerializer
    filterset_fields = ["status", "region"]

    @extend_schema(responses=TourResultSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request, pk=None):
        rnd = self.get_object()
        rows = tours.results(rnd)
        if not rnd.is_published:
            for r in rows:
                r.total, r.rank = None, None
            rows.sort(key=lambda r: (r.site.order, r.site.pk))
        return Response(TourResultSerializer(rows, many=True).data)


def register(router) -> None:
    router.register("oversight-items", ItemViewSet, basename="oversight-item")
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("redblack-rules", RedBlackRuleViewSet, basename="redblack-rule")
    router.register("tours", TourViewSet, basename="tour")
