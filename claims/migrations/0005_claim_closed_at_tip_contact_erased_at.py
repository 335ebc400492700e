"""When a claim was closed, and when a tip's contact was erased (privacy retention).

Claims already closed get ``closed_at`` = their last change, the best record there is of
when they were closed, so the retention clock for their tips starts from there.
"""

from django.db import migrations, models

CLOSED = ["published", "already_debunked", "dismissed", "merged"]


def backfill_closed_at(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Claim.objects.filter(status__in=CLOSED, closed_at__isnull=True).update(
        closed_at=models.F("updated")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_claim_queue_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="closed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the claim was last closed (published, already debunked, dismissed or merged); empty while it is open. Tip contacts are erased a set time after this.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="tip",
            name="contact_erased_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill_closed_at, migrations.RunPython.noop),
    ]
