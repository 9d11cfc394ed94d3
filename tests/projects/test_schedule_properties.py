"""Properties of the forward and backward passes on random chains and fans of tasks."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuqi.core.workcalendar import add_working_days, is_working_day
from zhuqi.projects import schedule

pytestmark = pytest.mark.django_db

tasks_st = st.lists(st.integers(min_value=0, max_value=15), min_size=2, max_size=8)


@st.composite
def graphs(draw):
    durations = draw(tasks_st)
    n = len(durations)
    edges = []
    for s in range(1, n):  # a DAG: each task may follow any earlier ones
        preds = draw(st.sets(st.integers(min_value=0, max_value=s - 1), max_size=2))
        for p in preds:
            edges.append((p, s, draw(st.integers(min_value=0, max_value=5))))
    start = dt.date(2026, 9, 1) + dt.timedelta(days=draw(st.integers(min_value=0, max_value=60)))
    return durations, edges, start


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_forward_respects_every_link_and_backward_meets_target(g):
    durations, edges, start = g
    nodes = {i: schedule.Node(i, f"任务{i}", start, d) for i, d in enumerate(durations)}
    schedule.forward(nodes, edges)
    for p, s, lag in edges:
        earliest = schedule.earliest_successor_start(nodes[p].finish, nodes[p].duration, lag)
        assert nodes[s].start >= earliest
    for n in nodes.values():
        assert is_working_day(n.start) and is_working_day(n.finish)
    target = max(n.finish for n in nodes.values()) + dt.timedelta(days=10)
    schedule.backward(nodes, edges, target)
    for n in nodes.values():
        assert n.late_finish <= target and n.late_start <= n.late_finish
        # the forward plan finishes 10 days before the target, so nothing is at risk
        assert n.start <= n.late_start
    for p, s, lag in edges:
        assert nodes[p].late_finish <= schedule.latest_predecessor_finish(
            nodes[s].late_start, nodes[p].duration, lag
        )
        # and the latest dates themselves form a feasible schedule
        assert nodes[s].late_start >= schedule.earliest_successor_start(
            nodes[p].late_finish, nodes[p].duration, lag
        )


def test_add_working_days_consistency_around_holiday():
    assert add_working_days(dt.date(2026, 10, 1), 0) == dt.date(2026, 10, 8)
