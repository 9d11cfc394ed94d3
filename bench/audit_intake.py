"""The cost of the audit log's protections on writing (issue #20, item 4): one domain event per
transaction, as an intake request writes it, with the append-only trigger on and off, in
alternating blocks on the same database (medians; run on PostgreSQL):

    DATABASE_URL=postgres://… PYTHONPATH=src python -m bench.audit_intake [--n 400]

The trigger runs when an entry is linked to the chain (an UPDATE of prev_hash and hash); the
checkpoint floor costs one stat() of the checkpoint file per linking step."""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from zhuqi.core import audit

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400, help="entries per block")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "the trigger is PostgreSQL's"

    def block(n: int) -> list[float]:
        out = []
        for i in range(n):
            t = time.perf_counter()
            with transaction.atomic():
                audit.record("event", None, event="bench_intake", message=f"intake {i}")
            out.append((time.perf_counter() - t) * 1000)
        return out

    def trigger(on: bool) -> None:
        with connection.cursor() as cur:
            cur.execute(
                f"ALTER TABLE core_auditentry {'ENABLE' if on else 'DISABLE'} TRIGGER zhuqi_audit_append_only"
            )

    with audit.acting_as(None, label="bench"):
        samples: dict[bool, list[float]] = {True: [], False: []}
        for on in (True, False, True, False):
            trigger(on)
            samples[on] += block(args.n)
        trigger(True)
    on, off = statistics.median(samples[True]), statistics.median(samples[False])
    print(f"entry written and linked, trigger on : median {on:.2f} ms ({len(samples[True])} samples)")
    print(f"entry written and linked, trigger off: median {off:.2f} ms ({len(samples[False])} samples)")
    print(f"ratio on/off: {on / off:.2f}")


if __name__ == "__main__":
    main()
