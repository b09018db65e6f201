"""Open data per partnership (opt-in), labels that make results comparable, harvested catalogues.

A partnership publishes nothing until a coordinator turns publishing on. What it publishes is
what its public editions show (accounts/audience.py, PUBLIC): see ``opendata.py``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samverkan.followup.models import EffectEvaluation
from samverkan.partnerships.models import Partnership


class Licence(models.TextChoices):
    CC0 = "cc0", _("CC0 1.0 (fri användning)")
    CC_BY = "cc-by", _("CC BY 4.0 (ange källa)")


LICENCE_URIS = {
    Licence.CC0: "http://creativecommons.org/publicdomain/zero/1.0/",
    Licence.CC_BY: "http://creativecommons.org/licenses/by/4.0/",
}


class MeasureMethod(models.TextChoices):
    """Kinds of measure that evaluations are pooled by (comparable across kommuner)."""

    CCTV = "kamera", _("Kamerabevakning")
    LIGHTING = "miljo", _("Belysning och fysisk miljö")
    HOT_SPOTS = "narvaro", _("Riktad polisiär närvaro på brottsplatser")
    GUARDS = "vakter", _("Ordningsvakter och väktare")
    NEIGHBOURHOOD = "grannar", _("Grannsamverkan")
    WALKS = "vandring", _("Trygghetsvandringar och nattvandring")
    FOCUSED = "fokuserat", _("Fokuserat avskräckande (t.ex. SSA/GVI)")
    FAMILY = "familj", _("Föräldrastöd och familjeinsatser")
    SCHOOL = "skola", _("Skolbaserade insatser")
    LEISURE = "fritid", _("Fritid och mötesplatser")
    ALCOHOL = "alkohol", _("Alkohol- och serveringstillsyn")
    OTHER = "annat", _("Annan åtgärd")


class PlaceType(models.TextChoices):
    CENTRE = "centrum", _("Centrum och torg")
    HOUSING = "bostad", _("Bostadsområde")
    TRANSIT = "trafik", _("Kollektivtrafik och stationer")
    NIGHTLIFE = "noje", _("Nöjesliv")
    SCHOOL = "skola", _("Skola och skolgård")
    RETAIL = "handel", _("Handelsområde")
    WHOLE = "kommun", _("Hela kommunen")
    OTHER = "annat", _("Annan plats")


class OpenDataPublication(models.Model):
    """A partnership's choice to publish its public results as open data."""

    partnership = models.OneToOneField(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="open_data",
        on_delete=models.CASCADE,
    )
    published = models.BooleanField(_("publicerad som öppna data"), default=False)
    licence = models.CharField(
        _("licens"), max_length=10, choices=Licence.choices, default=Licence.CC0
    )
    contact_name = models.CharField(
        _("kontaktpunkt"),
        max_length=200,
        help_text=_("En funktion snarare än en person, t.ex. ”Kommunens trygghetssamordnare”."),
    )
    contact_email = models.EmailField(_("kontaktpunktens e-post"))
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publicerad av"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("publicering som öppna data")
        verbose_name_plural = _("publiceringar som öppna data")

    def __str__(self) -> str:
        return str(self.partnership)

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    @property
    def licence_uri(self) -> str:
        return LICENCE_URIS[Licence(self.licence)]


class EvaluationLabel(models.Model):
    """What kind of measure an effect evaluation tested, and where: the keys results are pooled
    and searched by across kommuner."""

    evaluation = models.OneToOneField(
        EffectEvaluation,
        verbose_name=_("effektuppföljning"),
        related_name="label",
        on_delete=models.CASCADE,
    )
    method = models.CharField(
        _("typ av åtgärd"),
        max_length=20,
        choices=MeasureMethod.choices,
        default=MeasureMethod.OTHER,
    )
    place_type = models.CharField(
        _("typ av plats"), max_length=20, choices=PlaceType.choices, default=PlaceType.OTHER
    )

    class Meta:
        verbose_name = _("klassning av effektuppföljning")
        verbose_name_plural = _("klassningar av effektuppföljningar")

    def __str__(self) -> str:
        return f"{self.evaluation}: {self.get_method_display()}"

    def audit_partnership_id(self) -> int:
        return self.evaluation.partnership_id


class RemoteCatalogue(models.Model):
    """Another Samverkan instance's open-data catalogue, listed by an administrator and
    harvested into the evidence bank (federation: each kommun keeps its own data)."""

    name = models.CharField(_("namn"), max_length=200)
    url = models.URLField(_("katalogens adress"), unique=True)
    active = models.BooleanField(_("skördas"), default=True)
    fetched_at = models.DateTimeField(_("senast hämtad"), null=True, blank=True)
    last_error = models.CharField(_("senaste fel"), max_length=500, blank=True)
    results = models.JSONField(_("hämtade resultat"), default=list, blank=True)

    class Meta:
        verbose_name = _("annan instans katalog")
        verbose_name_plural = _("andra instansers kataloger")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or "results" in fields:
            from samverkan.learning.evidence import index_catalogue

            index_catalogue(self)


class HarvestedResult(models.Model):
    """One harvested result row, checked (``harvest.checked_row``) and indexed by what the
    evidence bank searches and sorts on, so that the bank filters, counts and pages in the
    database. Rebuilt from ``RemoteCatalogue.results`` whenever those are saved."""

    catalogue = models.ForeignKey(
        RemoteCatalogue, related_name="rows", on_delete=models.CASCADE, verbose_name=_("katalog")
    )
    position = models.PositiveIntegerField(_("ordning"))
    method = models.CharField(_("typ av åtgärd"), max_length=500, blank=True)
    method_name = models.CharField(_("typ av åtgärd (namn)"), max_length=500, blank=True)
    place = models.CharField(_("typ av plats"), max_length=500, blank=True)
    category = models.CharField(_("brottskategori"), max_length=500, blank=True)
    kommun = models.CharField(_("kommun"), max_length=500, blank=True)
    periods = models.CharField(_("perioder"), max_length=1001, blank=True)
    search_text = models.TextField(_("söktext"), blank=True)
    log_kvot = models.FloatField(null=True, blank=True)
    varians = models.FloatField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    data = models.JSONField(_("rad"), default=dict)

    class Meta:
        verbose_name = _("hämtat resultat")
        verbose_name_plural = _("hämtade resultat")
        indexes = [
            models.Index(fields=["method_name", "kommun"], name="learning_hr_sort"),
            models.Index(fields=["method"], name="learning_hr_method"),
        ]

    def __str__(self) -> str:
        return f"{self.kommun}: {self.method_name}"


class RegionKind(models.TextChoices):
    COUNTY = "lansstyrelse", _("Länsstyrelse")
    POLICE_REGION = "polisregion", _("Polisregion")
    NATIONAL = "nationell", _("Nationell myndighet")


class RegionalScopeQuerySet(models.QuerySet["RegionalScope"]):
    def readable_by(self, user: Any) -> RegionalScopeQuerySet:
        """The scopes ``user`` reads: those naming them as a reader; an administrator
        (superuser) reads all. Anyone else gets none (the views answer 404)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(readers=user.pk)


class RegionalScope(models.Model):
    """A regional reader's view: a länsstyrelse, police region or national body reading a set
    of kommuner side by side. Its readers see only what is public (decisions under Lag
    2023:196, published open data), never a partnership's inside."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    kind = models.CharField(_("typ"), max_length=20, choices=RegionKind.choices)
    municipalities = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("kommuner"),
        related_name="regional_scopes",
        limit_choices_to={"kind": "municipality"},
    )
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("läsare"),
        related_name="regional_scopes",
        blank=True,
    )

    objects = RegionalScopeQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional vy")
        verbose_name_plural = _("regionala vyer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
