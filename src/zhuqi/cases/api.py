"""REST API of the cases app (viewsets registered on the shared router)."""


def register(router) -> None:
    pass
