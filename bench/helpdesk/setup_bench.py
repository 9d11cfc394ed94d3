"""Migrate the helpdesk database and print the load configuration (a staff user's API token,
the queue's id) as JSON: run with the helpdesk virtualenv's Python from this folder."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model  # noqa: E402
from helpdesk.models import Queue  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

user, _ = get_user_model().objects.get_or_create(
    username="bench", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.com"}
)
queue, _ = Queue.objects.get_or_create(
    slug="intake", defaults={"title": "企业诉求", "email_address": "intake@example.com"}
)
token, _ = Token.objects.get_or_create(user=user)
json.dump({"token": token.key, "queue": queue.pk}, sys.stdout)
