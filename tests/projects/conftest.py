"""Fixtures for the projects tests: a project in 尉氏县's park, owned by the 工信局, led by
the county leader, and one in the other county."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from zhuqi.projects import services


def make_project(
    world, *, code="P001", name="年产10万吨生物基材料项目", region=None, department=None, **extra
):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        return services.create_project(
            actor=world.admin,
            code=code,
            name=name,
            region=region or world.park,
            department=department if department is not None else world.jxj,
            leader=extra.pop("leader", world.leader),
            total_investment=extra.pop("total_investment", Decimal("500000000")),
            **extra,
        )


@pytest.fixture
def project(world):
    return make_project(world)


@pytest.fixture
def other_project(world):
    return make_project(
        world,
        code="P900",
        name="通许县装备制造项目",
        region=world.other_county,
        department=world.other_jxj,
        leader=world.charlie,
    )
