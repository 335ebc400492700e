"""Make sure an admin account exists.

For the local demo (``make run``, ``DEBUG`` on) it creates ``admin`` / ``factcheck-demo``
and prints both. With ``DEBUG`` off (production, the test settings) the demo password is
public knowledge, so the command refuses unless ``FACTCHECK_ADMIN_PASSWORD`` gives another
one, which must pass the password validators and is never printed.
"""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "factcheck-demo"


class Command(BaseCommand):
    help = (
        "Make sure an admin account exists. With DEBUG on (local demo) it defaults to "
        f"{DEFAULT_USERNAME} / {DEFAULT_PASSWORD} and prints them; with DEBUG off it needs "
        "FACTCHECK_ADMIN_PASSWORD."
    )

    def handle(self, *args, **options):
        username = os.environ.get("FACTCHECK_ADMIN_USERNAME", "").strip() or DEFAULT_USERNAME
        given = os.environ.get("FACTCHECK_ADMIN_PASSWORD", "")
        demo = settings.DEBUG
        if not demo and given in ("", DEFAULT_PASSWORD):
            raise CommandError(
                "DEBUG is off: refusing to create the demo admin account with a public "
                "password. Set FACTCHECK_ADMIN_PASSWORD to a strong password (or create "
                "accounts with `manage.py createsuperuser`)."
            )
        password = given or DEFAULT_PASSWORD
        User = get_user_model()
        if not demo:
            try:
                validate_password(password, User(username=username))
            except ValidationError as exc:
                raise CommandError(
                    "FACTCHECK_ADMIN_PASSWORD is too weak: " + " ".join(exc.messages)
                ) from None
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"is_staff": True, "is_superuser": True, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(password)
            user.save()
            self.stdout.write(self.style.SUCCESS("Created the admin account."))
        editors = Group.objects.filter(name="Editors").first()
        if editors:
            user.groups.add(editors)
        if not demo:
            shown = "(from FACTCHECK_ADMIN_PASSWORD; not shown)"
        elif created or user.check_password(password):
            shown = password
        else:
            shown = "(changed; not shown)"
        self.stdout.write(
            f"Admin: {settings.FACTCHECK_SITE_URL.rstrip('/')}/admin/  user: {username}  password: {shown}"
        )
