def load(context, stdout=None):
    pass
