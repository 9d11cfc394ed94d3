"""REST API of the cases app: the case pool (scoped), every transition as a POST action,
clocks and timeline, categories, routing rules, SLA policies and the figures."""

from __future__ import annotations

import copy

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core import audit, permissions
from zhuqi.core.api import ScopedViewSetMixin, VisibleRef, api_error, service_errors
from zhuqi.core.models import Department, Region
from zhuqi.core.openapi import ErrorSerializer
from zhuqi.core.roles import Role
from zhuqi.enterprises.models import Enterprise

from . import figures as F
from . import routing, selectors, services, workflow
from .models import Case, CaseClock, Category, RoutingRule, SlaPolicy, Supervision


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "keywords", "order", "is_active"]
        read_only_fields = fields  # output only: no write names a row through it


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "scheme",
            "category",
            "urgency",
            "accept_days",
            "dispatch_days",
            "sign_days",
            "sendback_days",
            "progress_days",
            "resolve_days",
            "followup_days",
            "extension_max_days",
            "is_active",
        ]
        read_only_fields = fields  # output only: no write names a row through it


class RoutingRuleSerializer(serializers.ModelSerializer):
    region = VisibleRef(Region)
    lead_department = VisibleRef(Department)
    assisting_departments = VisibleRef(Department, many=True, required=False)

    class Meta:
        model = RoutingRule
        fields = ["id", "category", "region", "lead_department", "assisting_departments", "is_active"]


class ClockSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseClock
        fields = [
            "kind",
            "started_at",
            "due_at",
            "stopped_at",
            "state",
            "late_working_days",
            "paused_working_days",
            "reminded_at",
        ]


class _FieldsBuiltOnce:
    """A ModelSerializer builds its fields from the model for every instance it serialises;
    build them once per class and hand out copies (DRF copies declared fields the same way)."""

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            cls._fields_template = template
        return copy.deepcopy(template)


class CaseSerializer(_FieldsBuiltOnce, serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    lead_department_name = serializers.CharField(source="lead_department.name", read_only=True, default="")
    rag = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "no",
            "enterprise",
            "enterprise_name",
            "title",
            "description",
            "category",
            "channel",
            "urgency",
            "status",
            "external_no",
            "lead_department",
            "lead_department_name",
            "escalation_level",
            "beyond_local",
            "is_problem_case",
            "sendback_count",
            "reopen_count",
            "submitted_at",
            "accepted_at",
            "dispatched_at",
            "signed_at",
            "replied_at",
            "closed_at",
            "accept_due_at",
            "dispatch_due_at",
            "sign_due_at",
            "progress_due_at",
            "reply_due_at",
            "followup_due_at",
            "close_due_at",
            "next_due_at",
            "reply",
            "resolved",
            "enterprise_solved",
            "satisfaction",
            "rag",
        ]
        read_only_fields = fields

    def get_rag(self, obj) -> str:
        return getattr(obj, "rag", None) or obj.rag_status()


class PublicCaseSerializer(_FieldsBuiltOnce, serializers.ModelSerializer):
    """A case as its enterprise sees it (the public view, selectors.PUBLIC_EVENTS): what was
    received, who handles it, the answer, the deadlines promised to it, its rating. No internal
    clock, escalation, send-back, supervision or partner detail."""

    category_name = serializers.SerializerMethodField()
    lead_department_name = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "no",
            "enterprise",
            "title",
            "description",
            "category",
            "category_name",
            "channel",
            "status",
            "lead_department_name",
            "contact_name",
            "contact_phone",
            "submitted_at",
            "accepted_at",
            "replied_at",
            "closed_at",
            "accept_due_at",
            "reply_due_at",
            "refuse_reason",
            "reply",
            "resolved",
            "satisfaction",
            "enterprise_solved",
        ]
        read_only_fields = fields

    def get_category_name(self, obj) -> str:
        return str(obj.category or "")

    def get_lead_department_name(self, obj) -> str:
        d = obj.lead_department
        return (d.short_name or d.name) if d else ""


def _case_view(many: bool = False) -> PolymorphicProxySerializer:
    """A case as the caller sees it: the full case, or the public view for its enterprise."""
    return PolymorphicProxySerializer(
        component_name="CaseView",
        serializers=[CaseSerializer, PublicCaseSerializer],
        resource_type_field_name=None,
        many=many,
    )


def _is_enterprise(request) -> bool:
    return getattr(getattr(request, "user", None), "role", None) == Role.ENTERPRISE


class PublicItemSerializer(serializers.Serializer):
    """One line of the enterprise's timeline: an event with its public changes (label → value),
    or a comment addressed to it."""

    at = serializers.DateTimeField()
    kind = serializers.CharField()
    event = serializers.CharField()
    label = serializers.CharField()
    by = serializers.CharField()
    changes = serializers.DictField()
    body = serializers.CharField()


class TimelineEntrySerializer(serializers.Serializer):
    """One line of a case's history as officials see it (`audit.timeline`)."""

    at = serializers.DateTimeField()
    actor = serializers.CharField()
    action = serializers.CharField()
    event = serializers.CharField(allow_blank=True)
    changes = serializers.DictField(allow_null=True)


def _public_items(case) -> list[dict]:
    from zhuqi.core.templatetags.core_tags import change_rows, event_label

    return [
        {
            "at": i.at,
            "kind": i.kind,
            "event": i.event,
            "label": gettext("留言") if i.kind == "comment" else str(event_label(i.event)),
            "by": i.by,
            "changes": {label: new for label, _old, new in change_rows(i)},
            "body": i.body,
        }
        for i in selectors.public_timeline(case)
    ]


class CaseCreateSerializer(serializers.Serializer):
    enterprise = VisibleRef(Enterprise, related=("region",))  # create_case copies its region
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000)
    channel = serializers.ChoiceField(choices=services.Channel.choices, default="other")
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=services.Urgency.choices, default="normal")
    external_no = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class ActionSerializer(serializers.Serializer):
    """Parameters of a transition; each action reads the ones it needs."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reply = serializers.CharField(required=False, allow_blank=True, default="")
    resolved = serializers.BooleanField(required=False, default=True)
    result = serializers.CharField(required=False, help_text="satisfied | basic | unsatisfied")
    solved = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="follow_up: the enterprise's own answer to 'is the problem solved?' (null: not answered)",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=services.Urgency.choices, required=False)
    lead = VisibleRef(Department, required=False, allow_null=True)
    assisting = VisibleRef(Department, many=True, required=False, default=list)
    into = VisibleRef(Case, required=False)
    days = serializers.IntegerField(required=False, default=0)
    extension = serializers.IntegerField(required=False)
    approve = serializers.BooleanField(required=False, default=False)
    attendees = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = serializers.CharField(required=False, allow_blank=True, default="")
    owners = serializers.CharField(required=False, allow_blank=True, default="")
    body = serializers.CharField(required=False, allow_blank=True, default="")


class SuggestionSerializer(serializers.Serializer):
    """The routing suggestion (`routing.suggestion_data`): a response, never read from a request."""

    category = serializers.IntegerField(allow_null=True, read_only=True)
    label = serializers.CharField()
    lead_department = serializers.IntegerField(allow_null=True, read_only=True)
    lead_label = serializers.CharField()
    confidence = serializers.IntegerField(help_text="0–100: best score minus second-best score")
    threshold = serializers.IntegerField(help_text="0–100: pre-selected from this confidence on")
    preselect = serializers.BooleanField()
    method = serializers.CharField()
    hint = serializers.CharField()


_TRANSITION_SCHEMA = extend_schema(
    request=ActionSerializer,
    responses={
        200: _case_view(),
        204: OpenApiResponse(description="Done; the case has left the caller's scope (merged, handed on)"),
    },
)


@extend_schema_view(
    list=extend_schema(responses=_case_view(many=True)),
    retrieve=extend_schema(responses=_case_view()),
    create=extend_schema(request=CaseCreateSerializer, responses={201: _case_view()}),
    **{("dispatch_to" if name == "dispatch" else name): _TRANSITION_SCHEMA for name in workflow.TRANSITIONS},
)
class CaseViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases within the caller's scope; outside scope answers 404."""

    serializer_class = CaseSerializer
    FILTERS = [
        "status",
        "channel",
        "category",
        "lead_department",
        "enterprise",
        "escalation_level",
        "urgency",
    ]
    ORDERINGS = ["submitted_at", "next_due_at", "escalation_level"]
    # the enterprise filters and sorts by what its public view shows, so an internal field
    # (the escalation level, the internal deadlines) cannot be inferred from a filter
    PUBLIC_FILTERS = ["status", "channel", "category", "lead_department"]
    PUBLIC_ORDERINGS = ["submitted_at"]
    search_fields = ["title", "no", "external_no", "enterprise__name"]

    @property
    def filterset_fields(self):
        return self.PUBLIC_FILTERS if _is_enterprise(getattr(self, "request", None)) else self.FILTERS

    @property
    def ordering_fields(self):
        return self.PUBLIC_ORDERINGS if _is_enterprise(getattr(self, "request", None)) else self.ORDERINGS

    write_actions = {"create": "cases.create"}
    queryset = Case.objects.select_related("enterprise", "lead_department", "region").order_by(
        "-submitted_at", "-id"
    )

    def get_queryset(self):
        qs = super().get_queryset().with_rag()
        return qs.select_related("category", "category__parent") if _is_enterprise(self.request) else qs

    def get_serializer_class(self):
        if self.action == "create":
            return CaseCreateSerializer
        if self.action in workflow.TRANSITIONS:
            return ActionSerializer
        return PublicCaseSerializer if _is_enterprise(self.request) else CaseSerializer

    def _out(self, case):
        """The case as the caller may see it (the public view for its enterprise)."""
        return (PublicCaseSerializer if _is_enterprise(self.request) else CaseSerializer)(case).data

    def create(self, request, *args, **kwargs):
        ser = CaseCreateSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        with service_errors():
            case = services.create_case(
                d["enterprise"],
                channel=d["channel"],
                title=d["title"],
                description=d["description"],
                category=d.get("category"),
                urgency=d["urgency"],
                external_no=d["external_no"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
                actor=request.user,
            )
        return Response(self._out(case), status=status.HTTP_201_CREATED)

    def _fire(self, request, name: str):
        case = self.get_object()
        # the wrong state (400) or not this caller's step (403), before the payload is read
        with service_errors():
            workflow.check(name, case, request.user)
        ser = ActionSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        user = request.user
        try:
            services.fire(case, name, actor=user, data=d)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        case = Case.objects.visible_to(user).with_rag().filter(pk=case.pk).first()
        if case is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self._out(case))

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._fire(request, "accept")

    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._fire(request, "refuse")

    @action(detail=True, methods=["post"])
    def dispatch_to(self, request, pk=None):
        """交办 (named dispatch_to: `dispatch` is a reserved view method)."""
        return self._fire(request, "dispatch")

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._fire(request, "sign")

    @action(detail=True, methods=["post"])
    def send_back(self, request, pk=None):
        return self._fire(request, "send_back")

    @action(detail=True, methods=["post"])
    def report_progress(self, request, pk=None):
        return self._fire(request, "report_progress")

    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._fire(request, "pause")

    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._fire(request, "resume")

    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._fire(request, "reply")

    @action(detail=True, methods=["post"])
    def follow_up(self, request, pk=None):
        return self._fire(request, "follow_up")

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._fire(request, "close")

    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        return self._fire(request, "merge")

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._fire(request, "withdraw")

    @action(detail=True, methods=["post"])
    def request_extension(self, request, pk=None):
        return self._fire(request, "request_extension")

    @action(detail=True, methods=["post"])
    def decide_extension(self, request, pk=None):
        return self._fire(request, "decide_extension")

    @action(detail=True, methods=["post"])
    def beyond_local(self, request, pk=None):
        return self._fire(request, "beyond_local")

    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._fire(request, "escalate")

    @action(detail=True, methods=["post"])
    def hold_meeting(self, request, pk=None):
        return self._fire(request, "hold_meeting")

    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self._fire(request, "supervise")

    @extend_schema(responses=ClockSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def clocks(self, request, pk=None):
        case = self.get_object()
        clocks = case.clocks.order_by("id")
        if _is_enterprise(request):  # the deadlines promised to the enterprise, not the internal ones
            clocks = clocks.filter(kind__in=selectors.ENTERPRISE_CLOCK_KINDS)
        return Response(ClockSerializer(clocks, many=True).data)

    @extend_schema(
        description="The case's history; for its enterprise, the public timeline only "
        "(PublicItemSerializer: events with their public changes, comments addressed to it).",
        responses=PolymorphicProxySerializer(
            component_name="TimelineItem",
            serializers=[TimelineEntrySerializer, PublicItemSerializer],
            resource_type_field_name=None,
            many=True,
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        case = self.get_object()
        if _is_enterprise(request):
            return Response(PublicItemSerializer(_public_items(case), many=True).data)
        return Response(
            [
                {
                    "at": e.at,
                    "actor": e.actor_label,
                    "action": e.action,
                    "event": e.event,
                    "changes": e.changes,
                }
                for e in audit.timeline(case)
            ]
        )

    @extend_schema(responses=list[str])
    @action(detail=True, methods=["get"], pagination_class=None)
    def allowed_actions(self, request, pk=None):
        case = self.get_object()
        return Response(workflow.allowed_actions(case, request.user))

    @extend_schema(
        parameters=[OpenApiParameter("text", str, description="the case title and description")],
        responses=SuggestionSerializer,
    )
    @action(detail=False, methods=["get"])
    def suggest(self, request):
        """Routing suggestion for a text: category, its route in the caller's region, the
        confidence (0–100, the margin of the best score over the second) and whether forms
        pre-select it (confidence ≥ the threshold)."""
        s = routing.suggest(request.query_params.get("text", "")[:2000])
        return Response(routing.suggestion_data(s, request.user.region))


class SupervisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supervision
        fields = ["id", "case", "kind", "department", "body", "issued_at", "response", "responded_at"]
        read_only_fields = fields  # output only: no write names a row through it


class SupervisionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    write_actions = {"respond": "cases.supervision.respond"}
    queryset = Supervision.objects.order_by("-issued_at")
    scope_through = "case"  # supervisions of visible cases only
    serializer_class = SupervisionSerializer
    filterset_fields = ["kind", "department", "case"]

    def get_queryset(self):
        # supervision (督办) is between the government's offices: never shown to the enterprise
        qs = super().get_queryset()
        return qs.none() if _is_enterprise(self.request) else qs

    @extend_schema(
        request=inline_serializer("SupervisionResponse", {"response": serializers.CharField()}),
        responses=SupervisionSerializer,
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        sup = self.get_object()
        with service_errors():
            response = request.data.get("response", "")
            services.respond_supervision(
                sup, actor=request.user, response=response if isinstance(response, str) else ""
            )
        sup.refresh_from_db()
        return Response(SupervisionSerializer(sup).data)


class CategoryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.filter(is_active=True)
    scoped = False  # reference data: every signed-in user reads the categories
    serializer_class = CategorySerializer


class SlaPolicyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = SlaPolicy.objects.all()
    scoped = False  # reference data: every signed-in user reads the SLA policies
    serializer_class = SlaPolicySerializer


class RoutingRuleViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Routing rules: everyone in scope reads; the dispatch office (and admins) edit the rules
    of regions within its own scope."""

    write_actions = {
        "create": "cases.configure",
        "update": "cases.configure",
        "partial_update": "cases.configure",
        "destroy": "cases.configure",
    }
    queryset = RoutingRule.objects.prefetch_related("assisting_departments")
    serializer_class = RoutingRuleSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        return qs if permissions.allowed(self.request.user, "cases.rules.view") else qs.none()

    def _save(self, serializer, rule):
        """Create or change through the service; a partial update keeps the rule's other values."""
        current = (
            {
                "category": rule.category,
                "region": rule.region,
                "lead_department": rule.lead_department,
                "assisting_departments": list(rule.assisting_departments.all()),
                "is_active": rule.is_active,
            }
            if rule is not None
            else {}
        )
        with service_errors():
            serializer.instance = services.save_routing_rule(
                rule, actor=self.request.user, **{**current, **serializer.validated_data}
            )

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        with service_errors():
            services.delete_routing_rule(instance, actor=self.request.user)


class FiguresViewSet(viewsets.ViewSet):
    """Figures by one dimension (department, category, region, channel, period)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("dim", str, enum=list(F.DIMENSIONS)),
            OpenApiParameter("start", str),
            OpenApiParameter("end", str),
        ],
        responses={200: dict, 404: ErrorSerializer},
    )
    def list(self, request):
        if not permissions.allowed(request.user, "cases.figures"):
            raise exceptions.NotFound()
        import datetime as dt

        def parse(v):
            try:
                return dt.date.fromisoformat(v) if v else None
            except ValueError:
                raise exceptions.ValidationError(
                    {"detail": gettext("日期「%(value)s」格式应为 2026-01-31") % {"value": v}}
                ) from None

        start, end = parse(request.query_params.get("start")), parse(request.query_params.get("end"))
        dim = request.query_params.get("dim", "department")
        if dim not in F.DIMENSIONS:
            raise exceptions.ValidationError(
                {"dim": gettext("应为 %(choices)s 之一") % {"choices": "、".join(F.DIMENSIONS)}}
            )
        qs = F.base(request.user, start, end)
        totals, rows = F.summary(qs, dim, F.region_depth_for(request.user))
        return Response(
            {
                "definitions": {
                    m.key: {"label": m.label, "definition": m.definition} for m in F.METRICS.values()
                },
                "totals": totals,
                "rows": rows,
            }
        )


def register(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
    router.register("case-supervisions", SupervisionViewSet, basename="case-supervision")
    router.register("case-categories", CategoryViewSet, basename="case-category")
    router.register("case-sla-policies", SlaPolicyViewSet, basename="case-sla-policy")
    router.register("case-routing-rules", RoutingRuleViewSet, basename="case-routing-rule")
    router.register("case-figures", FiguresViewSet, basename="case-figures")
