"""manage.py crawl: one pass over due channels, or --loop with a pause between passes."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingest.pipeline import CrawlReport, crawl_channel, crawl_due
from ingest.tasks import poll_channel_task
from sources.models import Channel
from sources.selectors import channels_due


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
        while True:
            passes += 1
            self._one_pass(options)
            if not options["loop"] or (options["max_passes"] and passes >= options["max_passes"]):
                break
            if options["interval"]:
                time.sleep(float(options["interval"]))

    def _one_pass(self, options: dict) -> None:
        if options["enqueue"]:
            ids = options["channel"] or list(channels_due().values_list("id", flat=True))
            for channel_id in ids:
                poll_channel_task.enqueue(channel_id)
            self.stdout.write(f"enqueued {len(ids)} channel poll(s)")
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

    @staticmethod
    def _line(report: CrawlReport) -> str:
        if not report.ok:
            return f"channel {report.channel_id}: FAILED {report.errors[0]}"
        if report.not_modified:
            return f"channel {report.channel_id}: not modified"
        extra = f", {len(report.errors)} item error(s)" if report.errors else ""
        return f"channel {report.channel_id}: {report.seen} seen, {report.new} new{extra}"
