"""Named choices for step 3, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Perspective(models.TextChoices):
    """Which side of the crime event a cause or measure concerns (handbook p. 56–60)."""

    SITUATION = "situation", _("Situationen")
    VICTIM = "victim", _("Den brottsutsatte")
    OFFENDER = "offender", _("Gärningspersonen")


class Proximity(models.TextChoices):
    PROXIMATE = "proximate", _("Närliggande")
    DISTAL = "distal", _("Bakomliggande")


class CauseNature(models.TextChoices):
    SITUATIONAL = "situational", _("Situationell")
    SOCIAL = "social", _("Social")


class ProblemStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Kandidat")
    PRIORITISED = "prioritised", _("Prioriterat")
    SET_ASIDE = "set_aside", _("Bortprioriterat")


class GoalKind(models.TextChoices):
    EFFECT = "effect", _("Effektmål (övergripande)")
    SUB = "sub", _("Delmål")
    PROCESS = "process", _("Processmål")
    PRODUCTION = "production", _("Produktionsmål")


class MeasureKind(models.TextChoices):
    SITUATIONAL = "situational", _("Situationell åtgärd")
    SOCIAL = "social", _("Social åtgärd")


class Horizon(models.TextChoices):
    SHORT = "short", _("Kort sikt")
    LONG = "long", _("Lång sikt")


class Evidence(models.TextChoices):
    EVALUATED = "evaluated", _("Utvärderad metod")
    PROMISING = "promising", _("Lovande arbetssätt")
    UNTESTED = "untested", _("Oprövad")
