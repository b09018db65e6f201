"""Named choices of step 2 with Swedish labels (STYLE.md 5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CRIME_STATS = "crime-stats", _("Anmälda brott (statistik, t.ex. Brå)")
    INCIDENTS = "incidents", _("Händelser (ett brott per rad med plats och tid)")
    KOLADA = "kolada", _("Nyckeltal från Kolada (JSON)")
    POPULATION = "population", _("Befolkning (SCB)")
    SURVEY = "survey", _("Trygghetsmätning")
    POLISEN_EVENTS = "polisen-events", _("Polisens händelser (JSON från polisen.se)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Pågår")
    NEEDS_MAPPING = "needs_mapping", _("Kolumner behöver kopplas")
    NEEDS_AREAS = "needs_areas", _("Väntar på val av områden")
    DONE = "done", _("Importerad")
    REJECTED = "rejected", _("Avvisad")
    DUPLICATE = "duplicate", _("Redan importerad")
    FAILED = "failed", _("Avbruten")


class AreaChoice(models.TextChoices):
    """What to import from a file that holds other municipalities (importers.base)."""

    OWN = "own", _("Bara samverkans kommun, dess delområden och jämförelsekommunerna")
    ALL = "all", _("Alla områden i filen, också de andra kommunerna")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SHARED = "shared", _("Delad med samverkan")


class BoundaryCrs(models.TextChoices):
    """Coordinate systems an uploaded area boundary may use (detected from the numbers)."""

    WGS84 = "wgs84", _("WGS 84 (longitud, latitud i grader)")
    SWEREF99TM = "sweref99tm", _("SWEREF 99 TM (meter)")


class PointNote(models.TextChoices):
    """Why an event from Polisen's feed has no point on the map (blank: it has its own)."""

    COUNTY = "county", _("Platsen är ett län")
    MUNICIPALITY = "municipality", _("Platsen är en kommun")
    REFERENCE = "reference", _("Koordinaten är ett områdes mittpunkt")
