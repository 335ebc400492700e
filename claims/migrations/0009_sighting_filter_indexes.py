"""Indexes for the claim queue's outlet, channel and platform filters (issue 12).

The queue filters claims by ``EXISTS`` over their sightings. With only the single-column
foreign-key indexes, PostgreSQL walks the claims in priority order and reads every
sighting of each one to find the outlet (100k claims, 500k sightings: 4,300 probes,
~50-110 ms); with ``(outlet_id, claim_id)`` the probe is an index-only lookup (5 ms), and
the page's count reads only that outlet's entries. ``bench/claim_queue.py --explain``.

``ClaimSighting.Meta.indexes`` declares them (the state operations below); the database
operation builds them ``CONCURRENTLY`` on PostgreSQL so a live queue keeps taking
sightings while they build (hence ``atomic = False``).
"""

from django.db import migrations, models

INDEXES = {
    "claimsighting_outlet_claim": ("outlet_id", "claim_id"),
    "claimsighting_channel_claim": ("channel_id", "claim_id"),
    "claimsighting_platform_claim": ("platform", "claim_id"),
}
TABLE = "claims_claimsighting"


def create_indexes(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    quote = schema_editor.quote_name
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {concurrently}IF NOT EXISTS {quote(name)} ON {quote(TABLE)} "
            f"({', '.join(quote(c) for c in columns)})"
        )


def drop_indexes(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name in INDEXES:
        schema_editor.execute(
            f"DROP INDEX {concurrently}IF EXISTS {schema_editor.quote_name(name)}"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("claims", "0008_claim_sighting_join"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(create_indexes, drop_indexes, elidable=False),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="claimsighting",
                    index=models.Index(
                        fields=["outlet", "claim"], name="claimsighting_outlet_claim"
                    ),
                ),
                migrations.AddIndex(
                    model_name="claimsighting",
                    index=models.Index(
                        fields=["channel", "claim"], name="claimsighting_channel_claim"
                    ),
                ),
                migrations.AddIndex(
                    model_name="claimsighting",
                    index=models.Index(
                        fields=["platform", "claim"], name="claimsighting_platform_claim"
                    ),
                ),
            ],
        ),
    ]
