"""`python -m bench.load --profile DIR`: the WSGI application under cProfile (CPU time), one
profile per gunicorn worker, written to DIR every 200 requests and at exit. Use with
`--threads 1` (cProfile follows the thread that enabled it)."""

from __future__ import annotations

import atexit
import cProfile
import os
import time
from pathlib import Path

from zhuqi.wsgi import application as _application

_DIR = Path(os.environ["ZHUQI_PROFILE_DIR"])
_profile = cProfile.Profile(time.process_time)
_count = 0


def _dump() -> None:
    _profile.dump_stats(_DIR / f"worker-{os.getpid()}.prof")


atexit.register(_dump)


def application(environ, start_response):
    global _count
    _count += 1
    try:
        return _profile.runcall(_application, environ, start_response)
    finally:
        if _count % 200 == 0:
            _dump()
