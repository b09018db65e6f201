"""Incidents keyed by (party, key): no serial id, no extra index, no foreign-key triggers.

Django cannot change a primary key in place, so the rows move to a new table: the old one
is renamed aside, the new one created, the rows copied in SQL, and the old table dropped.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (
    "party_id, source_import_id, key, occurred_from, occurred_to, offence, category, place, "
    "area, x, y"
)


def copy_rows(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    new = quote(apps.get_model("mapping", "Incident")._meta.db_table)
    old = quote(apps.get_model("mapping", "IncidentBefore")._meta.db_table)
    schema_editor.execute(f"INSERT INTO {new} ({COLUMNS}) SELECT {COLUMNS} FROM {old}")


def copy_back(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    new = quote(apps.get_model("mapping", "Incident")._meta.db_table)
    old = quote(apps.get_model("mapping", "IncidentBefore")._meta.db_table)
    schema_editor.execute(f"INSERT INTO {old} ({COLUMNS}) SELECT {COLUMNS} FROM {new}")


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0003_comparison_municipalities"),
        ("partnerships", "0002_cycle_summary"),
    ]

    operations = [
        migrations.RenameModel("Incident", "IncidentBefore"),
        migrations.AlterField(
            model_name="incidentbefore",
            name="party",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partnerships.party",
                verbose_name="part",
            ),
        ),
        migrations.AlterField(
            model_name="incidentbefore",
            name="source_import",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="mapping.import",
                verbose_name="import",
            ),
        ),
        migrations.CreateModel(
            name="Incident",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "party",
                        "key",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        help_text="Ärendenummer från källan, annars en nyckel av tid, brott och plats.",
                        max_length=64,
                        verbose_name="identitet",
                    ),
                ),
                ("occurred_from", models.DateTimeField(verbose_name="inträffade (från)")),
                (
                    "occurred_to",
                    models.DateTimeField(
                        blank=True,
                        help_text="För brott som bara är kända inom ett tidsintervall, t.ex. över en helg.",
                        null=True,
                        verbose_name="inträffade (till)",
                    ),
                ),
                ("offence", models.CharField(max_length=200, verbose_name="brott")),
                (
                    "category",
                    models.CharField(blank=True, max_length=100, verbose_name="brottskategori"),
                ),
                ("place", models.CharField(blank=True, max_length=200, verbose_name="plats")),
                ("area", models.CharField(blank=True, max_length=200, verbose_name="område")),
                (
                    "x",
                    models.FloatField(
                        blank=True, null=True, verbose_name="östlig koordinat (SWEREF 99 TM)"
                    ),
                ),
                (
                    "y",
                    models.FloatField(
                        blank=True, null=True, verbose_name="nordlig koordinat (SWEREF 99 TM)"
                    ),
                ),
                (
                    "party",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incidents",
                        to="partnerships.party",
                        verbose_name="part",
                    ),
                ),
                (
                    "source_import",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="incidents",
                        to="mapping.import",
                        verbose_name="import",
                    ),
                ),
            ],
            options={
                "verbose_name": "händelse",
                "verbose_name_plural": "händelser",
                "ordering": ["-occurred_from"],
            },
        ),
        migrations.RunPython(copy_rows, copy_back),
        migrations.DeleteModel("IncidentBefore"),
    ]
