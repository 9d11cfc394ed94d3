"""REST API of 招商引资: leads, read and moved, scoped like the pages (a team its own leads, the
office its region subtree; outside scope 404). Every change goes through `services`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core import permissions
from zhuqi.core.api import ScopedViewSetMixin, service_errors

from . import services
from .models import Lead, Stage


class LeadSerializer(serializers.ModelSerializer):
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    pipeline_code = serializers.CharField(source="pipeline.code", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "pipeline",
            "pipeline_code",
            "stage",
            "stage_name",
            "stage_entered_at",
            "title",
            "investor_name",
            "credit_code",
            "source",
            "amount",
            "industry_code",
            "chain_node",
            "land_mu",
            "region",
            "team",
            "owner",
            "registered_on",
            "project",
        ]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    to_stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LeadViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Lead.objects.select_related("stage", "pipeline").order_by("-registered_on", "-pk")
    serializer_class = LeadSerializer
    filterset_fields = ["pipeline", "stage", "source", "team", "region"]
    write_actions = {"move": "attraction.lead.work"}

    def get_queryset(self):
        qs = super().get_queryset()
        if not permissions.allowed(self.request.user, "attraction.view"):
            return qs.none()
        return qs

    @extend_schema(request=MoveSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the lead to another stage (the workflow table of the lead page)."""
        lead = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.move_lead(
                lead,
                data.validated_data["to_stage"],
                actor=request.user,
                reason=data.validated_data.get("reason", ""),
            )
        lead.refresh_from_db()
        return Response(LeadSerializer(lead).data)


def register(router) -> None:
    router.register("attraction-leads", LeadViewSet, basename="attraction-lead")
