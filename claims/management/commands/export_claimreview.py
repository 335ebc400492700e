import json

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.selectors import factcheck_claimreview_datafeed


class Command(BaseCommand):
    help = "Write a schema.org DataFeed of every published ClaimReview (to a file or stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write; stdout when omitted.")
        parser.add_argument(
            "--base-url",
            default=settings.FACTCHECK_SITE_URL,
            help="The public address of the site, for absolute URLs.",
        )

    def handle(self, *args, output=None, base_url, **options):
        feed = factcheck_claimreview_datafeed(base_url=base_url.rstrip("/"))
        text = json.dumps(feed, ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(f"Wrote {len(feed['dataFeedElement'])} ClaimReviews to {output}")
        else:
            self.stdout.write(text)
