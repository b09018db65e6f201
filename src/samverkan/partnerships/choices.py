"""Named choices for step 1, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    SIGNATORY = "signatory", _("Signerande part")
    PARTICIPANT = "participant", _("Övrig deltagare")


class GroupKind(models.TextChoices):
    STEERING = "steering", _("Styrgrupp")
    PREPARATION = "preparation", _("Beredningsgrupp")
    WORKING = "working", _("Arbetsgrupp")


class DecisionKind(models.TextChoices):
    COLLABORATE = "collaborate", _("Beslut om samverkan (överenskommelsens del 1)")
    PRIORITISATION = "prioritisation", _("Prioritering av problem (steg 3)")
    OTHER = "other", _("Övrigt beslut")


class MilestoneKind(models.TextChoices):
    BUDGET = "budget", _("Kommunens budgetprocess")
    STEP = "step", _("Steg i samverkansprocessen")
    MEETING = "meeting", _("Möte")
    OTHER = "other", _("Övrigt")
