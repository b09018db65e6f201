"""Named choices for accounts, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommun")
    POLICE_AREA = "police_area", _("Lokalpolisområde")
    REGION = "region", _("Region")
    OTHER = "other", _("Annan organisation")


class Role(models.TextChoices):
    """What a member may do in a partnership.

    ADMIN manages members and everything else; COORDINATOR edits; MEMBER reads and
    comments; STEERING reads and approves (steering-group members); REPORTER (field staff:
    fältassistenter, security guards, housing hosts) only files field reports and reads the
    weekly picture (fieldwork), nothing else in the partnership.
    """

    ADMIN = "admin", _("Administratör")
    COORDINATOR = "coordinator", _("Samordnare")
    MEMBER = "member", _("Medlem")
    STEERING = "steering", _("Styrgruppsledamot")
    REPORTER = "reporter", _("Fältrapportör")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Skapad")
    UPDATE = "update", _("Ändrad")
    DELETE = "delete", _("Borttagen")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Väntar på svar")
    ACCEPTED = "accepted", _("Antagen")
    DECLINED = "declined", _("Avböjd")
    REVOKED = "revoked", _("Återkallad")
