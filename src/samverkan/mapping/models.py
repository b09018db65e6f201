"""Step 2 – Egna förberedelser: each party's own mapping of local problems and resources.

Handbook pp. 39–46 (transcript lines "40"–"46"): every party, on its own, maps the local
crime and safety problems from statistics and other sources, inventories its resources and
ongoing work, and ends with its own problem picture (lägesbild). Everything here belongs to
one party and is private to it (accounts.access, ``party_view``) until the party shares its
lägesbild with the partnership.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.lib.versioning import Versioned
from samverkan.mapping.choices import (
    AreaChoice,
    BoundaryCrs,
    ImportKind,
    ImportStatus,
    PointNote,
    ReportStatus,
)
from samverkan.partnerships.models import Party


class PartyOwned(models.Model):
    """Abstract base: a record of one party's private mapping."""

    partnership_lookup = "party__partnership"
    # Every subclass declares its own foreign key to the party (with its own related name).
    party: Party
    party_id: int

    class Meta:
        abstract = True

    def audit_partnership_id(self) -> int:
        return self.party.partnership_id

    def audit_private_party_id(self) -> int:
        """History of private material is shown only to the owning party (accounts.audit)."""
        return self.party_id


class DataSource(Versioned, PartyOwned):
    """A source the party used (or considered and left out) for its mapping (handbook p. 42)."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="data_sources", on_delete=models.CASCADE
    )
    name = models.CharField(_("namn"), max_length=200, help_text=_("T.ex. Brå, anmälda brott."))
    covers = models.TextField(
        _("vad källan täcker"), blank=True, help_text=_("Brott, område, målgrupp.")
    )
    period = models.CharField(
        _("period"), max_length=100, blank=True, help_text=_("T.ex. 2020–2024.")
    )
    limitations = models.TextField(
        _("kända begränsningar"),
        blank=True,
        help_text=_("T.ex. visar bara anmälda brott, mörkertal, små tal."),
    )
    reason = models.TextField(_("varför källan valdes"), blank=True)
    left_out = models.BooleanField(
        _("övervägd men inte använd"),
        default=False,
        help_text=_("Markera om källan övervägdes men valdes bort."),
    )
    left_out_reason = models.TextField(_("varför den valdes bort"), blank=True)
    url = models.URLField(_("webbadress"), blank=True)

    class Meta:
        verbose_name = _("datakälla")
        verbose_name_plural = _("datakällor")
        ordering = ["left_out", "name"]

    def __str__(self) -> str:
        return self.name


class Import(PartyOwned):
    """One uploaded file and what became of it: rows imported, or every bad row with its line."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="imports", on_delete=models.CASCADE
    )
    source = models.ForeignKey(
        DataSource,
        verbose_name=_("datakälla"),
        related_name="imports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    kind = models.CharField(_("typ av data"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("filnamn"), max_length=255)
    file = models.FileField(_("fil"), upload_to="mapping/imports/", blank=True, max_length=300)
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rader i filen"), default=0)
    rows_imported = models.PositiveIntegerField(_("nya rader"), default=0)
    rows_skipped = models.PositiveIntegerField(
        _("överhoppade rader"), default=0, help_text=_("Rader som redan fanns sedan tidigare.")
    )
    errors = models.JSONField(_("fel per rad"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("antal fel"), default=0)
    headers = models.JSONField(_("kolumnrubriker i filen"), default=list, blank=True)
    column_mapping = models.JSONField(
        _("kolumnkoppling"),
        default=dict,
        blank=True,
        help_text=_("Vilken kolumn i filen som motsvarar vilket fält."),
    )
    areas = models.JSONField(
        _("områden i filen"),
        default=list,
        blank=True,
        help_text=_("Kommunerna och områdena filen innehåller, med antal rader för varje."),
    )
    area_choice = models.CharField(
        _("vilka områden som importeras"),
        max_length=10,
        choices=AreaChoice.choices,
        blank=True,
        help_text=_("Tomt tills användaren har valt (bara när filen har andra kommuner)."),
    )
    rows_left_out = models.PositiveIntegerField(
        _("rader för andra kommuner som inte importerades"), default=0
    )
    source_note = models.TextField(
        _("källanmärkning"),
        blank=True,
        help_text=_(
            "Fotnoterna under tabellen i filen, t.ex. ”Källa: Brå, anmälda brott” eller "
            "”Uppgifterna är preliminära”."
        ),
    )
    looks_like = models.CharField(
        _("filen ser ut som"),
        max_length=20,
        choices=ImportKind.choices,
        blank=True,
        help_text=_("Den typ av data filens kolumner passar, när de inte passar den valda."),
    )
    job = models.ForeignKey(
        "jobs.Job",
        verbose_name=_("bakgrundsjobb"),
        related_name="mapping_imports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uppladdad av"),
        related_name="mapping_imports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("uppladdad"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"

    def refused_as_a_whole(self) -> bool:
        """True when the file was refused as such (its encoding, its size, no header), not
        for bad rows: then "n rader är fel" would mislead."""
        return any(isinstance(e, dict) and e.get("file") for e in self.errors)

    def numbered_by_entry(self) -> bool:
        """True when the errors count entries of a JSON file ("post"), not lines."""
        return any(isinstance(e, dict) and e.get("unit") == "post" for e in self.errors)

    AREA_ROLES = {
        "own": _("samverkans kommun"),
        "part": _("område utan kommunkod (räknas som en del av er kommun)"),
        "comparison": _("jämförelsekommun"),
        "other": _("annan kommun"),
        "county": _("länet som samverkans kommun ligger i (händelsen anges bara per län)"),
        "unknown": _("kommun (samverkans egen kommunkod är okänd, så det går inte att avgöra)"),
    }

    LOOKS_LIKE = {
        "crime-stats": _("en fil med brottsstatistik (antal anmälda brott per område och år)"),
        "incidents": _("en händelsefil (ett brott per rad med datum och plats)"),
        "kolada": _("en fil med nyckeltal från Kolada"),
        "population": _("en befolkningsfil (folkmängd per område och år)"),
        "survey": _("en fil från en trygghetsmätning"),
        "polisen-events": _("en fil med Polisens händelser"),
    }

    def looks_like_text(self) -> str:
        """ "en händelsefil (…)": the kind the file's columns fit, in words."""
        return str(self.LOOKS_LIKE.get(self.looks_like, self.get_looks_like_display()))

    def area_rows(self) -> list[dict[str, Any]]:
        """The areas of the file for the page: name, code, what it is, and its rows."""
        return [
            {**a, "label": self._area_label(a.get("role", ""), str(a.get("code", "")))}
            for a in self.areas
            if isinstance(a, dict)
        ]

    def _area_label(self, role: str, code: str) -> str:
        if role == "other" and len(code) == 2:
            return str(_("annat län"))  # a county of Polisen's events elsewhere
        return str(self.AREA_ROLES.get(role, ""))

    def other_areas(self) -> list[dict[str, Any]]:
        """The municipalities of the file that are neither the own nor a comparison one."""
        return [a for a in self.area_rows() if a.get("role") == "other"]

    def rows_note(self) -> str:
        """Why "Rader i filen" and "Nya rader" differ, in words ("" when they do not)."""
        stored = self.rows_imported + self.rows_skipped
        used = self.rows_total - self.rows_left_out
        if self.status != "done" or stored == used:
            return ""
        if stored > used:
            return str(
                _(
                    "Filen har en kolumn per år (en bred tabell). Varje rad i filen blir en "
                    "uppgift per år i Samverkan, så det blir fler nya rader än rader i filen."
                )
            )
        if self.kind == "population":
            return str(
                _(
                    "Rader för samma område och år, till exempel kvinnor och män i var sin rad, "
                    "läggs ihop till en folkmängd. Därför blir det färre rader i Samverkan än i "
                    "filen."
                )
            )
        return str(
            _(
                "Tomma värden (till exempel ”..” där Brå inte redovisar någon siffra) blir "
                "ingen uppgift, så det blir färre rader i Samverkan än i filen."
            )
        )


class CrimeStatistic(PartyOwned):
    """Reported offences of one kind in one area and period, e.g. from Brå's database."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="crime_statistics", on_delete=models.CASCADE
    )
    source_import = models.ForeignKey(
        Import,
        verbose_name=_("import"),
        related_name="crime_statistics",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    area = models.CharField(
        _("område"), max_length=200, help_text=_("Kommun, kommundel eller stadsdel.")
    )
    offence = models.CharField(_("brott"), max_length=200)
    category = models.CharField(
        _("brottskategori"), max_length=100, blank=True, help_text=_("Enligt handbokens tabell.")
    )
    interpretation = models.CharField(_("tolkningskategori"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("år"))
    quarter = models.PositiveSmallIntegerField(_("kvartal"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("månad"), null=True, blank=True)
    count = models.PositiveIntegerField(_("antal anmälda brott"))
    population = models.PositiveIntegerField(_("befolkning"), null=True, blank=True)

    class Meta:
        verbose_name = _("brottsstatistik")
        verbose_name_plural = _("brottsstatistik")
        ordering = ["year", "area", "offence"]
        indexes = [models.Index(fields=["party", "year"], name="crimestat_party_year")]

    def __str__(self) -> str:
        return f"{self.area} {self.year}: {self.offence} {self.count}"

    def natural_key(self) -> tuple:
        return (self.area, self.offence, self.year, self.quarter, self.month)


class Incident(PartyOwned):
    """One reported offence with its place and time (or time span) – e.g. a police export.

    A party may hold millions of these, loaded in bulk, so the table carries no more than it
    needs: the primary key is the natural key (party, case number or derived key), which
    also makes a second import of the same rows a no-op, and there is no serial id, no other
    index and no foreign-key constraint (PostgreSQL would run a trigger per row at commit,
    costing more than the COPY itself). Rows are written only by the importer, for the party
    it holds; Django's delete collector removes them with their party or clears their import.
    """

    pk = models.CompositePrimaryKey("party", "key")
    party = models.ForeignKey(
        Party,
        verbose_name=_("part"),
        related_name="incidents",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
    )
    source_import = models.ForeignKey(
        Import,
        verbose_name=_("import"),
        related_name="incidents",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
    )
    key = models.CharField(
        _("identitet"),
        max_length=300,
        help_text=_(
            "Ärendenummer och brott från källan (ett ärende kan ha flera brott), annars en "
            "nyckel av tid, brott och plats."
        ),
    )
    occurred_from = models.DateTimeField(_("inträffade (från)"))
    occurred_to = models.DateTimeField(
        _("inträffade (till)"),
        null=True,
        blank=True,
        help_text=_("För brott som bara är kända inom ett tidsintervall, t.ex. över en helg."),
    )
    offence = models.CharField(_("brott"), max_length=200)
    category = models.CharField(_("brottskategori"), max_length=100, blank=True)
    place = models.CharField(_("plats"), max_length=200, blank=True)
    area = models.CharField(_("område"), max_length=200, blank=True)
    x = models.FloatField(_("östlig koordinat (SWEREF 99 TM)"), null=True, blank=True)
    y = models.FloatField(_("nordlig koordinat (SWEREF 99 TM)"), null=True, blank=True)

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["-occurred_from"]

    def __str__(self) -> str:
        return f"{self.offence}, {self.place or self.area}"


class PoliceEvent(PartyOwned):
    """One notice from Polisen's events feed (source "Polisens händelser").

    A selection of notices, not crime statistics: kept apart from ``Incident`` so that it
    never enters the counts, trends, time profiles or hot spots of reported crimes. Only
    types that are crimes carry a handbook category; the place is a municipality or county,
    so most events have no point (``point_note`` says why). See importers/polisen.py.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="police_events", on_delete=models.CASCADE
    )
    source_import = models.ForeignKey(
        Import,
        verbose_name=_("import"),
        related_name="police_events",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    event_id = models.BigIntegerField(_("händelsens id hos Polisen"))
    published_at = models.DateTimeField(_("publicerad"))
    occurred_from = models.DateTimeField(
        _("inträffade"), help_text=_("Tiden i notisens rubrik, inte publiceringstiden.")
    )
    occurred_to = models.DateTimeField(
        _("inträffade (till)"),
        null=True,
        blank=True,
        help_text=_("Satt när rubriken bara anger dagen: hela dygnet."),
    )
    name = models.CharField(_("rubrik"), max_length=300)
    event_type = models.CharField(_("typ"), max_length=100)
    is_crime = models.BooleanField(
        _("brott"), help_text=_("Falskt för t.ex. trafikolyckor, bränder och sammanfattningar.")
    )
    category = models.CharField(_("brottskategori"), max_length=100, blank=True)
    interpretation = models.CharField(_("tolkningskategori"), max_length=40, blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)
    url = models.CharField(_("adress på polisen.se"), max_length=500, blank=True)
    location_name = models.CharField(_("plats"), max_length=200, blank=True)
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    county_code = models.CharField(_("länskod"), max_length=2, blank=True)
    gps_lat = models.FloatField(_("latitud i flödet"), null=True, blank=True)
    gps_lon = models.FloatField(_("longitud i flödet"), null=True, blank=True)
    x = models.FloatField(_("östlig koordinat (SWEREF 99 TM)"), null=True, blank=True)
    y = models.FloatField(_("nordlig koordinat (SWEREF 99 TM)"), null=True, blank=True)
    point_note = models.CharField(
        _("varför punkt saknas"), max_length=20, choices=PointNote.choices, blank=True
    )

    class Meta:
        verbose_name = _("händelse från Polisen")
        verbose_name_plural = _("händelser från Polisen")
        ordering = ["-occurred_from"]
        constraints = [
            models.UniqueConstraint(fields=["party", "event_id"], name="policeevent_unique_id")
        ]

    def __str__(self) -> str:
        return self.name

    def link(self) -> str:
        """The notice on polisen.se (the feed gives paths relative to it)."""
        return f"https://polisen.se{self.url}" if self.url.startswith("/") else self.url


class Population(PartyOwned):
    """Inhabitants of an area in a year (SCB), so rates per 100 000 are real."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="populations", on_delete=models.CASCADE
    )
    source_import = models.ForeignKey(
        Import,
        verbose_name=_("import"),
        related_name="populations",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    area = models.CharField(_("område"), max_length=200)
    year = models.PositiveSmallIntegerField(_("år"))
    count = models.PositiveIntegerField(_("folkmängd"))

    class Meta:
        verbose_name = _("befolkning")
        verbose_name_plural = _("befolkning")
        ordering = ["area", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "area", "year"], name="population_unique_area_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}: {self.count}"


class KeyFigure(PartyOwned):
    """A key figure (nyckeltal) from Kolada for one municipality, year and gender."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="key_figures", on_delete=models.CASCADE
    )
    source_import = models.ForeignKey(
        Import,
        verbose_name=_("import"),
        related_name="key_figures",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    kpi = models.CharField(_("nyckeltal (id)"), max_length=20, help_text=_("T.ex. N07403."))
    municipality_code = models.CharField(_("kommunkod"), max_length=4)
    year = models.PositiveSmallIntegerField(_("år"))
    gender = models.CharField(_("kön"), max_length=1, help_text=_("T = totalt, K, M."))
    value = models.FloatField(_("värde"), null=True, blank=True)

    class Meta:
        verbose_name = _("nyckeltal")
        verbose_name_plural = _("nyckeltal")
        ordering = ["kpi", "municipality_code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kpi", "municipality_code", "year", "gender"],
                name="keyfigure_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.municipality_code} {self.year}: {self.value}"


class SurveyResult(Versioned, PartyOwned):
    """One answer share from a safety survey (trygghetsmätning): question, area, year, n."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="survey_results", on_delete=models.CASCADE
    )
    source_import = models.ForeignKey(
        Import,
        verbose_name=_("import"),
        related_name="survey_results",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    question = models.CharField(_("fråga"), max_length=300)
    area = models.CharField(_("område"), max_length=200)
    year = models.PositiveSmallIntegerField(_("år"))
    share = models.FloatField(
        _("andel (%)"), help_text=_("Andel som svarat så, i procent (0–100).")
    )
    n = models.PositiveIntegerField(_("antal svarande"))

    class Meta:
        verbose_name = _("resultat från trygghetsmätning")
        verbose_name_plural = _("resultat från trygghetsmätningar")
        ordering = ["question", "area", "year"]

    def __str__(self) -> str:
        return f"{self.question} ({self.area} {self.year})"


class SafetyWalkObservation(Versioned, PartyOwned):
    """Something noticed on a safety walk (trygghetsvandring), with its place."""

    party = models.ForeignKey(
        Party,
        verbose_name=_("part"),
        related_name="safety_walk_observations",
        on_delete=models.CASCADE,
    )
    observed_on = models.DateField(_("datum"), default=timezone.localdate)
    place = models.CharField(_("plats"), max_length=200)
    x = models.FloatField(_("östlig koordinat (SWEREF 99 TM)"), null=True, blank=True)
    y = models.FloatField(_("nordlig koordinat (SWEREF 99 TM)"), null=True, blank=True)
    category = models.CharField(
        _("kategori"), max_length=100, help_text=_("T.ex. belysning, skymd sikt, nedskräpning.")
    )
    note = models.TextField(_("beskrivning"), blank=True)
    photo = models.FileField(_("foto"), upload_to="mapping/walks/", blank=True)
    reported_by = models.CharField(_("rapporterad av"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("iakttagelse från trygghetsvandring")
        verbose_name_plural = _("iakttagelser från trygghetsvandringar")
        ordering = ["-observed_on"]

    def __str__(self) -> str:
        return f"{self.place}: {self.category}"


class CrimeCost(Versioned, PartyOwned):
    """A cost caused by crime, e.g. repairs after vandalism (handbook p. 41)."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="crime_costs", on_delete=models.CASCADE
    )
    item = models.CharField(_("kostnadspost"), max_length=200)
    amount = models.DecimalField(_("belopp (kr)"), max_digits=14, decimal_places=2)
    year = models.PositiveSmallIntegerField(_("år"))
    source = models.CharField(_("källa"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kostnad för brott")
        verbose_name_plural = _("kostnader för brott")
        ordering = ["-year", "item"]

    def __str__(self) -> str:
        return f"{self.item} {self.year}"


class ExperienceNote(Versioned, PartyOwned):
    """What the party's own staff see and know, in their words (handbook p. 43)."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="experience_notes", on_delete=models.CASCADE
    )
    title = models.CharField(_("rubrik"), max_length=200)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("erfarenhet")
        verbose_name_plural = _("erfarenheter")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class InventoryItem(Versioned, PartyOwned):
    """Abstract base of the inventory (handbook p. 43: the organisation's prerequisites)."""

    who = models.CharField(
        _("vem"), max_length=200, help_text=_("Förvaltning, enhet eller funktion.")
    )
    what = models.CharField(_("vad"), max_length=300)
    budget = models.DecimalField(
        _("budget (kr per år)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    staff = models.DecimalField(
        _("personal (årsarbetskrafter)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    target_group = models.CharField(_("målgrupp"), max_length=200, blank=True)
    area = models.CharField(_("område"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.who}: {self.what}"


class Resource(InventoryItem):
    """A resource the party can put into crime prevention: people, money, premises, skills."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="resources", on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("resurs")
        verbose_name_plural = _("resurser")
        ordering = ["who", "what"]


class Activity(InventoryItem):
    """Ongoing work that already prevents crime or builds safety, directly or not (p. 43)."""

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="activities", on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("pågående aktivitet")
        verbose_name_plural = _("pågående aktiviteter")
        ordering = ["who", "what"]


class SituationReport(Versioned, PartyOwned):
    """The party's own lägesbild: a problem description drafted from the numbers, then edited.

    It stays private until the party shares it; shared reports feed step 3.
    """

    party = models.OneToOneField(
        Party,
        verbose_name=_("part"),
        related_name="situation_report",
        on_delete=models.CASCADE,
    )
    title = models.CharField(_("rubrik"), max_length=200)
    text = models.TextField(_("lägesbild"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    shared_at = models.DateTimeField(_("delad"), null=True, blank=True)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("lägesbild")
        verbose_name_plural = _("lägesbilder")

    def __str__(self) -> str:
        return self.title

    def is_shared(self) -> bool:
        return self.status == ReportStatus.SHARED

    def share(self) -> None:
        """Make the report readable by the whole partnership."""
        self.status = ReportStatus.SHARED
        self.shared_at = timezone.now()
        self.save(update_fields=["status", "shared_at", "updated_at"])

    def unshare(self) -> None:
        self.status = ReportStatus.DRAFT
        self.shared_at = None
        self.save(update_fields=["status", "shared_at", "updated_at"])


class AreaBoundary(PartyOwned):
    """The boundary of the area a party maps, drawn on its incident map.

    Uploaded as GeoJSON (WGS 84 or SWEREF 99 TM) and kept as a file of WGS 84 polygons, so a
    detailed coastline does not end up copied into every history entry. One per party; a new
    upload replaces the old one.
    """

    party = models.OneToOneField(
        Party, verbose_name=_("part"), related_name="area_boundary", on_delete=models.CASCADE
    )
    name = models.CharField(
        _("områdets namn"), max_length=200, help_text=_("T.ex. kommunen eller stadsdelen.")
    )
    file_name = models.CharField(_("uppladdad fil"), max_length=255)
    file = models.FileField(
        _("gräns i WGS 84 (GeoJSON)"), upload_to="mapping/boundaries/", max_length=300
    )
    source_crs = models.CharField(
        _("koordinatsystem i filen"), max_length=20, choices=BoundaryCrs.choices
    )
    polygons = models.PositiveIntegerField(_("antal polygoner"))
    positions = models.PositiveIntegerField(_("antal punkter"))
    west = models.FloatField(_("västligaste longitud"))
    south = models.FloatField(_("sydligaste latitud"))
    east = models.FloatField(_("östligaste longitud"))
    north = models.FloatField(_("nordligaste latitud"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uppladdad av"),
        related_name="area_boundaries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(_("uppladdad"), auto_now=True)

    class Meta:
        verbose_name = _("områdesgräns")
        verbose_name_plural = _("områdesgränser")

    def __str__(self) -> str:
        return self.name

    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """((south, west), (north, east)): the corners Leaflet fits the map to."""
        return ((self.south, self.west), (self.north, self.east))


class ComparisonMunicipalities(Versioned, PartyOwned):
    """The municipalities a party sets its own figures against (handbook step 2, p. 42).

    The handbook advises comparing local statistics with similar municipalities, e.g. the
    same group in SKR's municipality grouping (kommungruppsindelning). Codes are SCB's four
    digits; the party's own municipality is never one of them.
    """

    party = models.OneToOneField(
        Party,
        verbose_name=_("part"),
        related_name="comparison_municipalities",
        on_delete=models.CASCADE,
    )
    codes = models.JSONField(
        _("kommunkoder"),
        default=list,
        blank=True,
        help_text=_("Jämförelsekommunernas fyrsiffriga koder enligt SCB, t.ex. 1281."),
    )
    basis = models.CharField(
        _("hur kommunerna valdes"),
        max_length=300,
        blank=True,
        help_text=_("T.ex. samma kommungrupp enligt SKR, eller kommuner av liknande storlek."),
    )
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("jämförelsekommuner")
        verbose_name_plural = _("jämförelsekommuner")

    def __str__(self) -> str:
        from samverkan.mapping.municipalities import NAMES

        return ", ".join(NAMES.get(code, code) for code in self.codes) or "–"


class IncidentFigure(models.Model):
    """A figure computed from a party's imported data, stored until that data changes.

    The statistics page, the map, the documents and the API read the same figures (category
    counts per year, weekday × hour, places, hot-spot cells, the map's layers per filter).
    With a million incidents each takes seconds to compute, so they are computed when an
    import, a re-import or a deletion changes the data (mapping.figures.refresh) and read
    here; a figure nobody has asked for since is computed on first use and kept.

    ``value`` is JSON written and read only by mapping.figures (never pickled). Not audited:
    it is derived data, rebuilt from the incidents at any time.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="incident_figures", on_delete=models.CASCADE
    )
    name = models.CharField(_("namn"), max_length=60)
    params = models.CharField(_("urval"), max_length=300, blank=True)
    value = models.TextField(_("värde"))
    computed_at = models.DateTimeField(_("beräknad"), default=timezone.now)

    class Meta:
        verbose_name = _("beräknat mått")
        verbose_name_plural = _("beräknade mått")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "name", "params"], name="mapping_incidentfigure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.params})" if self.params else self.name
