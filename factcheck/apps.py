from django.apps import AppConfig


class FactcheckConfig(AppConfig):
    name = "factcheck"
    verbose_name = "Fact-check site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every process (web workers and task workers) invalidates the page cache.
        from . import pagecache

        pagecache.connect()
