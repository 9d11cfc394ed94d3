"""REST API of the assistance app (viewsets registered on the shared router)."""


def register(router) -> None:
    pass
