"""Incidents with a case number are keyed by case and offence (issue 10).

Police exports list each offence of a case on its own row; keyed by the case number alone,
all but the first were skipped. Existing keys (case numbers) get their offence appended;
derived keys ("h:...") already include the offence and stay.
"""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left


def key_by_case_and_offence(apps, schema_editor):
    incident = apps.get_model("mapping", "Incident")
    # Keys that end with their offence already (a database that ran this step under another
    # name while it was being written) are left as they are.
    suffix = Concat(Value("|"), Left(F("offence"), 200))
    incident.objects.exclude(key__startswith="h:").exclude(key__endswith=suffix).update(
        key=Concat(F("key"), Value("|"), Left(F("offence"), 200))
    )


def key_by_case(apps, schema_editor):
    # Back to the case number: of several offences of one case only the first stays.
    incident = apps.get_model("mapping", "Incident")
    rows = incident.objects.exclude(key__startswith="h:").filter(key__contains="|")
    seen = set()
    for party_id, key, offence in rows.order_by("party_id", "key").values_list(
        "party_id", "key", "offence"
    ):
        case = key[: -(len(offence[:200]) + 1)]
        target = (party_id, case)
        query = incident.objects.filter(party_id=party_id, key=key)
        if target in seen or len(case) > 64:
            query.delete()
        else:
            seen.add(target)
            query.update(key=case)


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0006_police_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="incident",
            name="key",
            field=models.CharField(
                help_text=(
                    "Ärendenummer och brott från källan (ett ärende kan ha flera brott), annars "
                    "en nyckel av tid, brott och plats."
                ),
                max_length=300,
                verbose_name="identitet",
            ),
        ),
        migrations.RunPython(key_by_case_and_offence, key_by_case),
    ]
