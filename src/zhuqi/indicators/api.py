"""REST API of the indicators, scoped like the pages: indicators (reference data), data sets and
values read from `visible_to(request.user)`; values are written through
`services.record_values` (source 接口) by `POST /api/v1/indicator-values/record/`: an enterprise
user its own enterprise's (indicators.report), officials those in their scope
(indicators.enter). Periods are the codes of `periods.py` (2026, 2026H1, 2026Q3, 202610,
202610X2)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core import permissions
from zhuqi.core.api import ScopedViewSetMixin, VisibleRef
from zhuqi.core.models import Region
from zhuqi.enterprises.models import Enterprise

from . import services
from .models import DataSet, Indicator, Source, Value
from .periods import Period

MAX_VALUES = 1000  # values per write request


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "aggregation",
            "cumulative",
            "kind",
            "can_decrease",
            "decimals",
            "description",
            "is_active",
        ]
        read_only_fields = fields  # output only: no write names a row through it


class DataSetSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = DataSet
        fields = [
            "id",
            "code",
            "name",
            "region",
            "period_type",
            "audience",
            "due_working_days",
            "merge_jan_feb",
            "is_active",
            "indicators",
        ]
        read_only_fields = fields  # output only: no write names a row through it

    def get_indicators(self, obj) -> list[str]:
        """The codes of the form's indicators, in the form's order."""
        return [item.indicator.code for item in obj.items.all()]


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = Value
        fields = [
            "id",
            "indicator",
            "period",
            "year",
            "period_type",
            "enterprise",
            "region",
            "department",
            "cumulative",
            "value",
            "last_year_cumulative",
            "last_year_value",
            "flags",
            "explanation",
            "source",
            "entered_at",
        ]
        read_only_fields = fields  # output only: no write names a row through it


class ValueInput(serializers.Serializer):
    """One value to write: an enterprise, an indicator's code, a period code, the cumulative
    (1—N月累计) and/or the period's own value (the other is derived), an explanation where the
    value moved more than ±50 % on last year."""

    enterprise = VisibleRef(Enterprise)
    indicator = serializers.CharField(max_length=40, help_text=gettext_lazy("指标代码，如 gross_output"))
    period = serializers.CharField(
        max_length=10, help_text=gettext_lazy("期间代码：202610、2026Q3、202610X2")
    )
    cumulative = serializers.DecimalField(max_digits=20, decimal_places=4, required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=4, required=False, allow_null=True)
    explanation = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ValuesWriteSerializer(serializers.Serializer):
    values = ValueInput(many=True, allow_empty=False, max_length=MAX_VALUES)


class ValueFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", help_text=gettext_lazy("指标代码"))
    period = django_filters.CharFilter(field_name="period", help_text=gettext_lazy("期间代码"))
    region = django_filters.NumberFilter(method="in_region", help_text=gettext_lazy("区划（含下级）"))

    class Meta:
        model = Value
        fields = ["indicator", "period", "enterprise", "region", "year", "period_type", "source"]

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).only("path").first() if 0 < value < 2**31 else None
        if region is None:
            return queryset.none()
        return queryset.filter(region_path__startswith=region.path)


class IndicatorViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped = False  # reference data every signed-in user reads
    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_fields = ["kind", "code", "is_active"]
    search_fields = ["name", "code"]


class DataSetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = DataSet.objects.select_related("region").prefetch_related("items__indicator")
    serializer_class = DataSetSerializer
    filterset_fields = ["period_type", "is_active", "region"]


class ValueViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Values in the caller's scope (an enterprise user: its own enterprise's)."""

    queryset = Value.objects.select_related("indicator").order_by("-period", "indicator__sort", "pk")
    serializer_class = ValueSerializer
    filterset_class = ValueFilter

    @property
    def write_actions(self):  # type: ignore[override]
        """An enterprise user reports its own figures; officials enter those in their scope."""
        user = self.request.user
        report = permissions.allowed(user, "indicators.report")
        return {"record": "indicators.report" if report else "indicators.enter"}

    @extend_schema(
        request=ValuesWriteSerializer,
        responses={
            200: inline_serializer(
                "IndicatorValuesRecorded",
                {"created": serializers.IntegerField(), "updated": serializers.IntegerField()},
            ),
        },
        description=gettext_lazy(
            "写入一批指标值，全部通过才保存（任何一条有误则一条也不保存，返回 400："
            "detail 为说明，rows 为每条的错误 [{index, column, message}]）。"
        ),
    )
    @action(detail=False, methods=["post"])
    def record(self, request):
        data = ValuesWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        items = data.validated_data["values"]
        codes = {i["indicator"] for i in items}
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes, is_active=True)}
        today = timezone.localdate()
        entries, errors, index = [], [], {}
        for n, item in enumerate(items, start=1):
            label = _("第%(n)d条") % {"n": n}
            index[label] = n
            ind = indicators.get(item["indicator"])
            if ind is None:
                errors.append(
                    (label, "indicator", _("未知的指标代码“%(c)s”") % {"c": item["indicator"][:40]})
                )
                continue
            try:
                period = Period.parse(item["period"], "period")
            except ValidationError as exc:
                errors.append((label, "period", "".join(exc.messages)))
                continue
            if period.start > today:
                errors.append((label, "period", _("%(p)s尚未开始，不能填报") % {"p": period.label()}))
                continue
            entries.append(
                services.Entry(
                    ind,
                    period,
                    enterprise=item["enterprise"],
                    cumulative=item.get("cumulative"),
                    value=item.get("value"),
                    explanation=item.get("explanation") or "",
                    row=label,
                )
            )
        if not errors:
            try:
                counts = services.record_values(entries, actor=request.user, source=Source.API)
            except services.ValueErrors as exc:
                errors = exc.rows
            except DjangoPermissionDenied as exc:
                raise exceptions.PermissionDenied(str(exc) or _("无权操作")) from exc
            except Http404:  # an enterprise outside the caller's scope: as if it did not exist
                errors = [("", "enterprise", _("企业不存在"))]
            else:
                return Response(counts)
        rows = [
            {"index": index.get(label, 0), "column": column, "message": message}
            for label, column, message in errors
        ]
        detail = _("%(n)d 条有误，未保存任何数据") % {"n": len({r["index"] for r in rows})}
        return Response({"detail": detail, "rows": rows}, status=400)


def register(router) -> None:
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("indicator-datasets", DataSetViewSet, basename="indicator-dataset")
    router.register("indicator-values", ValueViewSet, basename="indicator-value")
