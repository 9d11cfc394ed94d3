"""The registry: credit-code validation, admin override, pinyin search, lists and key status."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.enterprises.helpers import credit_code, make_enterprise
from zhuqi.core.models import AuditEntry
from zhuqi.enterprises import services
from zhuqi.enterprises.models import Enterprise, EnterpriseList, Industry, Tag

pytestmark = pytest.mark.django_db

VALID = "91110000600037341L"  # a real-world code with a correct check digit


def test_valid_code_is_accepted_and_normalised():
    assert services.check_credit_code(" 9111 0000-600037341l ") == VALID


@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        ("", "empty", "不能为空"),
        ("9111000060003734", "length", "应为 18 位，当前为 16 位"),
        ("91110000600037341LX", "length", "当前为 19 位"),
        ("91I10000600037341L", "format", "不允许的字符"),
        ("91110000600037341Z", "format", "不允许的字符"),
        ("91110000600037341X", "checksum", "第 18 位应为 L"),
    ],
)
def test_each_kind_of_invalid_code_has_its_own_chinese_message(code, kind, words):
    with pytest.raises(services.CreditCodeInvalid) as exc:
        services.check_credit_code(code)
    assert exc.value.kind == kind
    assert words in exc.value.messages[0]


def test_dispatch_registers_enterprise_with_valid_code(world):
    ent = services.create_enterprise(
        actor=world.alice, credit_code=credit_code(), name="恒顺集团有限公司", region=world.grid
    )
    assert ent.name_initials.startswith("hsjt")
    assert AuditEntry.objects.filter(event="enterprise_registered", object_id=str(ent.pk)).exists()


def test_duplicate_code_is_refused(world):
    code = credit_code()
    services.create_enterprise(actor=world.alice, credit_code=code, name="甲公司", region=world.grid)
    with pytest.raises(ValidationError, match="已登记"):
        services.create_enterprise(actor=world.alice, credit_code=code, name="乙公司", region=world.grid)


def test_pilot_code_failing_checksum_needs_an_admins_confirmation_and_is_audited(world):
    bad = VALID[:-1] + "X"
    with pytest.raises(services.CreditCodeInvalid):
        services.create_enterprise(actor=world.admin, credit_code=bad, name="试点企业", region=world.grid)
    with pytest.raises(services.CreditCodeInvalid, match="只有系统管理员"):
        services.create_enterprise(
            actor=world.alice, credit_code=bad, name="试点企业", region=world.grid, confirm_unchecked=True
        )
    ent = services.create_enterprise(
        actor=world.admin, credit_code=bad, name="试点企业", region=world.grid, confirm_unchecked=True
    )
    assert ent.credit_code_unchecked
    entry = AuditEntry.objects.get(event="credit_code_override", object_id=str(ent.pk))
    assert entry.actor == world.admin


def test_confirmation_does_not_let_a_malformed_code_through(world):
    with pytest.raises(services.CreditCodeInvalid) as exc:
        services.create_enterprise(
            actor=world.admin, credit_code="12345", name="坏代码", region=world.grid, confirm_unchecked=True
        )
    assert exc.value.kind == "length"


def test_only_registry_editors_within_scope_may_register(world):
    with pytest.raises(PermissionDenied):
        services.create_enterprise(actor=world.bob, credit_code=credit_code(), name="甲", region=world.grid)
    with pytest.raises(PermissionDenied):
        services.create_enterprise(
            actor=world.alice, credit_code=credit_code(), name="甲", region=world.other_grid
        )


def test_renaming_updates_pinyin_initials_and_tags_are_audited(world):
    ent = make_enterprise("甲公司", world.grid)
    tag = Tag.objects.get(name="专精特新")
    services.update_enterprise(ent, actor=world.alice, name="恒顺集团", tags=[tag])
    ent.refresh_from_db()
    assert ent.name_initials == "hsjt"
    assert list(ent.tags.all()) == [tag]
    assert AuditEntry.objects.filter(event="tags_changed", object_id=str(ent.pk)).exists()


def test_industries_ship_as_data():
    assert Industry.objects.filter(level="section").count() == 20
    assert Industry.objects.filter(level="division").count() == 97
    assert Industry.objects.get(code="26").parent.code == "C"
    assert Tag.objects.filter(name="国家级专精特新小巨人").exists()


def test_pool_entry_exit_and_progress(world):
    a = make_enterprise("甲公司", world.grid)
    b = make_enterprise("乙公司", world.grid)
    pool = EnterpriseList.objects.create(
        name="2026年小升规培育库", kind="pool", pool="small_to_scale", year=2026, goal=4, region=world.county
    )
    ma = services.enter_list(pool, a, actor=world.alice, reason="营收接近2000万元")
    mb = services.enter_list(pool, b, actor=world.alice)
    with pytest.raises(ValidationError, match="已在"):
        services.enter_list(pool, a, actor=world.alice)
    services.mark_achieved(ma, actor=world.alice)
    with pytest.raises(ValidationError, match="出库原因"):
        services.exit_list(mb, actor=world.alice, reason="")
    services.exit_list(mb, actor=world.alice, reason="企业迁出")
    assert pool.progress(world.alice) == {"members": 1, "achieved": 1, "goal": 4, "pct": 25.0}
    # a new stay may start after leaving
    services.enter_list(pool, b, actor=world.alice, reason="重新入库")


def test_key_designation_per_year(world):
    ent = make_enterprise("甲公司", world.grid)
    assert services.set_key(ent, 2026, actor=world.alice)
    assert not services.set_key(ent, 2026, actor=world.alice)
    assert ent.key_designations.filter(year=2026).exists()
    assert services.set_key(ent, 2026, actor=world.alice, key=False)
    assert not Enterprise.objects.get(pk=ent.pk).key_designations.exists()
