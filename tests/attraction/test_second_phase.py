"""Second phases (二期) of a signed lead (attraction-figures.md §到位资金, rule `second_phase`):
their funds are not recognised as a new project's 省外到位资金; naming the earlier lead is
checked (scope, a formal contract, no cycle); the lead page shows both phases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.attraction.conftest import make_lead, walk
from tests.attraction.test_funds import MARCH, _funds, _signed
from tests.attraction.test_prereview_contracts import _reviewed
from zhuqi.attraction import selectors, services
from zhuqi.attraction.models import Lead
from zhuqi.core.units import WAN

pytestmark = pytest.mark.django_db


def _second_phase(world, first):
    lead = make_lead(world, investor="甲投资", title="甲二期", amount_wan="30000", phase_of=first)
    walk(lead, ["negotiating", "prereview"], world.alice)
    _reviewed(world, lead)
    walk(lead, ["signed", "registered", "land", "started"], world.alice)
    services.record_contract(
        lead, kind="formal", signed_on=dt.date(2025, 6, 1), amount=3 * 10_000 * WAN, actor=world.alice
    )
    return lead


@time_machine.travel(MARCH, tick=False)
def test_worked_example(world, rules, login):
    a = _signed(world, "甲投资")  # formal contract 5 亿元 signed 2024-12-01, started
    second = _second_phase(world, a)  # the same investor: no duplicate, it names 甲
    _funds(a, world, 2026, 2, "2000")
    fund = _funds(second, world, 2026, 2, "1000")
    assert not fund.recognised
    assert fund.reason == "属于已签约项目的二期（后续期），不作为新的省外到位资金项目"
    assert selectors.ledger(world.alice, 2026)[1]["amount"] == 2000 * WAN
    # the lead page shows the phase and the reason; 甲's page lists its second phase
    client = login(world.alice)
    html = client.get(reverse("attraction:lead_detail", args=[second.pk])).content.decode()
    assert "前期项目" in html and "不作为新的省外到位资金项目" in html
    html = client.get(reverse("attraction:lead_detail", args=[a.pk])).content.decode()
    assert "甲二期" in html
    # a month before 甲 signed its formal contract, the rule would not refuse
    assert services.RECOGNITION[2].code == "second_phase"
    assert services.RECOGNITION[2].holds(second, "out_province", dt.date(2024, 11, 30))
    assert not services.RECOGNITION[2].holds(second, "out_province", dt.date(2024, 12, 31))


@time_machine.travel(MARCH, tick=False)
def test_naming_the_earlier_lead_is_checked(world, rules):
    a = _signed(world, "甲投资")
    unsigned = make_lead(world, investor="乙投资", title="乙")
    with pytest.raises(ValidationError) as e:  # no formal contract
        make_lead(world, investor="丙投资", title="丙二期", phase_of=unsigned)
    assert "还没有签订正式合同" in e.value.message_dict["phase_of"][0]
    with pytest.raises(ValidationError) as e:  # a lead of 通许县 Charlie cannot see... nor Alice his
        make_lead(
            world,
            actor=world.charlie,
            investor="丁投资",
            title="丁",
            region=world.other_county,
            team=None,
            phase_of=a,
        )
    assert e.value.message_dict["phase_of"] == ["所选的记录不存在"]
    with pytest.raises(ValidationError) as e:  # itself
        services.update_lead(a, actor=world.alice, phase_of=a)
    assert "本项目" in e.value.message_dict["phase_of"][0]
    second = _second_phase(world, a)
    with pytest.raises(ValidationError):  # a cycle: 甲 a phase of its own second phase
        services.update_lead(a, actor=world.alice, phase_of=second)
    assert Lead.objects.get(pk=a.pk).phase_of_id is None
    assert Lead.objects.filter(title__in=["丙二期", "丁"]).count() == 0


@time_machine.travel(MARCH, tick=False)
def test_form_offers_only_visible_signed_leads(world, rules, login):
    a = _signed(world, "甲投资")
    make_lead(world, investor="乙投资", title="乙")
    form = login(world.alice).get(reverse("attraction:lead_new")).context["form"]
    assert list(form.fields["phase_of"].queryset) == [a]
    form = login(world.charlie).get(reverse("attraction:lead_new")).context["form"]
    assert list(form.fields["phase_of"].queryset) == []
