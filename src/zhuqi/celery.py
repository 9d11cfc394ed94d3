"""Celery app: eager (in-process) by default; a real worker when REDIS_URL is set.

Every periodic job is also a management command, so cron can run it without Celery."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")

app = Celery("zhuqi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
