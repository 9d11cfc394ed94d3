"""The ONE stage transition table of a key project (like `zhuqi.cases.workflow` for cases).

`TRANSITIONS[stage]` maps each stage a project may move to from `stage` to the direction of
the move: "forward" one stage (needs evidence), or "back" one stage (a correction, needs a
reason). `services.move_stage` checks it; the project page offers exactly these moves.
"""

from __future__ import annotations

from .models import STAGE_ORDER

TRANSITIONS: dict[str, dict[str, str]] = {}
for _i, _s in enumerate(STAGE_ORDER):
    TRANSITIONS[_s] = {}
    if _i + 1 < len(STAGE_ORDER):
        TRANSITIONS[_s][STAGE_ORDER[_i + 1]] = "forward"
    if _i > 0:
        TRANSITIONS[_s][STAGE_ORDER[_i - 1]] = "back"
