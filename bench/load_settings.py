"""Settings for the HTTP load benchmark's gunicorn: production settings (`DJANGO_ENV=production`,
DEBUG off, secure cookies, HSTS, SSL redirect honoured through X-Forwarded-Proto) with one
change: static files are referenced without the manifest, so the benchmark needs no
`collectstatic` run (the load generator never fetches static files)."""

from zhuqi.settings import *  # noqa: F403
from zhuqi.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
