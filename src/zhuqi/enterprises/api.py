"""Enterprise REST API, scoped like the pages; writes go through services."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhuqi.core.api import ScopedViewSetMixin, VisibleRef, service_errors
from zhuqi.core.models import Region
from zhuqi.core.units import MAX_YEAR, MIN_YEAR

from . import selectors, services
from .models import Enterprise, EnterpriseList, Industry, ListMembership, Tag, Tier


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["id", "code", "name", "level", "parent"]
        read_only_fields = fields  # output only: no write names a row through it


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class EnterpriseSerializer(serializers.ModelSerializer):
    region = VisibleRef(Region)
    region_name = serializers.CharField(source="region.name", read_only=True)
    # no default: DRF leaves a field with a default out of a PATCH's answer
    industry_name = serializers.CharField(source="industry.name", read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(
        slug_field="name", many=True, queryset=Tag.objects.all(), required=False
    )
    registered_capital = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, help_text=gettext_lazy("元")
    )
    confirm_unchecked = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=gettext_lazy("管理员确认登记未通过校验位检查的早期试点代码"),
    )
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, allow_blank=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "credit_code_unchecked",
            "confirm_unchecked",
            "region",
            "region_name",
            "address",
            "legal_representative",
            "industry",
            "industry_name",
            "registered_capital",
            "founded_on",
            "above_scale",
            "above_scale_since",
            "land_area_mu",
            "employees",
            "contact_name",
            "contact_phone",
            "tier",
            "tags",
        ]
        read_only_fields = ["credit_code_unchecked"]
        extra_kwargs = {"credit_code": {"validators": []}}


class KeySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    key = serializers.BooleanField(default=True)


class EnterViewSerializer(serializers.Serializer):
    enterprise = VisibleRef(Enterprise)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ExitSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    achieved = serializers.BooleanField(
        default=False, help_text=gettext_lazy("true: 标记达成培育目标（不出库）")
    )


class EnterpriseViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Enterprises in the caller's scope. `q` searches name, pinyin initials (`hsjt`) or credit code."""

    write_actions = {
        "create": "enterprises.edit",
        "update": "enterprises.edit",
        "partial_update": "enterprises.edit",
        "key": "enterprises.edit",
    }
    queryset = Enterprise.objects.select_related("region", "industry").prefetch_related("tags")
    serializer_class = EnterpriseSerializer
    filterset_fields = ["region", "industry", "above_scale", "tier"]
    ordering_fields = ["name", "credit_code", "registered_capital", "employees", "founded_on"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        q = self.request.query_params.get("q")
        if q:
            qs = qs.filter(selectors.search_q(q))
        tag = self.request.query_params.get("tag")
        if tag:
            qs = qs.filter(tags__name=tag)  # one tag name: at most one row per enterprise
        return qs.order_by("name", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=gettext_lazy("名称、拼音首字母或信用代码")),
            OpenApiParameter("tag", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=KeySerializer, responses=KeySerializer)
    @action(detail=True, methods=["post"])
    def key(self, request, pk=None):
        """Designate (or with `key: false` revoke) the enterprise as a key enterprise for a year."""
        enterprise = self.get_object()
        s = KeySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            services.set_key(
                enterprise, s.validated_data["year"], actor=request.user, key=s.validated_data["key"]
            )
        return Response(s.validated_data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.create_enterprise(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "registered_capital" in data and data["registered_capital"] is not None:
            data["registered_capital"] = Decimal(data["registered_capital"])
        with service_errors():
            serializer.instance = services.update_enterprise(
                serializer.instance, actor=self.request.user, **data
            )


class IndustryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """GB/T 4754-2017 sections and divisions; `search` matches code or name."""

    queryset = Industry.objects.all()
    serializer_class = IndustrySerializer
    filterset_fields = ["level", "parent"]
    search_fields = ["code", "name"]
    pagination_class = None


class TagViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    pagination_class = None


class EnterpriseListSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = EnterpriseList
        fields = [
            "id",
            "name",
            "kind",
            "pool",
            "year",
            "goal",
            "description",
            "region",
            "is_active",
            "progress",
        ]
        read_only_fields = fields  # output only: no write names a row through it

    def get_progress(self, obj) -> dict:
        request = self.context.get("request")
        return obj.progress(request.user if request is not None else None)


class ListMembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListMembership
        fields = [
            "id",
            "list",
            "enterprise",
            "entered_on",
            "entry_reason",
            "exited_on",
            "exit_reason",
            "achieved_on",
        ]
        read_only_fields = fields  # output only: no write names a row through it


class EnterpriseListViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Named lists (清单) and cultivation pools (培育库) with their progress; `enter` adds an enterprise."""

    write_actions = {"enter": "enterprises.edit"}
    queryset = EnterpriseList.objects.all()
    serializer_class = EnterpriseListSerializer
    filterset_fields = ["kind", "pool", "year"]

    def get_queryset(self):
        return selectors.with_progress(super().get_queryset(), self.request.user)

    @extend_schema(request=EnterViewSerializer, responses=ListMembershipSerializer)
    @action(detail=True, methods=["post"])
    def enter(self, request, pk=None):
        lst = self.get_object()
        s = EnterViewSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        enterprise = s.validated_data["enterprise"]
        with service_errors():
            m = services.enter_list(lst, enterprise, actor=request.user, reason=s.validated_data["reason"])
        return Response(ListMembershipSerializer(m).data, status=201)


@extend_schema_view(list=extend_schema(description="Stays of enterprises on lists, scoped by enterprise."))
class ListMembershipViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    write_actions = {"exit": "enterprises.edit"}
    queryset = ListMembership.objects.select_related("list")
    serializer_class = ListMembershipSerializer
    filterset_fields = ["list", "enterprise"]

    @extend_schema(request=ExitSerializer, responses=ListMembershipSerializer)
    @action(detail=True, methods=["post"])
    def exit(self, request, pk=None):
        """Take the enterprise off the list with a reason, or mark the pool's goal achieved."""
        membership = self.get_object()
        s = ExitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            if s.validated_data["achieved"]:
                services.mark_achieved(membership, actor=request.user)
            else:
                services.exit_list(membership, actor=request.user, reason=s.validated_data["reason"])
        membership.refresh_from_db()
        return Response(ListMembershipSerializer(membership).data)


def register(router) -> None:
    router.register("enterprises", EnterpriseViewSet, basename="enterprise")
    router.register("industries", IndustryViewSet, basename="industry")
    router.register("enterprise-tags", TagViewSet, basename="enterprise-tag")
    router.register("enterprise-lists", EnterpriseListViewSet, basename="enterprise-list")
    router.register("list-memberships", ListMembershipViewSet, basename="list-membership")
