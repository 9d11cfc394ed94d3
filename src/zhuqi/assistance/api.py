"""REST API of the assistance app: assignments (with hand-over), visits, plans, meetings, rules,
compliance. Scoped like the pages; writes go through services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core import permissions
from zhuqi.core.api import ScopedViewSetMixin, VisibleRef, service_errors
from zhuqi.core.models import Department, User
from zhuqi.core.roles import Role
from zhuqi.enterprises.models import Enterprise

from . import compliance, selectors, services
from .models import (
    Assignment,
    AssistancePlan,
    LoadLimit,
    Meeting,
    Period,
    PlanMeasure,
    Visit,
    VisitProblem,
    VisitRule,
)


def _officials(**kwargs) -> VisibleRef:
    """An active official in the caller's scope."""
    return VisibleRef(User, filter={"is_active": True}, exclude={"role": Role.ENTERPRISE}, **kwargs)


class AssignmentSerializer(serializers.ModelSerializer):
    user = _officials()
    enterprise = VisibleRef(Enterprise)
    department = VisibleRef(Department, required=False, allow_null=True)
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "year",
            "role",
            "user",
            "user_name",
            "department",
            "started_on",
            "ended_on",
            "end_reason",
            "predecessor",
            "warnings",
        ]
        read_only_fields = ["started_on", "ended_on", "end_reason", "predecessor"]

    def get_warnings(self, obj) -> list[str]:
        return getattr(obj, "_warnings", [])


class HandOverSerializer(serializers.Serializer):
    to_user = _officials()
    reason = serializers.CharField(max_length=150)


class AssignmentViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Who looks after which enterprise. POST assigns (load warnings in `warnings`);
    `hand_over` ends the current holder's duty and starts the successor's."""

    write_actions = {"create": "assistance.assignments.manage", "hand_over": "assistance.assignments.manage"}
    queryset = Assignment.objects.select_related("user", "enterprise")
    serializer_class = AssignmentSerializer
    filterset_fields = ["enterprise", "year", "role", "user", "ended_on"]

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            result = services.assign(
                d["enterprise"],
                year=d["year"],
                role=d["role"],
                user=d["user"],
                department=d.get("department"),
                actor=self.request.user,
            )
        result.assignment._warnings = result.warnings
        serializer.instance = result.assignment

    @extend_schema(request=HandOverSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def hand_over(self, request, pk=None):
        assignment = self.get_object()
        s = HandOverSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        with service_errors():
            result = services.hand_over(assignment, actor=request.user, **s.validated_data)
        result.assignment._warnings = result.warnings
        return Response(
            AssignmentSerializer(result.assignment, context={"request": request}).data, status=201
        )


class VisitProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitProblem
        fields = ["id", "category", "description"]


class VisitSerializer(serializers.ModelSerializer):
    enterprise = VisibleRef(Enterprise)
    visitor_name = serializers.CharField(source="visitor.display_name", read_only=True)
    problems = VisitProblemSerializer(many=True, required=False)

    class Meta:
        model = Visit
        fields = [
            "id",
            "enterprise",
            "visitor",
            "visitor_name",
            "visited_on",
            "kind",
            "companions",
            "findings",
            "problems",
            "created_at",
        ]
        read_only_fields = ["visitor", "created_at"]


class VisitViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visits to enterprises in scope; POST records a visit by the caller (photos via the page)."""

    write_actions = {"create": "assistance.visit.record"}
    queryset = Visit.objects.select_related("visitor").prefetch_related("problems")
    serializer_class = VisitSerializer
    filterset_fields = ["enterprise", "visitor", "kind", "visited_on"]
    ordering_fields = ["visited_on"]

    def get_queryset(self):
        if not permissions.allowed(self.request.user, "assistance.visit.view"):
            return Visit.objects.none()
        return super().get_queryset()

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services.record_visit(
                d["enterprise"],
                actor=self.request.user,
                findings=d.get("findings", ""),
                kind=d.get("kind", Visit.Kind.ONSITE),
                visited_on=d.get("visited_on"),
                companions=d.get("companions", ""),
                problems=[(p.get("category", ""), p.get("description", "")) for p in d.get("problems", [])],
            )


class PlanMeasureSerializer(serializers.ModelSerializer):
    plan = VisibleRef(AssistancePlan)
    owner = _officials(required=False, allow_null=True)
    department = VisibleRef(Department, required=False, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = PlanMeasure
        fields = [
            "id",
            "plan",
            "title",
            "owner",
            "department",
            "deadline",
            "status",
            "progress",
            "completed_on",
            "is_overdue",
        ]


class PlanSerializer(serializers.ModelSerializer):
    enterprise = VisibleRef(Enterprise)
    measures = PlanMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = AssistancePlan
        fields = ["id", "enterprise", "year", "goals", "measures"]


class MeasureProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(max_length=2000)


class PlanViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """One enterprise, one plan (一企一策) with its measures. POST creates or updates the year's goals."""

    write_actions = {"create": "assistance.plan.edit_assigned"}
    queryset = AssistancePlan.objects.prefetch_related("measures")
    serializer_class = PlanSerializer
    filterset_fields = ["enterprise", "year"]

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services.save_plan(
                d["enterprise"], year=d["year"], goals=d["goals"], actor=self.request.user
            )


class PlanMeasureViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Measures of plans (POST adds one); `progress` reports progress (100 completes the measure)."""

    write_actions = {
        "create": "assistance.plan.edit_assigned",
        "progress": "assistance.plan.edit_assigned",
    }
    queryset = PlanMeasure.objects.all()
    serializer_class = PlanMeasureSerializer
    filterset_fields = ["plan", "status", "owner"]

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services.add_measure(
                d["plan"],
                title=d["title"],
                deadline=d["deadline"],
                owner=d.get("owner"),
                department=d.get("department"),
                actor=self.request.user,
            )

    @extend_schema(request=MeasureProgressSerializer, responses=PlanMeasureSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        measure = self.get_object()
        s = MeasureProgressSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            services.report_progress(measure, actor=request.user, **s.validated_data)
        measure.refresh_from_db()
        return Response(PlanMeasureSerializer(measure).data)


class MeetingSerializer(serializers.ModelSerializer):
    problems = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "held_on",
            "host",
            "region",
            "location",
            "summary",
            "enterprises",
            "problems",
        ]
        read_only_fields = fields  # output only: no write names a row through it

    def get_problems(self, obj) -> list[dict]:
        return [
            {"enterprise": p.enterprise_id, "category": p.category, "description": p.description}
            for p in obj.problems.all()
        ]


class MeetingProblemInput(serializers.Serializer):
    enterprise = VisibleRef(Enterprise, required=False, allow_null=True)
    category = serializers.CharField(max_length=40, required=False, default="其他")
    description = serializers.CharField(max_length=2000)


class MeetingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    location = serializers.CharField(max_length=200, required=False, default="")
    summary = serializers.CharField(required=False, default="")
    enterprises = VisibleRef(Enterprise, many=True, required=False, default=list)
    problems = MeetingProblemInput(many=True, required=False, default=list)

    def validate(self, attrs):
        named = {e.pk for e in attrs.get("enterprises", [])}
        for p in attrs.get("problems", []):
            if p.get("enterprise") is not None and p["enterprise"].pk not in named:
                raise serializers.ValidationError({"problems": _("问题所属企业须是参会企业")})
        return attrs


class MeetingViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings with enterprises (早餐会, 座谈会, 银企对接会, 政策宣讲); POST records one hosted by the caller."""

    write_actions = {"create": "assistance.meetings.record"}
    queryset = Meeting.objects.prefetch_related("enterprises", "problems")
    serializer_class = MeetingSerializer
    filterset_fields = ["kind", "held_on"]

    def get_serializer_class(self):
        return MeetingCreateSerializer if self.action == "create" else MeetingSerializer

    @extend_schema(request=MeetingCreateSerializer, responses=MeetingSerializer)
    def create(self, request, *args, **kwargs):
        s = MeetingCreateSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = s.validated_data
        visible = {e.pk: e for e in d["enterprises"]}
        problems = [(p.get("enterprise"), p["category"], p["description"]) for p in d["problems"]]
        with service_errors():
            meeting = services.record_meeting(
                actor=request.user,
                kind=d["kind"],
                title=d["title"],
                held_on=d["held_on"],
                enterprises=list(visible.values()),
                location=d["location"],
                summary=d["summary"],
                problems=problems,
            )
        return Response(MeetingSerializer(meeting).data, status=201)


class VisitRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitRule
        fields = ["id", "role", "period", "min_visits", "remind_days"]
        read_only_fields = ["role"]


class LoadLimitSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoadLimit
        fields = ["id", "role", "min_count", "max_count"]


class VisitRuleViewSet(ScopedViewSetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Minimum visit frequency per role; admins change it with PATCH."""

    write_actions = {"update": "assistance.configure", "partial_update": "assistance.configure"}
    queryset = VisitRule.objects.all()
    serializer_class = VisitRuleSerializer
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        rule = serializer.instance
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services.set_visit_rule(
                rule.role,
                period=d.get("period", rule.period),
                min_visits=d.get("min_visits", rule.min_visits),
                remind_days=d.get("remind_days", rule.remind_days),
                actor=self.request.user,
            )


class LoadLimitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = LoadLimit.objects.all()
    serializer_class = LoadLimitSerializer
    pagination_class = None


class ComplianceRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="the official, department or enterprise")
    name = serializers.CharField()
    done = serializers.IntegerField()
    due = serializers.IntegerField()
    overdue = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="percent of closed periods met")


@extend_schema_serializer(many=False)  # one object, although the operation is a viewset's list
class ComplianceSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()
    rows = ComplianceRowSerializer(many=True)


class ComplianceViewSet(viewsets.ViewSet):
    """Visit compliance for one period, ranked by official, department or enterprise."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=Period.values, description="week / month / quarter / year"),
            OpenApiParameter("date", str, description="a day inside the period (YYYY-MM-DD), default today"),
            OpenApiParameter("by", str, enum=["official", "department", "enterprise"]),
        ],
        responses=ComplianceSerializer,
    )
    def list(self, request):
        period, start, end = compliance.period_from(request.query_params)
        if not permissions.allowed(request.user, "assistance.compliance.view"):
            rows = []
        else:
            rows = selectors.compliance_rows(request.user, start, end)
        by = request.query_params.get("by") or "official"
        group = {"department": compliance.by_department, "enterprise": compliance.by_enterprise}.get(
            by, compliance.by_official
        )
        return Response(
            {
                "period": period,
                "start": start,
                "end": end,
                "label": compliance.range_label(period, start),
                "rows": [
                    {
                        "id": getattr(s.key, "pk", None),
                        "name": s.label,
                        "done": s.done,
                        "due": s.due,
                        "overdue": s.overdue,
                        "rate": s.rate,
                    }
                    for s in group(rows)
                ],
            }
        )


def register(router) -> None:
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("visits", VisitViewSet, basename="visit")
    router.register("plans", PlanViewSet, basename="plan")
    router.register("plan-measures", PlanMeasureViewSet, basename="plan-measure")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("visit-rules", VisitRuleViewSet, basename="visit-rule")
    router.register("load-limits", LoadLimitViewSet, basename="load-limit")
    router.register("visit-compliance", ComplianceViewSet, basename="visit-compliance")
