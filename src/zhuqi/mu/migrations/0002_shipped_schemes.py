"""The two schemes zhuqi ships (src/zhuqi/docs/mu-evaluation.md): a Zhejiang-style ratio scheme
with 黄岩 2022's published weights and benchmarks (规上 and 规下), and an Anhui-style min-max
scheme. Region-less: any region may compute with them."""

from decimal import Decimal as D

from django.db import migrations

SCHEMES = [
    {
        "code": "huangyan-2022-above",
        "name": "亩均效益评价（浙江黄岩 2022，规上）",
        "year": 2022,
        "pool": "above",
        "min_land_mu": D(0),
        "items": [
            ("tax_per_mu", D(30), "ratio", D("24.097")),
            ("value_added_per_mu", D(20), "ratio", D("136.16")),
            ("value_added_per_energy", D(20), "ratio", D("2.694")),
            ("value_added_per_emission", D(10), "ratio", D("4929.81")),
            ("labour_productivity", D(10), "ratio", D("18.14")),
            ("rnd_ratio", D(10), "ratio", D("3.02")),
        ],
    },
    {
        "code": "huangyan-2022-below",
        "name": "亩均效益评价（浙江黄岩 2022，规下）",
        "year": 2022,
        "pool": "below",
        "min_land_mu": D(3),
        "items": [
            ("tax_per_mu", D(50), "ratio", D("11.5932")),
            ("tax_per_power", D(50), "ratio", D("0.2352")),
        ],
    },
    {
        "code": "anhui-minmax-above",
        "name": "亩均效益评价（安徽式极差法，规上）",
        "year": 2025,
        "pool": "above",
        "min_land_mu": D(0),
        "items": [
            ("tax_per_mu", D(40), "min_max", None),
            ("revenue_per_mu", D(20), "min_max", None),
            ("tech_investment_per_mu", D(10), "min_max", None),
            ("labour_productivity", D(10), "min_max", None),
            ("rnd_ratio", D(10), "min_max", None),
            ("revenue_per_energy", D(10), "min_max", None),
        ],
    },
]
#: the ratio scheme's cap per item: 1.5 × its weight (a setting; a county may change it)
RATIO_CAP = D("1.5")


def load(apps, schema_editor):
    Scheme = apps.get_model("mu", "Scheme")
    SchemeItem = apps.get_model("mu", "SchemeItem")
    for spec in SCHEMES:
        scheme = Scheme.objects.create(
            code=spec["code"],
            name=spec["name"],
            year=spec["year"],
            pool=spec["pool"],
            min_land_mu=spec["min_land_mu"],
            status="active",
            bonus_cap=D(5),
        )
        for sort, (measure, weight, family, benchmark) in enumerate(spec["items"]):
            SchemeItem.objects.create(
                scheme=scheme,
                measure=measure,
                weight=weight,
                family=family,
                benchmark=benchmark,
                cap=weight * RATIO_CAP if family == "ratio" else None,
                sort=sort,
            )


def unload(apps, schema_editor):
    Scheme = apps.get_model("mu", "Scheme")
    Scheme.objects.filter(code__in=[s["code"] for s in SCHEMES], region__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("mu", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
