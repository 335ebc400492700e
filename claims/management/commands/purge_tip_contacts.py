"""Erase tipsters' contact details once they are no longer needed.

A tip's contact is kept while its claim is open and erased
``FACTCHECK_TIP_CONTACT_RETENTION_DAYS`` (default 30) after the claim was closed
(published, already debunked, dismissed or merged). Run it daily, from cron or a
systemd timer; the task ``claims.tasks.tip_contacts_purge`` does the same from a worker.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.services import tip_purge_contacts


class Command(BaseCommand):
    help = (
        "Erase the contact details of tips whose claim was closed more than "
        "FACTCHECK_TIP_CONTACT_RETENTION_DAYS ago. Tips on open claims are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS
        count = tip_purge_contacts(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"would erase {count} tip contact(s) (retention: {days} days)")
        else:
            self.stdout.write(f"erased {count} tip contact(s) (retention: {days} days)")
