"""REST API of the projects app (viewsets registered on the shared router)."""


def register(router) -> None:
    pass
