from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and fact-checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import feed_cache, queue_signals, signals

        signals.connect()
        queue_signals.connect()
        feed_cache.connect()
