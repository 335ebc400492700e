"""manage.py channels add KIND URL_OR_HANDLE [--outlet NAME] [--language CODE] | channels list"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sources import services
from sources.models import ChannelKind
from sources.selectors import channel_list


class Command(BaseCommand):
    help = "Add or list ingest channels (feeds, sitemaps, Telegram, Mastodon, Bluesky, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a channel.")
        add.add_argument("kind", choices=ChannelKind.values)
        add.add_argument("url_or_handle")
        add.add_argument("--outlet", default="", help="Outlet name (created if missing).")
        add.add_argument("--language", default="", help="Language hint, e.g. hr or sr-latn.")
        add.add_argument("--interval", type=int, default=30, help="Poll interval in minutes.")
        sub.add_parser("list", help="List channels with their health.")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "add":
            outlet = None
            if options["outlet"]:
                outlet, _ = services.outlet_get_or_create(name=str(options["outlet"]))
            try:
                channel = services.channel_create(
                    kind=str(options["kind"]),
                    url_or_handle=str(options["url_or_handle"]),
                    outlet=outlet,
                    language=str(options["language"]),
                    poll_interval_minutes=int(str(options["interval"])),
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(self.style.SUCCESS(f"added channel {channel.pk}: {channel}"))
            return
        rows = channel_list()
        if not rows:
            self.stdout.write("no channels")
        for channel in rows:
            outlet_name = channel.outlet.name if channel.outlet else "-"
            polled = (
                channel.last_polled_at.isoformat(timespec="minutes")
                if channel.last_polled_at
                else "never"
            )
            self.stdout.write(
                f"{channel.pk:>4}  {channel.status:<7}  {channel.kind:<8}  {outlet_name:<20}  "
                f"{channel.url_or_handle}  (polled {polled}, {channel.items_new} new"
                + (f", error: {channel.last_error[:80]}" if channel.consecutive_failures else "")
                + ")"
            )
