from django.core.management.base import BaseCommand

from factcheck.demo import DEMO_PATH, demo_load


class Command(BaseCommand):
    help = "Load the demo newsroom (invented content, marked as demo). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEMO_PATH))

    def handle(self, *args, path, **options):
        summary = demo_load(path)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo newsroom ready in {len(summary.locales)} locales: "
                f"{summary.factchecks_created_or_changed} fact-checks written, "
                f"{summary.factchecks_unchanged} unchanged, {summary.pages} plain pages, "
                f"{summary.outlets} outlets, {summary.claims} new queue items."
            )
        )
