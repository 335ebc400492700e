from django.apps import AppConfig


class FactcheckConfig(AppConfig):
    name = "factcheck"
    verbose_name = "Fact-check site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The interface-catalogue check registers itself on import. Every process (web
        # workers and task workers) invalidates the page cache.
        from . import checks, pagecache  # noqa: F401

        pagecache.connect()
