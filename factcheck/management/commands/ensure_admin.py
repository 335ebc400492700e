import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "factcheck-demo"


class Command(BaseCommand):
    help = "Make sure an admin account exists (for the local demo); prints its credentials."

    def handle(self, *args, **options):
        username = os.environ.get("FACTCHECK_ADMIN_USERNAME", DEFAULT_USERNAME)
        password = os.environ.get("FACTCHECK_ADMIN_PASSWORD", DEFAULT_PASSWORD)
        User = get_user_model()
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
        shown = password if created or user.check_password(password) else "(changed; not shown)"
        self.stdout.write(
            f"Admin: {settings.FACTCHECK_SITE_URL.rstrip('/')}/admin/  user: {username}  password: {shown}"
        )
