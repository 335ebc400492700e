"""Give the newsroom roles their permissions on the claim queue."""

from django.db import migrations

MODEL_PERMISSIONS = {
    "Fact-checkers": [
        ("claim", ["view", "change"]),
        ("claimsighting", ["view", "add"]),
        ("claimmatch", ["view", "change"]),
        ("claimnote", ["view", "add"]),
        ("tip", ["view"]),
    ],
    "Editors": [
        ("claim", ["view", "add", "change", "delete"]),
        ("claimsighting", ["view", "add", "change", "delete"]),
        ("claimmatch", ["view", "add", "change", "delete"]),
        ("claimnote", ["view", "add", "change", "delete"]),
        ("tip", ["view", "change", "delete"]),
    ],
}


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group_name, models in MODEL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model, actions in models:
            content_type, _ = ContentType.objects.get_or_create(app_label="claims", model=model)
            for action in actions:
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_claim_queue")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
