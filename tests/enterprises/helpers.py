"""Test helpers: enterprises with valid credit codes in the `world` regions."""

from __future__ import annotations

import itertools

from stdnum.cn import uscc

from zhuqi.enterprises.models import Enterprise

_seq = itertools.count(1)


def credit_code(region_code: str = "410223", serial: int | None = None) -> str:
    serial = next(_seq) if serial is None else serial
    body = "91" + region_code[:6].ljust(6, "0") + f"{serial:09d}"
    return body + uscc.calc_check_digit(body)


def make_enterprise(name: str, region, **extra) -> Enterprise:
    return Enterprise.objects.create(
        name=name, credit_code=credit_code(region.code[:6]), region=region, **extra
    )


def enterprises(world):
    """One enterprise in each interesting place: two grids of the park, the town, the other county."""
    return {
        "grid1": make_enterprise("恒顺集团有限公司", world.grid),
        "grid2": make_enterprise("丰原生物化学股份有限公司", world.grid2),
        "town": make_enterprise("城关食品有限公司", world.town),
        "other": make_enterprise("通许装备制造有限公司", world.other_grid),
    }
