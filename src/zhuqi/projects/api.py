"""REST API of the projects app, scoped like the pages: every queryset starts from
`visible_to(request.user)`; state changes go through `services`."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core.api import ScopedViewSetMixin, VisibleRef, service_errors
from zhuqi.core.models import Department, Region, User
from zhuqi.core.units import MAX_YEAR, MIN_YEAR
from zhuqi.enterprises.models import Enterprise

from . import figures, services
from .models import (
    ApprovalStep,
    Campaign,
    InvestmentMonth,
    Project,
    Stage,
    StageChange,
    Task,
)


class ProjectSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default="")
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "industry",
            "owner",
            "region",
            "region_name",
            "total_investment",
            "year_planned_investment",
            "planned_start",
            "planned_completion",
            "level",
            "tags",
            "leader",
            "department",
            "department_name",
            "stage",
            "stage_label",
            "signed_on",
            "landed_on",
            "started_on",
            "in_stats_on",
            "completed_on",
            "producing_on",
            "at_capacity_on",
            "target_date",
        ]
        read_only_fields = fields


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChange
        fields = [
            "id",
            "from_stage",
            "to_stage",
            "date",
            "confirmed_by",
            "evidence",
            "is_rollback",
            "created_at",
        ]
        read_only_fields = fields  # output only: no write names a row through it


class StageMoveSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    date = serializers.DateField()
    evidence = serializers.CharField(allow_blank=True, required=False, default="")


class ApprovalSerializer(serializers.ModelSerializer):
    step = serializers.CharField(source="step_type.name", read_only=True)
    code = serializers.CharField(source="step_type.code", read_only=True)

    class Meta:
        model = ApprovalStep
        fields = [
            "id",
            "project",
            "code",
            "step",
            "department",
            "legal_days",
            "started_on",
            "due_date",
            "done_on",
            "status",
        ]
        read_only_fields = fields  # output only: no write names a row through it


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id",
            "project",
            "name",
            "kind",
            "start",
            "duration",
            "finish",
            "progress",
            "done_on",
            "late_start",
            "late_finish",
        ]
        read_only_fields = fields  # output only: no write names a row through it


class InvestmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvestmentMonth
        fields = ["id", "project", "year", "month", "planned", "actual", "reported_at"]
        read_only_fields = fields  # output only: no write names a row through it


class ActualSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    month = serializers.IntegerField(min_value=1, max_value=12)
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal(0), help_text=_("元")
    )
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("修改原因：该月已填报不同数值时必填（原值保留在历史记录中），否则答复 400"),
    )


class PeriodSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    month = serializers.IntegerField(min_value=1, max_value=12)


class ProgressSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    planned_year = serializers.DecimalField(max_digits=16, decimal_places=2)
    actual_to_date = serializers.DecimalField(max_digits=16, decimal_places=2)
    completion = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    elapsed = serializers.DecimalField(max_digits=6, decimal_places=1)
    lead = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    light = serializers.CharField()


class ProjectWriteSerializer(serializers.ModelSerializer):
    """Create (POST) and edit (PATCH/PUT) a project's ledger; the rules (五个一, dates, who may)
    are the service's, refused as 400 naming the field."""

    region = VisibleRef(Region)
    owner = VisibleRef(Enterprise, required=False, allow_null=True)
    department = VisibleRef(Department, required=False, allow_null=True)
    leader = VisibleRef(User, required=False, allow_null=True)

    class Meta:
        model = Project
        fields = ["id", *services.PROJECT_FIELDS]
        read_only_fields = ["id"]


class ProjectViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    write_actions = {
        "create": "projects.edit",
        "update": "projects.edit",
        "partial_update": "projects.edit",
        "stage": "projects.edit",
        "actual": "projects.edit",
    }
    queryset = Project.objects.select_related("region", "department")
    serializer_class = ProjectSerializer

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ProjectWriteSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.create_project(
                actor=self.request.user, **serializer.validated_data
            )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("code", None)  # a project's number never changes
        with service_errors():
            serializer.instance = services.update_project(
                serializer.instance, actor=self.request.user, **data
            )

    filterset_fields = ["stage", "kind", "level", "region", "department"]
    search_fields = ["name", "code", "industry"]

    @extend_schema(request=StageMoveSerializer, responses=StageChangeSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        project = self.get_object()
        data = StageMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            change = services.move_stage(
                project,
                data.validated_data["to_stage"],
                date=data.validated_data["date"],
                evidence=data.validated_data["evidence"],
                actor=request.user,
            )
        return Response(StageChangeSerializer(change).data, status=201)

    @extend_schema(request=ActualSerializer, responses=InvestmentSerializer)
    @action(detail=True, methods=["post"])
    def actual(self, request, pk=None):
        project = self.get_object()
        data = ActualSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            row = services.record_actual(project, actor=request.user, **data.validated_data)
        return Response(InvestmentSerializer(row).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description=_("年度，默认为当前报告期")),
            OpenApiParameter("month", int, description=_("月份 1–12，默认为当前报告期")),
        ],
        responses=ProgressSerializer,
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        project = self.get_object()
        year, month = figures.report_period(timezone.localdate())
        period = PeriodSerializer(
            data={
                "year": request.query_params.get("year", year),
                "month": request.query_params.get("month", month),
            }
        )
        period.is_valid(raise_exception=True)  # `?year=abc` is a 400 naming the field, not a 500
        year, month = period.validated_data["year"], period.validated_data["month"]
        p = figures.progress_by_project([project.pk], year, month).get(project.pk) or figures.Progress(
            year, month
        )
        return Response(
            ProgressSerializer(
                {
                    "year": year,
                    "month": month,
                    "planned_year": p.planned_year,
                    "actual_to_date": p.actual_to_date,
                    "completion": p.completion,
                    "elapsed": p.elapsed,
                    "lead": p.lead,
                    "light": p.light,
                }
            ).data
        )


class ApprovalViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ApprovalStep.objects.select_related("step_type")
    scope_through = "project"  # rows of visible projects only
    serializer_class = ApprovalSerializer
    filterset_fields = ["project", "status", "department"]


class TaskViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Task.objects.all()
    scope_through = "project"
    serializer_class = TaskSerializer
    filterset_fields = ["project", "kind"]


class InvestmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = InvestmentMonth.objects.all()
    scope_through = "project"
    serializer_class = InvestmentSerializer
    filterset_fields = ["project", "year", "month"]


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "region", "year", "round_no", "held_on", "thresholds"]
        read_only_fields = fields  # output only: no write names a row through it


class RateSerializer(serializers.Serializer):
    label = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)


class CampaignViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_fields = ["year", "region"]

    @extend_schema(responses=RateSerializer(many=True))
    @action(detail=True, methods=["get"])
    def rates(self, request, pk=None):
        campaign = self.get_object()
        rates = figures.campaign_rates(campaign, Project.objects.visible_to(request.user))
        return Response({k: RateSerializer(v).data for k, v in rates.items()})


def register(router) -> None:
    router.register("projects", ProjectViewSet, basename="project")
    router.register("project-approvals", ApprovalViewSet, basename="project-approval")
    router.register("project-tasks", TaskViewSet, basename="project-task")
    router.register("project-investments", InvestmentViewSet, basename="project-investment")
    router.register("project-campaigns", CampaignViewSet, basename="project-campaign")
