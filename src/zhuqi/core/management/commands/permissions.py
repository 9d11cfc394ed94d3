"""`zhuqi permissions`: print the permission matrix as the Markdown table of docs/permissions.md."""

from django.core.management.base import BaseCommand

from zhuqi.core import permissions


class Command(BaseCommand):
    help = "Print the permission matrix (core/permissions.py) as the table of docs/permissions.md"

    def handle(self, *args, **options):
        self.stdout.write(permissions.markdown_table(), ending="")
