"""Demo data of 招商引资 (固镇县, 340323): filled in by a later change."""


def load_demo(context, stdout=None) -> None:
    return None
