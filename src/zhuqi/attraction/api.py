"""REST API of 招商引资: leads, read and moved, scoped like the pages (a team its own leads, the
office its region subtree; outside scope 404). Every change goes through `services`."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core import permissions
from zhuqi.core.api import ScopedViewSetMixin, VisibleRef, service_errors
from zhuqi.core.models import Department, Region, User
from zhuqi.core.openapi import ErrorSerializer
from zhuqi.core.units import MAX_YEAR, MIN_YEAR
from zhuqi.enterprises.models import Enterprise

from . import figures, selectors, selectors_chains, services, services_chains, services_weekly
from .models import (
    CRITERIA,
    AbroadTeam,
    AnnualTarget,
    AnnualTargetPart,
    Chain,
    ChainEnterprise,
    ChainNode,
    Contract,
    FundMonth,
    FundSource,
    JudgingItem,
    JudgingMeeting,
    Lead,
    LeadClock,
    LedgerClose,
    Obligation,
    Stage,
    WeeklyReport,
)
from .services_chains import NAME_MAX


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
            "phase_of",
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


# --- the newer models: clocks, weekly reports, judging meetings, annual targets, contracts, funds ---
class _Readable:
    """Reads of the attraction app answer roles without `attraction.view` with no rows (200),
    like every other read of the API."""

    def get_queryset(self):
        qs = super().get_queryset()  # type: ignore[misc]
        if not permissions.allowed(self.request.user, "attraction.view"):  # type: ignore[attr-defined]
            return qs.none()
        return qs


def _named(template: str, label) -> str:
    return gettext(template) % {"label": label}


_named_lazy = lazy(_named, str)


def _msg(label) -> dict:
    """DRF's messages for a number field, each naming the field (translated when shown)."""
    wrong = _named_lazy(gettext_noop("%(label)s填写不正确"), label)
    missing = _named_lazy(gettext_noop("请填写%(label)s"), label)
    return {
        "invalid": wrong,
        "required": missing,
        "null": missing,
        "min_value": wrong,
        "max_value": wrong,
        "max_string_length": wrong,
        "max_digits": wrong,
        "max_decimal_places": wrong,
        "max_whole_digits": wrong,
    }


class AttractionClockSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    late_by = serializers.SerializerMethodField(help_text="working days past its day (0: on time)")

    class Meta:
        model = LeadClock
        fields = [
            "id",
            "lead",
            "kind",
            "kind_label",
            "started_on",
            "due_on",
            "done_at",
            "done_by",
            "note",
            "overdue_at",
            "late_by",
        ]
        read_only_fields = fields

    def get_late_by(self, clock) -> int:
        return services.late_by(clock)


class AttractionClockFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="running and past its day (true) or not (false)"
    )

    class Meta:
        model = LeadClock
        fields = ["lead", "kind", "overdue"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = services.overdue_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class AttractionClockStopSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=200,
        error_messages={
            "required": _("请填写办理情况说明"),
            "blank": _("请填写办理情况说明"),
            "max_length": _("办理情况说明不能超过 200 字"),
        },
    )


class AttractionClockViewSet(_Readable, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The clocks (办理时限) of big leads; `?overdue=true` lists the running ones past their day.
    `stop` records what the team did (`services.stop_clock`)."""

    queryset = LeadClock.objects.select_related("lead").order_by("due_on", "pk")
    scope_through = "lead"
    serializer_class = AttractionClockSerializer
    filterset_class = AttractionClockFilter
    write_actions = {"stop": "attraction.lead.work"}

    @extend_schema(request=AttractionClockStopSerializer, responses=AttractionClockSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        """Record that the team did what the clock asks, with a note (a 报告进展 starts the next)."""
        clock = self.get_object()
        data = AttractionClockStopSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if clock.done_at is not None:
            raise serializers.ValidationError({"kind": [_("该时限已办理，不能再次记录")]})
        with service_errors():
            clock = services.stop_clock(
                clock.lead, clock.kind, note=data.validated_data["note"], actor=request.user
            )
        return Response(AttractionClockSerializer(clock).data)


class AttractionWeeklyReportSerializer(serializers.ModelSerializer):
    team = VisibleRef(
        AbroadTeam,
        filter={"is_active": True},
        error_messages={
            "does_not_exist": _("驻外招商组不存在或不在您的范围内"),
            "incorrect_type": _("驻外招商组填写不正确"),
            "required": _("请选择驻外招商组"),
            "null": _("请选择驻外招商组"),
        },
    )
    team_name = serializers.CharField(source="team.department.name", read_only=True)
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, error_messages=_msg(_("年度")))
    week = serializers.IntegerField(min_value=1, max_value=53, error_messages=_msg(_("周次")))

    class Meta:
        model = WeeklyReport
        fields = [
            "id",
            "team",
            "team_name",
            "year",
            "week",
            "met",
            "new_leads",
            "next_week",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = ["id", "team_name", "submitted_by", "submitted_at"]
        extra_kwargs = {
            "met": {
                "error_messages": {
                    "required": _("请填写本周对接拜访情况"),
                    "blank": _("请填写本周对接拜访情况"),
                }
            },
            "next_week": {
                "error_messages": {"required": _("请填写下周工作计划"), "blank": _("请填写下周工作计划")}
            },
            "new_leads": {"required": False},
        }
        # one per team and week: filing again changes it (the service), not a uniqueness error
        validators: list = []


class AttractionBoardCellSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    week = serializers.IntegerField()
    due = serializers.DateField(help_text="the day the report is due")
    state = serializers.ChoiceField(
        choices=["filed", "late", "missing", "pending", ""],
        help_text="filed, late (filed after its due day), missing (due day passed), pending (due day not yet passed), blank: before the team was set up",
    )
    report = serializers.IntegerField(allow_null=True, help_text="the report's id when filed")


class AttractionBoardRowSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    team_name = serializers.CharField()
    station = serializers.CharField()
    cells = AttractionBoardCellSerializer(many=True)
    filed = serializers.IntegerField()
    due = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="percent of the weeks due that were filed")


class AttractionBoardWeekSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    week = serializers.IntegerField()
    monday = serializers.DateField()


@extend_schema_serializer(many=False)  # one object, although the operation is on the list
class AttractionBoardSerializer(serializers.Serializer):
    weeks = AttractionBoardWeekSerializer(many=True)
    rows = AttractionBoardRowSerializer(many=True)


class AttractionWeeklyReportViewSet(
    ScopedViewSetMixin, _Readable, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The 驻外招商组's weekly reports; `create` files (or changes) a week's report of the caller's
    own team (`services_weekly.file_report`); `board` is who has and has not reported."""

    queryset = WeeklyReport.objects.select_related("team__department").order_by(
        "-year", "-week", "team", "pk"
    )
    serializer_class = AttractionWeeklyReportSerializer
    filterset_fields = ["team", "year", "week"]
    write_actions = {"create": "attraction.weekly.submit"}

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services_weekly.file_report(
                d["team"],
                year=d["year"],
                week=d["week"],
                met=d["met"],
                next_week=d["next_week"],
                new_leads=d.get("new_leads", ""),
                actor=self.request.user,
            )

    @extend_schema(responses=AttractionBoardSerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def board(self, request):
        """The 周报 board of the caller's teams: the last weeks, the current one first."""
        if not permissions.allowed(request.user, "attraction.view"):
            return Response({"weeks": [], "rows": []})
        board = selectors.report_board(request.user)
        rows = [
            {
                "team": r["team"].pk,
                "team_name": r["team"].department.name,
                "station": r["team"].station,
                "cells": [
                    {
                        "year": c["year"],
                        "week": c["week"],
                        "due": c["due"],
                        "state": c["state"],
                        "report": c["report"].pk if c["report"] is not None else None,
                    }
                    for c in r["cells"]
                ],
                "filed": r["filed"],
                "due": r["due"],
                "rate": r["rate"],
            }
            for r in board["rows"]
        ]
        return Response(AttractionBoardSerializer({"weeks": board["weeks"], "rows": rows}).data)


class AttractionJudgingItemSerializer(serializers.ModelSerializer):
    lead_title = serializers.CharField(source="lead.title", read_only=True)
    total = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="0–60; null until scored on every criterion"
    )

    class Meta:
        model = JudgingItem
        fields = [
            "id",
            "lead",
            "lead_title",
            *[f for f, _label in CRITERIA],
            "total",
            "tax_per_mu",
            "decision",
            "reason",
            "order",
        ]
        read_only_fields = fields


class AttractionMeetingSerializer(serializers.ModelSerializer):
    items = AttractionJudgingItemSerializer(many=True, read_only=True)

    class Meta:
        model = JudgingMeeting
        fields = [
            "id",
            "region",
            "title",
            "held_on",
            "place",
            "chair",
            "attendees",
            "status",
            "decided_at",
            "items",
        ]
        read_only_fields = fields


class AttractionMeetingViewSet(_Readable, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """线索研判会 with the leads put before each, their scores and decisions."""

    queryset = JudgingMeeting.objects.prefetch_related(
        Prefetch("items", queryset=JudgingItem.objects.select_related("lead"))
    ).order_by("-held_on", "-pk")
    serializer_class = AttractionMeetingSerializer
    filterset_fields = ["region", "status"]


class AttractionAnnualTargetPartSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualTargetPart
        fields = ["metric", "period_type", "period", "amount"]
        read_only_fields = fields
        extra_kwargs = {
            "metric": {"help_text": "signed_count, signed_amount (yuan) or funds (yuan)"},
            "period": {"help_text": "a quarter (2026Q1) or a month (202601)"},
        }


class AttractionAnnualTargetSerializer(serializers.ModelSerializer):
    parts = AttractionAnnualTargetPartSerializer(
        many=True,
        read_only=True,
        help_text="the decomposition over the year (empty until decomposed): per metric, the parts of "
        "split_to (Q quarters, M months and the quarters they add up to); each metric's parts of one "
        "type add up to its annual target exactly",
    )

    class Meta:
        model = AnnualTarget
        fields = [
            "id",
            "year",
            "region",
            "team",
            "signed_count",
            "signed_5",
            "signed_20",
            "signed_50",
            "signed_chain",
            "signed_amount",
            "funds",
            "split_method",
            "split_to",
            "parts",
        ]
        read_only_fields = fields


class AttractionProgressRowSerializer(serializers.Serializer):
    target_id = serializers.IntegerField()
    unit = serializers.CharField(help_text="the region's or the team's name")
    region_id = serializers.IntegerField()
    team_id = serializers.IntegerField(allow_null=True)
    metric = serializers.CharField(
        help_text="signed_count, signed_amount (yuan), funds (yuan); the bands signed_5, signed_20, "
        "signed_50 and signed_chain (of signed_count, on a link marked extend or fill)"
    )
    label = serializers.CharField()
    target = serializers.DecimalField(max_digits=18, decimal_places=2)
    actual = serializers.DecimalField(max_digits=18, decimal_places=2)
    rate = serializers.FloatField(
        allow_null=True, help_text="completion rate, percent, half up to 0.1; null when the target is 0"
    )


class AttractionProgressQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, error_messages=_msg(_("年度"))
    )
    region = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, error_messages=_msg(_("区划"))
    )


class AttractionAnnualTargetViewSet(_Readable, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """招商 annual targets of regions and teams; `progress` is each target's 完成率
    (`figures.target_progress`, attraction-figures.md)."""

    queryset = AnnualTarget.objects.prefetch_related("parts").order_by("year", "region__path", "team", "pk")
    serializer_class = AttractionAnnualTargetSerializer
    filterset_fields = ["year", "region", "team"]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="the year; default this year"),
            OpenApiParameter(
                "region", int, description="a region of the caller's scope; default the caller's own"
            ),
        ],
        responses={200: AttractionProgressRowSerializer(many=True), 404: ErrorSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def progress(self, request):
        """Progress of every target of the region's subtree in the year, of the leads the caller sees."""
        query = AttractionProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if not permissions.allowed(request.user, "attraction.view"):
            return Response([])
        pk = query.validated_data.get("region") or getattr(request.user, "region_id", None)
        region = Region.objects.visible_to(request.user).filter(pk=pk).first() if pk else None
        if region is None:
            if query.validated_data.get("region"):
                raise Http404
            return Response([])
        year = query.validated_data.get("year") or timezone.localdate().year
        rows = figures.target_progress(region, year, request.user)
        return Response(AttractionProgressRowSerializer(rows, many=True).data)


class AttractionObligationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Obligation
        fields = ["id", "kind", "target", "due_on", "status", "actual", "checked_on", "note", "breached_at"]
        read_only_fields = fields


class AttractionContractSerializer(serializers.ModelSerializer):
    obligations = AttractionObligationSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "lead",
            "kind",
            "number",
            "signed_on",
            "amount",
            "planned_start",
            "planned_completion",
            "obligations",
        ]
        read_only_fields = fields


class AttractionContractViewSet(_Readable, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Contracts of the leads the caller sees, each with its obligations (履约事项)."""

    queryset = Contract.objects.prefetch_related("obligations").order_by("-signed_on", "-pk")
    scope_through = "lead"
    serializer_class = AttractionContractSerializer
    filterset_fields = ["lead", "kind"]


class AttractionFundMonthSerializer(serializers.ModelSerializer):
    lead = VisibleRef(
        Lead,
        error_messages={
            "does_not_exist": _("线索不存在或不在您的范围内"),
            "incorrect_type": _("线索填写不正确"),
            "required": _("请选择线索"),
            "null": _("请选择线索"),
        },
    )
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, error_messages=_msg(_("年度")))
    month = serializers.IntegerField(min_value=1, max_value=12, error_messages=_msg(_("月份")))
    source = serializers.ChoiceField(
        choices=FundSource.choices,
        error_messages={"invalid_choice": _("请选择资金来源"), "required": _("请选择资金来源")},
    )
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="in yuan", error_messages=_msg(_("到位资金（元）"))
    )

    class Meta:
        model = FundMonth
        fields = [
            "id",
            "lead",
            "year",
            "month",
            "source",
            "amount",
            "evidence",
            "recognised",
            "reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "recognised", "reason", "recorded_by", "recorded_at"]
        extra_kwargs = {"evidence": {"required": False}}
        validators: list = []  # a month twice for one source: the service's message under "month"


class AttractionFundMonthViewSet(
    _Readable, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Funds in place (到位资金) by lead, month and source; `create` records a month
    (`services.record_funds`: recognised as 省外到位资金 or not, with the reason)."""

    queryset = FundMonth.objects.order_by("-year", "-month", "lead", "source", "pk")
    scope_through = "lead"
    serializer_class = AttractionFundMonthSerializer
    filterset_fields = ["lead", "year", "month", "source", "recognised"]
    write_actions = {"create": "attraction.lead.work"}

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services.record_funds(
                d["lead"],
                year=d["year"],
                month=d["month"],
                source=d["source"],
                amount=d["amount"],
                evidence=d.get("evidence", ""),
                actor=self.request.user,
            )


def register(router) -> None:
    router.register("attraction-leads", LeadViewSet, basename="attraction-lead")
    router.register("attraction-clocks", AttractionClockViewSet, basename="attraction-clock")
    router.register(
        "attraction-weekly-reports", AttractionWeeklyReportViewSet, basename="attraction-weekly-report"
    )
    router.register("attraction-meetings", AttractionMeetingViewSet, basename="attraction-meeting")
    router.register(
        "attraction-annual-targets", AttractionAnnualTargetViewSet, basename="attraction-annual-target"
    )
    router.register("attraction-contracts", AttractionContractViewSet, basename="attraction-contract")
    router.register("attraction-fund-months", AttractionFundMonthViewSet, basename="attraction-fund-month")
    register_chains(router)


# --- industrial chains (产业链), their links and the enterprises placed on them ---------------------
def _ref_messages(label) -> dict:
    """A reference field's messages, naming it: missing, another county's and a bad id alike."""
    return {
        "does_not_exist": _named_lazy(gettext_noop("%(label)s不存在或不在您的范围内"), label),
        "incorrect_type": _named_lazy(gettext_noop("%(label)s填写不正确"), label),
        "required": _named_lazy(gettext_noop("请选择%(label)s"), label),
        "null": _named_lazy(gettext_noop("请选择%(label)s"), label),
    }


def _limit(label, most: int) -> str:
    return gettext("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": most}


_limit_lazy = lazy(_limit, str)


def _text_messages(label, most: int) -> dict:
    missing = _named_lazy(gettext_noop("请填写%(label)s"), label)
    return {
        "required": missing,
        "blank": missing,
        "null": missing,
        "invalid": _named_lazy(gettext_noop("%(label)s填写不正确"), label),
        "max_length": _limit_lazy(label, most),
    }


def _choice_messages(label) -> dict:
    pick = _named_lazy(gettext_noop("请选择%(label)s"), label)
    return {"invalid_choice": pick, "required": pick, "null": pick}


class AttractionChainLinkRowSerializer(serializers.Serializer):
    """A live link of a chain's 全景图, in tree order (a parent before its children)."""

    id = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True, help_text="the parent link; null at the top")
    depth = serializers.IntegerField(help_text="0 at the top")
    name = serializers.CharField()
    position = serializers.CharField(help_text="up, mid or down")
    position_label = serializers.CharField()
    industry_codes = serializers.CharField(help_text="GB/T 4754 codes, comma-separated")
    gap = serializers.CharField(help_text="strengthen, extend, fill (a gap to fill) or blank")
    gap_label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="distinct confirmed local enterprises on the link or any live link below it"
    )
    own = serializers.IntegerField(help_text="confirmed local enterprises on the link itself")


def _link_rows(panorama: dict) -> list[dict]:
    out = []
    for r in panorama["rows"]:
        n = r["node"]
        out.append(
            {
                "id": n.pk,
                "parent": n.parent_id,
                "depth": r["depth"],
                "name": n.name,
                "position": n.position,
                "position_label": n.get_position_display(),
                "industry_codes": n.industry_codes,
                "gap": n.gap,
                "gap_label": n.get_gap_display() if n.gap else "",
                "count": r["count"],
                "own": r["own"],
            }
        )
    return out


class AttractionChainSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=NAME_MAX, error_messages=_text_messages(_("产业链名称"), NAME_MAX)
    )
    region = VisibleRef(Region, error_messages=_ref_messages(_("区划")))
    region_name = serializers.CharField(source="region.name", read_only=True)
    leader = VisibleRef(
        User,
        filter={"is_active": True},
        required=False,
        allow_null=True,
        error_messages=_ref_messages(_("链长")),
    )
    department = VisibleRef(
        Department, required=False, allow_null=True, error_messages=_ref_messages(_("牵头部门"))
    )
    count = serializers.SerializerMethodField(
        help_text="distinct confirmed local enterprises on the chain's live links"
    )
    links = serializers.SerializerMethodField(help_text="the live links in tree order, each with its counts")

    class Meta:
        model = Chain
        fields = ["id", "name", "region", "region_name", "leader", "department", "count", "links"]
        validators: list = []  # a name twice in a region: the service's message under "name"

    def _panorama(self, chain: Chain) -> dict:
        known = self.context.setdefault("panoramas", {})
        if chain.pk not in known:
            known[chain.pk] = selectors_chains.panorama(chain, self.context["request"].user)
        return known[chain.pk]

    def get_count(self, chain) -> int:
        return self._panorama(chain)["count"]

    @extend_schema_field(AttractionChainLinkRowSerializer(many=True))
    def get_links(self, chain) -> list[dict]:
        return _link_rows(self._panorama(chain))


class AttractionChainViewSet(
    _Readable,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """产业链 of the caller's area, each with its 全链 count and its live links as a tree with
    their counts (attraction-figures.md §产业链全景图); `create` and `update` (PUT) go through
    `services_chains.save_chain` (the office of the area: `attraction.chains.configure`)."""

    queryset = Chain.objects.select_related("region").order_by("region__path", "pk")
    serializer_class = AttractionChainSerializer
    filterset_fields = ["region"]
    http_method_names = ["get", "post", "put", "head", "options"]
    write_actions = {"create": services_chains.ACTION, "update": services_chains.ACTION}

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = list(page if page is not None else qs)
        context = {
            **self.get_serializer_context(),
            "panoramas": selectors_chains.panoramas(rows, request.user),
        }
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _save(self, serializer, chain):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services_chains.save_chain(
                chain,
                actor=self.request.user,
                name=d["name"],
                region=d["region"],
                leader=d.get("leader"),
                department=d.get("department"),
            )

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class _LinkRef(serializers.PrimaryKeyRelatedField):
    """A link of a chain the caller sees (the service checks it is of the same chain)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return ChainNode.objects.none()
        return ChainNode.objects.filter(chain__in=Chain.objects.visible_to(request.user))


class AttractionChainLinkSerializer(serializers.ModelSerializer):
    chain = VisibleRef(Chain, required=False, error_messages=_ref_messages(_("产业链")))
    parent = _LinkRef(required=False, allow_null=True, error_messages=_ref_messages(_("上级环节")))
    name = serializers.CharField(max_length=NAME_MAX, error_messages=_text_messages(_("环节名称"), NAME_MAX))
    position = serializers.ChoiceField(
        choices=ChainNode.Position.choices, error_messages=_choice_messages(_("上游、中游或下游"))
    )
    position_label = serializers.CharField(source="get_position_display", read_only=True)
    industry_codes = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="GB/T 4754 codes (2–4 digits) separated by commas, 、 or spaces",
        error_messages=_text_messages(_("国民经济行业代码"), 200),
    )
    gap = serializers.ChoiceField(
        choices=ChainNode.Gap.choices,
        required=False,
        allow_blank=True,
        error_messages=_choice_messages(_("缺链类型（强链、延链、补链或无）")),
    )
    gap_label = serializers.CharField(source="get_gap_display", read_only=True)

    class Meta:
        model = ChainNode
        fields = [
            "id",
            "chain",
            "parent",
            "name",
            "position",
            "position_label",
            "industry_codes",
            "gap",
            "gap_label",
            "is_active",
        ]
        read_only_fields = ["id", "is_active"]

    def validate(self, attrs):
        if self.instance is None and attrs.get("chain") is None:
            raise serializers.ValidationError({"chain": [gettext("请选择产业链")]})
        if self.instance is not None and attrs.get("chain") not in (None, self.instance.chain):
            raise serializers.ValidationError({"chain": [gettext("环节不能移到其他产业链")]})
        return attrs


class AttractionPlaceSerializer(serializers.Serializer):
    enterprise = VisibleRef(Enterprise, error_messages=_ref_messages(_("企业")))


class AttractionSuggestionSerializer(serializers.ModelSerializer):
    industry_code = serializers.CharField(source="industry.code", read_only=True, allow_null=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "industry_code", "region_name"]
        read_only_fields = fields


class AttractionChainEnterpriseSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    chain = serializers.IntegerField(source="node.chain_id", read_only=True)

    class Meta:
        model = ChainEnterprise
        fields = [
            "id",
            "chain",
            "node",
            "enterprise",
            "enterprise_name",
            "status",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class AttractionChainLinkViewSet(
    _Readable,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The links (环节) of the chains the caller sees, switched-off ones too. `create` and
    `update` (PUT) are `services_chains.save_node`; `deactivate` switches a link off with every
    link below it and `activate` switches it back on (`switch_node`); `suggestions` lists the
    enterprises suggested for the link, `confirm` places one on it (上链) and `remove` takes one
    off or turns a suggestion down (`place_enterprise`). All writes: `attraction.chains.configure`
    in the chain's area."""

    queryset = ChainNode.objects.select_related("chain__region").order_by("chain", "pk")
    scope_through = "chain"
    serializer_class = AttractionChainLinkSerializer
    filterset_fields = ["chain", "parent", "position", "gap", "is_active"]
    http_method_names = ["get", "post", "put", "head", "options"]
    write_actions = {
        k: services_chains.ACTION for k in ("create", "update", "deactivate", "activate", "confirm", "remove")
    }

    def _save(self, serializer, node):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services_chains.save_node(
                node,
                actor=self.request.user,
                chain=node.chain if node is not None else d["chain"],
                name=d["name"],
                position=d["position"],
                parent=d.get("parent"),
                industry_codes=d.get("industry_codes", ""),
                gap=d.get("gap", ""),
            )

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _switch(self, request, is_active: bool):
        node = self.get_object()
        with service_errors():
            node = services_chains.switch_node(node, actor=request.user, is_active=is_active)
        return Response(AttractionChainLinkSerializer(node, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=AttractionChainLinkSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Switch the link off, with every link below it (停用)."""
        return self._switch(request, False)

    @extend_schema(request=None, responses=AttractionChainLinkSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Switch the link back on (its parent must be on)."""
        return self._switch(request, True)

    @extend_schema(responses=AttractionSuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request, pk=None):
        """Enterprises of the chain's region whose 大类 is one of the link's codes, with no
        decision on the link yet (at most 50); none to a caller who may not edit the chain."""
        node = self.get_object()
        if not node.is_active or not services_chains.can_configure(request.user, node.chain):
            return Response([])
        rows = selectors_chains.suggestions(node, request.user)
        return Response(AttractionSuggestionSerializer(rows, many=True).data)

    def _place(self, request, confirm: bool):
        node = self.get_object()
        data = AttractionPlaceSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        with service_errors():
            row = services_chains.place_enterprise(
                node, data.validated_data["enterprise"], actor=request.user, confirm=confirm
            )
        return Response(AttractionChainEnterpriseSerializer(row).data)

    @extend_schema(request=AttractionPlaceSerializer, responses=AttractionChainEnterpriseSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm an enterprise on the link (上链)."""
        return self._place(request, True)

    @extend_schema(request=AttractionPlaceSerializer, responses=AttractionChainEnterpriseSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Take an enterprise off the link, or turn its suggestion down (not suggested again)."""
        return self._place(request, False)


class AttractionChainEnterpriseViewSet(_Readable, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The decisions on links (`?node=<link>`): confirmed (they count on the 全景图) and removed
    (not suggested again), of enterprises and chains the caller sees."""

    queryset = ChainEnterprise.objects.select_related("enterprise", "node").order_by("node", "status", "pk")
    scope_through = "enterprise"
    serializer_class = AttractionChainEnterpriseSerializer
    filterset_fields = ["node", "status"]

    def get_queryset(self):
        return super().get_queryset().filter(node__chain__in=Chain.objects.visible_to(self.request.user))


# --- 关账 of the funds-in-place 台账 -------------------------------------------------------------
class AttractionLedgerCloseSerializer(serializers.ModelSerializer):
    region = VisibleRef(Region, error_messages=_ref_messages(_("区划")))
    region_name = serializers.CharField(source="region.name", read_only=True)
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, error_messages=_msg(_("年度")))
    month = serializers.IntegerField(min_value=1, max_value=12, error_messages=_msg(_("月份")))
    is_closed = serializers.BooleanField(read_only=True, help_text="false once reopened")

    class Meta:
        model = LedgerClose
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "month",
            "is_closed",
            "closed_by",
            "closed_at",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
        ]
        read_only_fields = ["id", "closed_by", "closed_at", "reopened_by", "reopened_at", "reopen_reason"]
        validators: list = []  # a month closed twice: the service's message under "month"


class AttractionReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, error_messages=_text_messages(_("重新开账的原因"), 200))


class AttractionLedgerCloseViewSet(
    _Readable, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """关账 of the 到位资金台账 by region and month (attraction-figures.md §关账). `create` closes
    a month that has ended (`services.close_ledger`; closing a reopened month closes it again),
    `reopen` reopens a closed one with a reason (`services.reopen_ledger`); both need
    `attraction.ledger.close` in the region's area."""

    queryset = LedgerClose.objects.select_related("region").order_by("-year", "-month", "region__path", "pk")
    serializer_class = AttractionLedgerCloseSerializer
    filterset_fields = ["region", "year", "month"]
    write_actions = {"create": "attraction.ledger.close", "reopen": "attraction.ledger.close"}

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services.close_ledger(
                actor=self.request.user, region=d["region"], year=d["year"], month=d["month"]
            )

    @extend_schema(request=AttractionReopenSerializer, responses=AttractionLedgerCloseSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen (重新开账) the closed month, with a reason."""
        close = self.get_object()
        data = AttractionReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            close = services.reopen_ledger(
                actor=request.user,
                region=close.region,
                year=close.year,
                month=close.month,
                reason=data.validated_data["reason"],
            )
        return Response(AttractionLedgerCloseSerializer(close, context=self.get_serializer_context()).data)


def register_chains(router) -> None:
    router.register("attraction-chains", AttractionChainViewSet, basename="attraction-chain")
    router.register("attraction-chain-links", AttractionChainLinkViewSet, basename="attraction-chain-link")
    router.register(
        "attraction-chain-enterprises",
        AttractionChainEnterpriseViewSet,
        basename="attraction-chain-enterprise",
    )
    router.register(
        "attraction-ledger-closes", AttractionLedgerCloseViewSet, basename="attraction-ledger-close"
    )
