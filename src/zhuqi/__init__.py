"""zhuqi (助企): the platform a county, city or province runs its industrial-economy work on."""

from .celery import app as celery_app

__all__ = ["celery_app"]
