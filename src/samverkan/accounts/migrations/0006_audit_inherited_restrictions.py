"""Backfill: history entries inherit the restriction of the confidential item they derive from.

Before this, only an entry about a confidential cause or measure itself was restricted; the
status, activity log and meeting tasks of a confidential measure, and issued documents that show
confidential items, were recorded open to every member, and issued documents carried their whole
text into the history. This computes every such entry's restriction (the same rule as
``accounts.access.restriction_of``, written out against the historical models) and drops the
document text from the history.
"""

from django.db import migrations

DERIVED = ("implementation.progress", "implementation.activityentry", "implementation.actionitem")
DOCUMENT_CONTENT = ("source_lines", "changes", "confidential_access")
NOBODY = [-1]


def _item_restriction(item):
    if item is None or not item.confidential:
        return []
    return sorted(item.allowed_parties.values_list("pk", flat=True)) or NOBODY


def _document_restriction(groups):
    if not groups:
        return []
    common = set(groups[0]).intersection(*map(set, groups[1:]))
    return sorted(common) or NOBODY


def backfill(apps, schema_editor):
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    Cause = apps.get_model("problems", "Cause")
    Measure = apps.get_model("problems", "Measure")
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    derived = {label: apps.get_model(*label.split(".")) for label in DERIVED}

    def measure(measure_id):
        return Measure.objects.filter(pk=measure_id).first() if measure_id else None

    labels = ("problems.cause", "problems.measure", "documents.issueddocument", *DERIVED)
    for entry in AuditEntry.objects.filter(model_label__in=labels).iterator():
        restriction = None
        changes = entry.changes or {}
        if entry.model_label == "problems.cause":
            item = Cause.objects.filter(pk=entry.object_id).first()
            restriction = _item_restriction(item) if item else None
        elif entry.model_label == "problems.measure":
            item = measure(entry.object_id)
            restriction = _item_restriction(item) if item else None
        elif entry.model_label == "documents.issueddocument":
            document = IssuedDocument.objects.filter(pk=entry.object_id).first()
            groups = document.confidential_access if document else None
            if groups is None:
                groups = (changes.get("confidential_access") or {}).get("new") or []
            restriction = _document_restriction(groups)
            changes = {k: v for k, v in changes.items() if k not in DOCUMENT_CONTENT}
        else:
            obj = derived[entry.model_label].objects.filter(pk=entry.object_id).first()
            measure_id = obj.measure_id if obj else (changes.get("measure") or {}).get("new")
            item = measure(measure_id)
            restriction = _item_restriction(item) if item else None
        fields = {}
        if restriction is not None and restriction != entry.restricted_to:
            fields["restricted_to"] = restriction
        if changes != (entry.changes or {}):
            fields["changes"] = changes
        if fields:
            AuditEntry.objects.filter(pk=entry.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_invitations"),
        ("implementation", "0001_measure_progress_activity_log_action_items"),
        ("problems", "0001_problem_picture_causes_goals_measures"),
        ("documents", "0001_issued_documents_decisions_signatures"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
