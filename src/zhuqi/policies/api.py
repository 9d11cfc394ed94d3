"""REST API of the policy library, read-only and scoped like the pages: items (published ones
for everyone signed in, drafts for those who may manage policies), an item's matched enterprises
within the caller's scope (officials, one SQL query), and an enterprise user's own 可享 / 差一点
可享 items with the reasons."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core import permissions
from zhuqi.core.api import ScopedViewSetMixin
from zhuqi.enterprises.models import Enterprise

from . import selectors
from .models import PolicyItem

#: enterprises a matches answer lists (the count is given in full up to the cap)
MATCHES_SHOWN = 100
MATCHES_COUNT_CAP = 10_000


class PolicyItemSerializer(serializers.ModelSerializer):
    document_title = serializers.CharField(source="document.title", read_only=True)
    level = serializers.CharField(source="document.level", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = PolicyItem
        fields = [
            "id",
            "document",
            "document_title",
            "level",
            "title",
            "kind",
            "status",
            "mode",
            "conditions",
            "amount_rule",
            "data_year",
            "exclusivity_group",
            "budget",
            "window_start",
            "window_end",
            "limit_days",
            "department",
            "department_name",
        ]
        read_only_fields = fields


class MatchEnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MatchesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    enterprises = MatchEnterpriseSerializer(many=True)


class LineSerializer(serializers.Serializer):
    label = serializers.CharField()
    wants = serializers.CharField()
    has = serializers.CharField()
    met = serializers.BooleanField()
    negated = serializers.BooleanField()


class EntrySerializer(serializers.Serializer):
    item = serializers.IntegerField()
    title = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    amount_text = serializers.CharField(allow_blank=True)
    lines = LineSerializer(many=True)


@extend_schema_serializer(many=False)  # one object, although the operation is a viewset's list
class MineSerializer(serializers.Serializer):
    qualifies = EntrySerializer(many=True)
    nearly = EntrySerializer(many=True)


def _entry(e: selectors.Entry) -> dict:
    return {
        "item": e.item.pk,
        "title": e.item.title,
        "amount": None if e.amount is None else str(e.amount),
        "amount_text": e.amount_text,
        "lines": [
            {"label": ln.label, "wants": ln.wants, "has": ln.has, "met": ln.met, "negated": ln.negated}
            for ln in e.explanation.lines
        ],
    }


class PolicyItemViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PolicyItem.objects.select_related("document", "department").order_by("-pk")
    serializer_class = PolicyItemSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if not permissions.allowed(self.request.user, "policies.manage"):
            qs = qs.filter(status=PolicyItem.Status.PUBLISHED)
        return qs

    @extend_schema(responses=MatchesSerializer)
    @action(detail=True)
    def matches(self, request, pk=None):
        """The enterprises in the caller's scope that qualify for the item (officials): the count
        (capped at 10,000) and the first 100 by name."""
        item = self.get_object()
        if not permissions.allowed(request.user, "policies.view"):
            raise Http404
        qs = selectors.matched(item, Enterprise.objects.visible_to(request.user))
        count = qs[:MATCHES_COUNT_CAP].count()
        rows = list(qs.order_by("name", "pk").values("id", "name")[:MATCHES_SHOWN])
        return Response({"count": count, "enterprises": rows})

    @extend_schema(responses=MineSerializer)
    @action(detail=False, pagination_class=None)
    def mine(self, request):
        """An enterprise user's live items: those it qualifies for (with the amount) and those it
        nearly qualifies for (one part missing), each condition with its own value. Anyone else
        has no enterprise of their own: two empty lists."""
        membership = getattr(request.user, "enterprise_membership", None)
        if not permissions.allowed(request.user, "policies.own") or membership is None:
            return Response({"qualifies": [], "nearly": []})
        enterprise = membership.enterprise
        qualifies, nearly = selectors.for_enterprise(enterprise)
        return Response({"qualifies": [_entry(e) for e in qualifies], "nearly": [_entry(e) for e in nearly]})


def register(router) -> None:
    router.register("policy-items", PolicyItemViewSet, basename="policy-item")
