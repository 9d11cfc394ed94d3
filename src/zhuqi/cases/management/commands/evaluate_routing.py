"""`zhuqi evaluate_routing`: accuracy of the routing suggestion (top category) on held-out
routed history, and on hand-written problem texts that share no template with the demo."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhuqi.cases import routing
from zhuqi.cases.models import Case, Category

# (text, expected top category code): phrased as officials and enterprises actually write them
HANDWRITTEN = [
    ("公司扩建二期厂房，土地还没批下来，能否协调自然资源部门加快供地", "land"),
    ("厂区西侧闲置地块想租来堆放原料，需要办理什么手续", "land"),
    ("老厂房没有房产证，银行不给抵押", "land"),
    ("今年订单多，车间缺操作工三十多人，本地招不到", "labor"),
    ("想给新进员工办岗前培训，有没有政府补贴", "labor"),
    ("企业社保缴费基数调整后负担重，咨询稳岗返还", "labor"),
    ("原材料涨价，流动资金紧张，想申请两百万贷款", "finance"),
    ("银行抽贷，续贷手续卡住了，请帮忙对接", "finance"),
    ("没有抵押物，能不能走担保公司", "finance"),
    ("新上喷涂线需要做环评，审批要多久", "env"),
    ("污水处理厂管网没接到园区，废水只能拉走处理", "env"),
    ("排污许可证要变更排放总量", "env"),
    ("厂房盖好了，消防验收一直排不上", "approval"),
    ("施工许可证材料差一项，能否容缺办理", "approval"),
    ("食品生产许可证快到期了，延续怎么办", "approval"),
    ("车间新装设备后电不够用，要增加变压器容量", "utility"),
    ("这个月停了三次电，损失很大", "utility"),
    ("锅炉改天然气，燃气管道什么时候能通", "utility"),
    ("去年的技改补助一直没发下来", "policy"),
    ("刚入规，听说有奖励，怎么申请", "policy"),
    ("专精特新认定后的奖励资金什么时候兑现", "policy"),
    ("厂门口的路坑坑洼洼，大车进不来", "logistics"),
    ("城区限行，拉货的车进不去，能办通行证吗", "logistics"),
    ("产品卖不出去，希望政府组织供需对接", "market"),
    ("想参加省里的展销会，有没有展位补贴", "market"),
    ("准备申报高新技术企业，需要专家辅导", "tech"),
    ("车间想上数字化改造，不知道找谁做方案", "tech"),
    ("想和高校合作搞研发", "tech"),
    ("客户欠我们货款八十万，一直不还", "legal"),
    ("我们的商标被别人仿冒了", "legal"),
    ("危化品仓库整改不知道标准", "safety"),
    ("想做安全生产标准化，希望应急局来指导", "safety"),
]


class Command(BaseCommand):
    help = "评估诉求分拨建议的准确率（留出的历史诉求 + 人工撰写的诉求文本）"

    def add_arguments(self, parser):
        parser.add_argument("--holdout", type=float, default=0.2)

    def handle(self, *args, holdout, **options):
        cases = list(
            Case.objects.filter(dispatched_at__isnull=False, category__isnull=False).select_related(
                "category"
            )
        )
        held = routing.evaluate(cases, holdout=holdout)
        self.stdout.write(
            _("留出历史：训练 %(train)s 件，测试 %(test)s 件，正确 %(correct)s 件，准确率 %(accuracy)s")
            % {
                "train": held["train"],
                "test": held["test"],
                "correct": held["correct"],
                "accuracy": format(held["accuracy"], ".1%"),
            }
        )
        nb = routing.train()
        roots = {c.pk: c.root.code for c in Category.objects.select_related("parent")}
        bayes_hits = kw_hits = 0
        for text, expected in HANDWRITTEN:
            label, _conf = nb.predict(routing.tokens(text))
            bayes_hits += roots.get(label) == expected
            kw = routing.keyword_suggest(text)
            kw_hits += bool(kw.category) and kw.category.root.code == expected
        n = len(HANDWRITTEN)
        self.stdout.write(
            _(
                "人工文本 %(n)s 条：朴素贝叶斯 %(bayes_hits)s/%(n)s = %(bayes_rate)s；关键词规则 %(kw_hits)s/%(n)s = %(kw_rate)s"
            )
            % {
                "n": n,
                "bayes_hits": bayes_hits,
                "bayes_rate": format(bayes_hits / n, ".1%"),
                "kw_hits": kw_hits,
                "kw_rate": format(kw_hits / n, ".1%"),
            }
        )
