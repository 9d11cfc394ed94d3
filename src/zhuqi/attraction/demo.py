"""Demo data of 招商引资 (filled in below)."""


def load_demo(ctx=None):
    return None
