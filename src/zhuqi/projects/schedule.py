"""Schedule arithmetic on working days: finish-to-start dependencies with lags, the forward pass
(successors pushed after their predecessors) and the backward pass (倒排工期: latest dates from
a target date). Pure functions over plain values, so they are tested without a database.

Conventions (see zhuqi.core.workcalendar):
* a task of `duration` d ≥ 1 starting on working day s finishes on `add_working_days(s, d − 1)`;
  a milestone (d = 0) finishes the day it starts;
* a successor with lag L may start on `add_working_days(pred.finish, L + 1)` at the earliest
  (L = 0: the next working day); for a milestone predecessor, the milestone's day itself + L.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhuqi.core.workcalendar import add_working_days


class CycleError(ValueError):
    """The dependencies form a loop; the message names the tasks in Chinese."""


@dataclass
class Node:
    id: int
    name: str
    start: dt.date
    duration: int
    finish: dt.date | None = None
    late_start: dt.date | None = None
    late_finish: dt.date | None = None


def finish_of(start: dt.date, duration: int) -> dt.date:
    start = add_working_days(start, 0)
    return add_working_days(start, duration - 1) if duration > 1 else start


def start_for_finish(finish: dt.date, duration: int) -> dt.date:
    return add_working_days(finish, -(duration - 1)) if duration > 1 else finish


def last_working_day_on_or_before(day: dt.date) -> dt.date:
    first = add_working_days(day, 0)
    return day if first == day else add_working_days(day, -1)


def earliest_successor_start(pred_finish: dt.date, pred_duration: int, lag: int) -> dt.date:
    if pred_duration == 0:  # a milestone: the successor may start that day (+ lag)
        return add_working_days(pred_finish, lag) if lag > 0 else add_working_days(pred_finish, 0)
    return add_working_days(pred_finish, lag + 1)


def latest_predecessor_finish(succ_late_start: dt.date, pred_duration: int, lag: int) -> dt.date:
    if pred_duration == 0:
        return add_working_days(succ_late_start, -lag) if lag > 0 else succ_late_start
    return add_working_days(succ_late_start, -(lag + 1))


def find_cycle(edges: list[tuple[int, int, int]], names: dict[int, str]) -> list[str] | None:
    """A loop among the (pred, succ, lag) edges as a list of task names, or None."""
    graph: dict[int, list[int]] = defaultdict(list)
    for p, s, _lag in edges:
        graph[p].append(s)
    color: dict[int, int] = {}
    stack_path: list[int] = []

    def visit(n: int) -> list[int] | None:
        color[n] = 1
        stack_path.append(n)
        for m in graph.get(n, []):
            if color.get(m) == 1:
                return stack_path[stack_path.index(m) :] + [m]
            if color.get(m) is None:
                found = visit(m)
                if found:
                    return found
        stack_path.pop()
        color[n] = 2
        return None

    for n in list(graph):
        if color.get(n) is None:
            found = visit(n)
            if found:
                return [names.get(i, str(i)) for i in found]
    return None


def cycle_message(loop: list[str]) -> str:
    return _("前置关系形成了循环：%(loop)s。请删除其中一条前置关系后再排期。") % {"loop": " → ".join(loop)}


def topo_order(ids: list[int], edges: list[tuple[int, int, int]], names: dict[int, str]) -> list[int]:
    indeg = {i: 0 for i in ids}
    out: dict[int, list[int]] = defaultdict(list)
    for p, s, _lag in edges:
        out[p].append(s)
        indeg[s] = indeg.get(s, 0) + 1
    queue = deque(sorted(i for i in ids if indeg[i] == 0))
    order = []
    while queue:
        n = queue.popleft()
        order.append(n)
        for m in out[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                queue.append(m)
    if len(order) != len(ids):
        loop = find_cycle(edges, names) or [names[i] for i in ids if i not in order]
        raise CycleError(cycle_message(loop))
    return order


def forward(nodes: dict[int, Node], edges: list[tuple[int, int, int]]) -> dict[int, Node]:
    """Push every task to start no earlier than its predecessors allow; set finish dates.
    A task already later than required keeps its start (it is not pulled earlier)."""
    names = {n.id: n.name for n in nodes.values()}
    preds: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p, s, lag in edges:
        preds[s].append((p, lag))
    for nid in topo_order(list(nodes), edges, names):
        node = nodes[nid]
        start = add_working_days(node.start, 0)
        for p, lag in preds[nid]:
            pred = nodes[p]
            start = max(start, earliest_successor_start(pred.finish, pred.duration, lag))
        node.start = start
        node.finish = finish_of(start, node.duration)
    return nodes


def backward(nodes: dict[int, Node], edges: list[tuple[int, int, int]], target: dt.date) -> dict[int, Node]:
    """倒排工期: the latest start/finish of every task so that all finish by `target`."""
    names = {n.id: n.name for n in nodes.values()}
    succs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p, s, lag in edges:
        succs[p].append((s, lag))
    end = last_working_day_on_or_before(target)
    for nid in reversed(topo_order(list(nodes), edges, names)):
        node = nodes[nid]
        late_finish = end
        for s, lag in succs[nid]:
            late_finish = min(late_finish, latest_predecessor_finish(nodes[s].late_start, node.duration, lag))
        node.late_finish = late_finish
        node.late_start = start_for_finish(late_finish, node.duration)
    return nodes
