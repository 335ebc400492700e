"""manage.py crawl: one pass over due channels, or --loop with a pause between passes.

With ``--enqueue`` each channel is claimed before its poll is queued, so a loop does
not queue a channel again while its poll is still waiting or running (the claim
ends when the poll records its result, or after ``sources.services.POLL_LEASE``).

The loop is also the platform's scheduler: once a day (the first pass, then every
``PURGE_EVERY`` seconds) it erases tipsters' contacts past their retention period
(``claims.tasks.tip_contacts_purge``; queued with ``--enqueue``, inline otherwise), so
the tip form's promise holds without a separate cron job. With a task backend that
cannot defer (the immediate one), each pass also sends the partner webhooks whose retry
time has come (``manage.py webhooks_retry``, when the network app is installed); the
database worker and RQ hold those retries themselves.
"""

from __future__ import annotations

import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import default_task_backend

from ingest.pipeline import CrawlReport, crawl_channel, crawl_due
from ingest.tasks import enqueue_due_polls
from sources.models import Channel

PURGE_EVERY = 24 * 3600.0


class Command(BaseCommand):
    help = "Poll due channels once (default), a given channel, or forever with --loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="Keep crawling, pausing between passes."
        )
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Seconds between passes with --loop."
        )
        parser.add_argument(
            "--max-passes", type=int, default=0, help="Stop --loop after N passes (0: never)."
        )
        parser.add_argument(
            "--channel", type=int, action="append", help="Poll this channel id now (repeatable)."
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="Enqueue tasks instead of polling inline."
        )

    def handle(self, *args: object, **options: object) -> None:
        passes = 0
        last_purge: float | None = None
        while True:
            passes += 1
            self._one_pass(options, first=passes == 1)
            if options["loop"] and (
                last_purge is None or time.monotonic() - last_purge >= PURGE_EVERY
            ):
                self._purge_tip_contacts(enqueue=bool(options["enqueue"]))
                last_purge = time.monotonic()
            if options["loop"]:
                self._retry_webhooks()
            if not options["loop"] or (options["max_passes"] and passes >= options["max_passes"]):
                break
            if options["interval"]:
                time.sleep(float(options["interval"]))

    def _one_pass(self, options: dict, *, first: bool = True) -> None:
        if options["enqueue"]:
            for channel_id in options["channel"] or ():
                if not Channel.objects.filter(pk=channel_id).exists():
                    raise CommandError(f"no channel with id {channel_id}")
            # --channel forces the first pass; later passes queue it only when due again.
            queued = enqueue_due_polls(
                channel_ids=options["channel"] or None,
                force=bool(options["channel"]) and first,
            )
            self.stdout.write(f"enqueued {len(queued)} channel poll(s)")
            return
        if options["channel"]:
            reports = []
            for channel_id in options["channel"]:
                channel = Channel.objects.select_related("outlet").filter(pk=channel_id).first()
                if channel is None:
                    raise CommandError(f"no channel with id {channel_id}")
                reports.append(crawl_channel(channel))
        else:
            reports = crawl_due()
        for report in reports:
            self.stdout.write(self._line(report))
        self.stdout.write(f"crawled {len(reports)} channel(s)")

    def _purge_tip_contacts(self, *, enqueue: bool) -> None:
        from claims.tasks import tip_contacts_purge

        if enqueue:
            tip_contacts_purge.enqueue()
            self.stdout.write("enqueued the tip-contact purge")
        else:
            erased = tip_contacts_purge.call()
            self.stdout.write(f"erased {erased} tip contact(s) past retention")

    def _retry_webhooks(self) -> None:
        # By command name: ingest does not import the network app (it sits on top).
        if default_task_backend.supports_defer or "webhooks_retry" not in get_commands():
            return
        try:
            call_command("webhooks_retry", stdout=self.stdout)
        except Exception as exc:  # noqa: BLE001 - a receiver's trouble must not stop crawling
            self.stderr.write(f"webhook retries failed: {type(exc).__name__}")

    @staticmethod
    def _line(report: CrawlReport) -> str:
        if not report.ok:
            return f"channel {report.channel_id}: FAILED {report.errors[0]}"
        if report.not_modified:
            return f"channel {report.channel_id}: not modified"
        extra = f", {len(report.errors)} item error(s)" if report.errors else ""
        return f"channel {report.channel_id}: {report.seen} seen, {report.new} new{extra}"
