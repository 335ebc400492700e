"""Locales, the region's countries, the newsroom roles and the fact-check review workflow."""

from django.db import migrations

LANGUAGE_CODES = ["en", "sr", "sr-latn", "hr", "bs", "cnr", "mk", "sq"]
COUNTRIES = [
    ("RS", "Serbia"),
    ("BA", "Bosnia and Herzegovina"),
    ("ME", "Montenegro"),
    ("MK", "North Macedonia"),
    ("AL", "Albania"),
    ("XK", "Kosovo"),
    ("HR", "Croatia"),
    ("SI", "Slovenia"),
    ("BG", "Bulgaria"),
]
PAGE_PERMISSIONS = {
    "Fact-checkers": ["add_page", "change_page", "lock_page", "unlock_page"],
    "Editors": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"],
}
MODEL_PERMISSIONS = {
    "Fact-checkers": [
        ("wagtailadmin", "admin", ["access"]),
        ("wagtailimages", "image", ["add", "change", "choose"]),
        ("wagtaildocs", "document", ["add", "change", "choose"]),
        ("claims", "topic", ["view"]),
        ("claims", "rating", ["view"]),
        ("claims", "ratingscale", ["view"]),
        ("claims", "author", ["view", "add", "change"]),
    ],
    "Editors": [
        ("wagtailadmin", "admin", ["access"]),
        ("wagtailimages", "image", ["add", "change", "delete", "choose"]),
        ("wagtaildocs", "document", ["add", "change", "delete", "choose"]),
        ("claims", "topic", ["view", "add", "change", "delete"]),
        ("claims", "rating", ["view", "add", "change", "delete"]),
        ("claims", "ratingscale", ["view", "add", "change", "delete"]),
        ("claims", "author", ["view", "add", "change", "delete"]),
    ],
}


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.replace('_', ' ')}"},
    )
    return permission


def forwards(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Country = apps.get_model("claims", "Country")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ContentType = apps.get_model("contenttypes", "ContentType")

    for code in LANGUAGE_CODES:
        Locale.objects.get_or_create(language_code=code)
    for code, name in COUNTRIES:
        Country.objects.get_or_create(code=code, defaults={"name": name})

    root = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    groups = {}
    for name, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        for codename in codenames:
            permission = _permission(apps, "wagtailcore", "page", codename)
            if root is not None:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission
                )
        for app_label, model, actions in MODEL_PERMISSIONS[name]:
            for action in actions:
                permission = _permission(apps, app_label, model, f"{action}_{model}")
                if app_label in ("wagtailimages", "wagtaildocs") and root_collection is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )
                else:
                    group.permissions.add(permission)

    # Fact-checkers submit, an editor approves, then the page is published.
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task, _ = GroupApprovalTask.objects.get_or_create(
        name="Editor approval", defaults={"content_type": task_type, "active": True}
    )
    task.groups.set([groups["Editors"]])
    workflow, _ = Workflow.objects.get_or_create(name="Fact-check review", defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
