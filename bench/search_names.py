"""Enterprise name search: the GIN index of character pairs (`search_q`) against the plain
`LIKE '%…%'` it replaced, on the generated data set, as the administrator (the whole area).

    DATABASE_URL=postgres://… PYTHONPATH=src python -m bench.search_names [term …]

Prints, per term: matches, and the median of 15 reads of the first page (50 rows in the
registry's order) each way; checks both find the same enterprises."""

from __future__ import annotations

import os
import statistics
import sys
import time


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")
    import django

    django.setup()
    from django.db.models import Q

    from zhuqi.core.models import User
    from zhuqi.enterprises.models import Enterprise
    from zhuqi.enterprises.selectors import search_q

    admin = User.objects.filter(role="admin").first()
    base = Enterprise.objects.visible_to(admin)
    sample = base.order_by("pk").values_list("name", "name_initials").first()
    terms = argv or [sample[0][:2], sample[0][2:6], sample[1][:4], sample[0], "有限", "材"]

    def median_ms(qs) -> float:
        samples = []
        for _ in range(15):
            started = time.perf_counter()
            list(qs[:50])
            samples.append(time.perf_counter() - started)
        return statistics.median(samples) * 1000

    print("| term | matches | GIN pairs (ms) | LIKE (ms) |\n|---|---:|---:|---:|")
    for t in terms:
        ours = base.filter(search_q(t)).order_by("name_initials", "pk")
        like = base.filter(
            Q(name__contains=t) | Q(name_initials__contains=t.lower()) | Q(credit_code__startswith=t.upper())
        ).order_by("name_initials", "pk")
        if set(ours.values_list("pk", flat=True)) != set(like.values_list("pk", flat=True)):
            raise AssertionError(f"the two searches disagree on {t!r}")
        print(f"| {t} | {ours.count():,} | {median_ms(ours):.1f} | {median_ms(like):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
