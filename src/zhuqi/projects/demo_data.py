"""Demo projects (filled in below)."""


def load_demo(context, stdout=None) -> None:
    return None
