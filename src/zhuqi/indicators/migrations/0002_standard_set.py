"""The standard indicator set every county starts with (issue: indicators, fact 1). Counties add
their own on the 指标 settings page; these are reference data and keep their codes."""

from django.db import migrations

#: code, name, unit, aggregation, cumulative, kind, can_decrease, decimals, description
STANDARD = [
    ("gross_output", "工业总产值", "wan_yuan", "sum", True, "entered", False, 1, "现价，1—N月累计"),
    ("revenue", "营业收入", "wan_yuan", "sum", True, "entered", False, 1, "1—N月累计"),
    ("profit", "利润总额", "wan_yuan", "sum", True, "entered", True, 1, "1—N月累计，亏损填负数"),
    ("tax", "入库税收", "wan_yuan", "sum", True, "entered", False, 1, "税务部门口径，1—N月累计"),
    ("taxable_sales", "应税销售收入", "wan_yuan", "sum", True, "entered", False, 1, "税务部门口径，1—N月累计"),
    ("power", "工业用电量", "wan_kwh", "sum", True, "entered", False, 1, "供电部门口径，1—N月累计"),
    ("industrial_investment", "工业投资", "wan_yuan", "sum", True, "entered", False, 1, "1—N月累计"),
    ("tech_investment", "技改投资", "wan_yuan", "sum", True, "entered", False, 1, "1—N月累计"),
    ("employees", "从业人员", "person", "last", False, "entered", False, 0, "期末人数"),
    ("energy", "综合能耗", "tce", "sum", True, "entered", False, 1, "1—N月累计"),
    ("rnd", "R&D经费", "wan_yuan", "sum", True, "entered", False, 1, "研究与试验发展经费支出，1—N月累计"),
    ("value_added_growth", "规上工业增加值增速", "percent", "last", True, "official", True, 1,
     "可比价，统计部门发布，不重新计算"),
    ("fai_growth", "固定资产投资增速", "percent", "last", True, "official", True, 1, "统计部门发布，不重新计算"),
    ("industrial_investment_growth", "工业投资增速", "percent", "last", True, "official", True, 1,
     "统计部门发布，不重新计算"),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for sort, (code, name, unit, agg, cum, kind, dec, decimals, desc) in enumerate(STANDARD, start=1):
        Indicator.objects.update_or_create(
            code=code,
            defaults=dict(name=name, unit=unit, aggregation=agg, cumulative=cum, kind=kind, can_decrease=dec,
                          decimals=decimals, description=desc, sort=sort * 10),
        )
    profit, revenue = Indicator.objects.get(code="profit"), Indicator.objects.get(code="revenue")
    Indicator.objects.update_or_create(
        code="profit_margin",
        defaults=dict(name="营业收入利润率", unit="percent", aggregation="ratio", cumulative=True, kind="derived",
                      can_decrease=True, decimals=1, numerator=profit, denominator=revenue,
                      description="利润总额 ÷ 营业收入 × 100", sort=len(STANDARD) * 10 + 10),
    )


def unload(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code="profit_margin").delete()
    Indicator.objects.filter(
        code__in=[s[0] for s in STANDARD] + ["profit_margin"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
