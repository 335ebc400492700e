from django.core.management.base import BaseCommand

from network.tasks import webhooks_retry_due


class Command(BaseCommand):
    help = "Send the webhook deliveries whose retry time has come (backends that cannot defer)."

    def handle(self, *args, **options) -> None:
        sent = webhooks_retry_due.call()
        self.stdout.write(f"{sent} webhook deliver{'y' if sent == 1 else 'ies'} attempted")
