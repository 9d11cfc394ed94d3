"""Demo data for cases (filled in below)."""


def load(context, stdout=None):
    pass
