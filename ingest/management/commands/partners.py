"""manage.py partners list | partners set CHANNEL_ID [--draft | --publish]
[--keep-missing | --withdraw-missing] [--own-site-only | --other-publishers]

A partner newsroom is followed with ``manage.py channels add claimreview URL``; this
command shows what each partner channel imported and sets its per-channel choices.
``--other-publishers`` lets a network's shared feed carry fact-checks published on other
sites; by default a channel imports only those on its own site (docs/network.md).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingest.models import PartnerFactCheck, PartnerFeed, PublishMode
from sources.models import Channel, ChannelKind


class Command(BaseCommand):
    help = "List followed partner newsrooms (claimreview channels) or set how they publish."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Partner channels with their counts.")
        change = sub.add_parser("set", help="Set a partner channel's choices.")
        change.add_argument("channel_id", type=int)
        mode = change.add_mutually_exclusive_group()
        mode.add_argument("--draft", action="store_true", help="Import as drafts for an editor.")
        mode.add_argument("--publish", action="store_true", help="Publish at once.")
        missing = change.add_mutually_exclusive_group()
        missing.add_argument(
            "--keep-missing", action="store_true", help="Never withdraw what leaves the feed."
        )
        missing.add_argument(
            "--withdraw-missing", action="store_true", help="Withdraw what leaves the feed."
        )
        publishers = change.add_mutually_exclusive_group()
        publishers.add_argument(
            "--own-site-only",
            action="store_true",
            help="Import only fact-checks on the channel's own site (the default).",
        )
        publishers.add_argument(
            "--other-publishers",
            action="store_true",
            help="A network's shared feed: import fact-checks on other sites too.",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "set":
            self._set(options)
            return
        channels = Channel.objects.filter(kind=ChannelKind.CLAIMREVIEW).order_by("pk")
        if not channels:
            self.stdout.write("no partner channels; add one with: channels add claimreview URL")
        for channel in channels:
            feed = PartnerFeed.objects.filter(channel=channel).first()
            mode = feed.publish_mode if feed else f"{PublishMode.PUBLISH} (default)"
            scope = "other publishers" if feed and feed.other_publishers else "own site only"
            states = PartnerFactCheck.objects.filter(channel=channel)
            self.stdout.write(
                f"{channel.pk:>4}  {mode:<20}  {scope:<16}  {channel.url_or_handle}  "
                f"({states.filter(withdrawn_at=None).count()} imported, "
                f"{states.filter(held_for_review=True).count()} held for review, "
                f"{states.exclude(withdrawn_at=None).count()} withdrawn)"
            )

    def _set(self, options: dict) -> None:
        channel = Channel.objects.filter(
            pk=options["channel_id"], kind=ChannelKind.CLAIMREVIEW
        ).first()
        if channel is None:
            raise CommandError(f"no claimreview channel with id {options['channel_id']}")
        feed = PartnerFeed.objects.get_or_create(channel=channel)[0]
        if options["draft"]:
            feed.publish_mode = PublishMode.DRAFT
        elif options["publish"]:
            feed.publish_mode = PublishMode.PUBLISH
        if options["keep_missing"]:
            feed.withdraw_missing = False
        elif options["withdraw_missing"]:
            feed.withdraw_missing = True
        if options["own_site_only"]:
            feed.other_publishers = False
        elif options["other_publishers"]:
            feed.other_publishers = True
        feed.save()
        scope = "carries other publishers" if feed.other_publishers else "own site only"
        self.stdout.write(
            self.style.SUCCESS(
                f"channel {channel.pk}: {feed.publish_mode}, "
                f"{'withdraws' if feed.withdraw_missing else 'keeps'} what leaves the feed, "
                f"{scope}"
            )
        )
