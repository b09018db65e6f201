"""Step 3 – Gemensamma förberedelser: the joint problem picture and the traceability chain.

problem → cause → goal → measure → indicator (→ result, step 5). Handbook pages 53–78; the
worked example on pages 22–27 is loaded by ``problems.demo``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.analysis.categories import (
    ALKOHOL_NARKOTIKA,
    BEDRAGERI,
    FRIHET_FRID,
    LIV_HALSA,
    OVRIGT,
    SEXUALBROTT,
    SKADEGORELSE,
    TILLGREPP,
    TRAFIK,
)
from samverkan.analysis.harm import HARM_WEIGHTS
from samverkan.lib.versioning import Versioned
from samverkan.partnerships.models import Partnership, Party
from samverkan.problems.choices import (
    CauseNature,
    Evidence,
    GoalKind,
    Horizon,
    MeasureKind,
    Perspective,
    ProblemStatus,
    Proximity,
)


class ProblemPicture(Versioned):
    """The joint problem picture, merged from the parties' shared mappings and confirmed by
    every signing party. Any change after confirmation withdraws the confirmations."""

    partnership = models.OneToOneField(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="problem_picture",
        on_delete=models.CASCADE,
    )
    text = models.TextField(
        _("gemensam problembild"),
        blank=True,
        help_text=_("Vilka problem parterna ser, hur stora de är, var och när de sker."),
    )
    conditions = models.TextField(
        _("förutsättningar"),
        blank=True,
        help_text=_("Vad parterna kan och inte kan påverka tillsammans (handboken s. 55)."),
    )
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("gemensam problembild")
        verbose_name_plural = _("gemensamma problembilder")

    def __str__(self) -> str:
        return str(_("Gemensam problembild"))

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def confirmed_party_ids(self) -> set[int]:
        return set(self.confirmations.values_list("party_id", flat=True))

    def is_confirmed(self) -> bool:
        """Confirmed when every signing party has confirmed the current text."""
        signing = set(self.partnership.signatories().values_list("pk", flat=True))
        return bool(signing) and signing <= self.confirmed_party_ids()

    def confirmed_at(self) -> Any:
        if not self.is_confirmed():
            return None
        return self.confirmations.aggregate(last=models.Max("confirmed_at"))["last"]


class Confirmation(models.Model):
    """One signing party's confirmation of the joint problem picture."""

    partnership_lookup = "picture__partnership"

    picture = models.ForeignKey(
        ProblemPicture,
        verbose_name=_("problembild"),
        related_name="confirmations",
        on_delete=models.CASCADE,
    )
    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="confirmations", on_delete=models.CASCADE
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bekräftad av"),
        related_name="confirmations",
        on_delete=models.SET_NULL,
        null=True,
    )
    confirmed_at = models.DateTimeField(_("bekräftad"), default=timezone.now)

    class Meta:
        verbose_name = _("bekräftelse")
        verbose_name_plural = _("bekräftelser")
        constraints = [
            models.UniqueConstraint(fields=["picture", "party"], name="confirmation_once_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.confirmed_at:%Y-%m-%d}"

    def audit_partnership_id(self) -> int:
        return self.picture.partnership_id


class GlossaryTerm(Versioned):
    """A term the parties have agreed on, so that everyone means the same thing (p. 54)."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="glossary", on_delete=models.CASCADE
    )
    term = models.CharField(_("begrepp"), max_length=120)
    definition = models.TextField(_("betydelse"))

    class Meta:
        verbose_name = _("begrepp")
        verbose_name_plural = _("begreppslista")
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "term"], name="glossary_unique_term")
        ]

    def __str__(self) -> str:
        return self.term

    def audit_partnership_id(self) -> int:
        return self.partnership_id


class ConfidentialQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ConfidentialQuerySet:
        """Hide confidential items from users outside the parties allowed to see them."""
        from samverkan.accounts.access import confidential_q

        return self.filter(confidential_q(user)).distinct()


class Confidential(models.Model):
    """Abstract: an item that may be confidential (e.g. aimed at identifiable people).

    Confidential items are shown only to members of the allowed parties and are replaced by
    a neutral note in every public document (handbook p. 33–34 on secrecy).
    """

    confidential = models.BooleanField(
        _("sekretess"),
        default=False,
        help_text=_(
            "Markera om uppgiften pekar ut enskilda personer eller verksamheter. Den visas då "
            "bara för de parter som får se den och tas bort ur offentliga dokument."
        ),
    )

    class Meta:
        abstract = True


class Problem(Versioned):
    """A candidate or prioritised problem with its evidence and analysis frame."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="problems", on_delete=models.CASCADE
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    crime_type = models.CharField(_("brottstyp"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.CANDIDATE
    )
    # Evidence for prioritisation (handbook p. 55–56): each scored 0–5 by the parties, the
    # figures behind the score kept in the note fields.
    frequency = models.PositiveSmallIntegerField(
        _("omfattning (0–5)"), default=0, validators=[MaxValueValidator(5)]
    )
    trend = models.PositiveSmallIntegerField(
        _("utveckling (0–5)"), default=0, validators=[MaxValueValidator(5)]
    )
    deviation = models.PositiveSmallIntegerField(
        _("avvikelse mot jämförbara kommuner (0–5)"), default=0, validators=[MaxValueValidator(5)]
    )
    concentration = models.PositiveSmallIntegerField(
        _("koncentration i tid och rum (0–5)"), default=0, validators=[MaxValueValidator(5)]
    )
    cost = models.PositiveSmallIntegerField(
        _("kostnad (0–5)"), default=0, validators=[MaxValueValidator(5)]
    )
    harm = models.PositiveSmallIntegerField(
        _("skada (0–5)"), default=0, validators=[MaxValueValidator(5)]
    )
    concern = models.PositiveSmallIntegerField(
        _("invånarnas oro (0–5)"), default=0, validators=[MaxValueValidator(5)]
    )
    evidence_note = models.TextField(
        _("underlag"),
        blank=True,
        help_text=_("Siffror och källor bakom bedömningen, t.ex. +22 % jan–apr mot året innan."),
    )
    # Event chain and the problem-analysis triangle.
    chain_before = models.TextField(_("före händelsen"), blank=True)
    chain_during = models.TextField(_("under händelsen"), blank=True)
    chain_after = models.TextField(_("efter händelsen"), blank=True)
    pat_offender = models.TextField(_("gärningsperson"), blank=True)
    pat_handler = models.TextField(_("vem som påverkar gärningspersonen"), blank=True)
    pat_target = models.TextField(_("mål eller brottsutsatt"), blank=True)
    pat_guardian = models.TextField(_("vem som skyddar målet"), blank=True)
    pat_place = models.TextField(_("plats"), blank=True)
    pat_manager = models.TextField(_("vem som ansvarar för platsen"), blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problem")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def score(self, weights: dict[str, Decimal]) -> Decimal:
        """Weighted sum of the evidence scores; weights are visible and editable."""
        return sum(
            (Decimal(getattr(self, name)) * weights.get(name, Decimal(1)) for name in CRITERIA),
            Decimal(0),
        )


CRITERIA = ("frequency", "trend", "deviation", "concentration", "cost", "harm", "concern")


class PrioritisationWeights(Versioned):
    """How much each criterion counts when ranking candidate problems."""

    partnership = models.OneToOneField(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="prioritisation_weights",
        on_delete=models.CASCADE,
    )
    frequency = models.DecimalField(_("omfattning"), max_digits=3, decimal_places=1, default=1)
    trend = models.DecimalField(_("utveckling"), max_digits=3, decimal_places=1, default=1)
    deviation = models.DecimalField(_("avvikelse"), max_digits=3, decimal_places=1, default=1)
    concentration = models.DecimalField(
        _("koncentration"), max_digits=3, decimal_places=1, default=1
    )
    cost = models.DecimalField(_("kostnad"), max_digits=3, decimal_places=1, default=1)
    harm = models.DecimalField(_("skada"), max_digits=3, decimal_places=1, default=2)
    concern = models.DecimalField(_("invånarnas oro"), max_digits=3, decimal_places=1, default=1)

    class Meta:
        verbose_name = _("vikter för prioritering")
        verbose_name_plural = _("vikter för prioritering")

    def __str__(self) -> str:
        return str(_("Vikter"))

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def as_dict(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in CRITERIA}


# The harm weight fields, one per category of the handbook's table (analysis.categories).
HARM_FIELDS: dict[str, str] = {
    "liv_halsa": LIV_HALSA,
    "sexualbrott": SEXUALBROTT,
    "frihet_frid": FRIHET_FRID,
    "tillgrepp": TILLGREPP,
    "bedrageri": BEDRAGERI,
    "skadegorelse": SKADEGORELSE,
    "alkohol_narkotika": ALKOHOL_NARKOTIKA,
    "trafik": TRAFIK,
    "ovrigt": OVRIGT,
}
HARM_WEIGHT_MAX = 10_000
# Stored as data (the partnership may rewrite it), so written in the partnership's language.
DEFAULT_HARM_SOURCE = (
    "Standardvikterna i Samverkan: en grov rangordning per brottskategori i handbokens tabell "
    "(Brå m.fl. 2010, s. 48–49) i samma anda som Cambridge Crime Harm Index (Sherman, Neyroud "
    "& Neyroud 2016), som väger brott efter hur allvarligt lagen ser på dem. Brott mot person "
    "(våld, sexualbrott) väger 10; hot och ofredande, stöld och rån 3; skadegörelse, bedrägeri, "
    "alkohol- och narkotikabrott 2; trafikbrott och övriga brott 1."
)


def _harm_field(name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        HARM_FIELDS[name],
        default=HARM_WEIGHTS[HARM_FIELDS[name]],
        validators=[MaxValueValidator(HARM_WEIGHT_MAX)],
    )


class HarmWeights(Versioned):
    """How much one offence of each category counts in the harm-weighted count shown beside
    the prioritisation (and, if the partnership chooses, ordering it), with where the weights
    come from. Starts at the defaults in ``analysis.harm``."""

    partnership = models.OneToOneField(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="harm_weights",
        on_delete=models.CASCADE,
    )
    liv_halsa = _harm_field("liv_halsa")
    sexualbrott = _harm_field("sexualbrott")
    frihet_frid = _harm_field("frihet_frid")
    tillgrepp = _harm_field("tillgrepp")
    bedrageri = _harm_field("bedrageri")
    skadegorelse = _harm_field("skadegorelse")
    alkohol_narkotika = _harm_field("alkohol_narkotika")
    trafik = _harm_field("trafik")
    ovrigt = _harm_field("ovrigt")
    source = models.TextField(
        _("källa"),
        default=DEFAULT_HARM_SOURCE,
        help_text=_(
            "Var vikterna kommer ifrån, så att den som läser prioriteringen kan pröva dem."
        ),
    )

    class Meta:
        verbose_name = _("skadevikter")
        verbose_name_plural = _("skadevikter")

    def __str__(self) -> str:
        return str(_("Skadevikter"))

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def as_dict(self) -> dict[str, int]:
        """Weight per category name, as ``analysis.harm`` takes them."""
        return {category: getattr(self, name) for name, category in HARM_FIELDS.items()}

    def is_default(self) -> bool:
        return self.as_dict() == HARM_WEIGHTS and self.source == DEFAULT_HARM_SOURCE


class Cause(Confidential, Versioned):
    """A cause of a prioritised problem, numbered within the partnership."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="causes", on_delete=models.CASCADE
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), related_name="causes", on_delete=models.CASCADE
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.TextField(_("orsak"))
    perspective = models.CharField(
        _("perspektiv"), max_length=20, choices=Perspective.choices, default=Perspective.SITUATION
    )
    proximity = models.CharField(
        _("närliggande eller bakomliggande"),
        max_length=20,
        choices=Proximity.choices,
        default=Proximity.PROXIMATE,
    )
    nature = models.CharField(
        _("karaktär"), max_length=20, choices=CauseNature.choices, default=CauseNature.SITUATIONAL
    )
    risk_factors = models.TextField(_("riskfaktorer"), blank=True)
    protective_factors = models.TextField(_("skyddsfaktorer"), blank=True)
    source = models.CharField(
        _("källa"),
        max_length=200,
        blank=True,
        help_text=_("Var kunskapen om orsaken kommer ifrån."),
    )
    allowed_parties = models.ManyToManyField(
        Party,
        verbose_name=_("parter som får se"),
        related_name="confidential_causes",
        blank=True,
        help_text=_("Gäller bara uppgifter under sekretess."),
    )

    objects = ConfidentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("orsak")
        verbose_name_plural = _("orsaker")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "number"], name="cause_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id


class Goal(Versioned):
    """A goal with its indicator: effect goal, sub-goal, process or production goal."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="goals", on_delete=models.CASCADE
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), related_name="goals", on_delete=models.CASCADE
    )
    kind = models.CharField(_("typ av mål"), max_length=20, choices=GoalKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("övergripande mål"),
        related_name="sub_goals",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    text = models.TextField(_("mål"))
    causes = models.ManyToManyField(
        Cause, verbose_name=_("orsaker som målet svarar mot"), related_name="goals", blank=True
    )
    indicator = models.CharField(
        _("indikator"), max_length=300, blank=True, help_text=_("Vad som mäts.")
    )
    unit = models.CharField(_("enhet"), max_length=60, blank=True)
    baseline = models.DecimalField(
        _("utgångsvärde"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    baseline_period = models.CharField(_("utgångsvärdets period"), max_length=100, blank=True)
    target = models.DecimalField(
        _("målvärde"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateField(_("klart senast"), null=True, blank=True)
    data_source = models.CharField(_("datakälla"), max_length=200, blank=True)
    # Follow-up plan (handbook p. 64–65): what is measured, how, how often, by whom.
    followup_method = models.TextField(_("hur det följs upp"), blank=True)
    followup_frequency = models.CharField(_("hur ofta"), max_length=100, blank=True)
    followup_responsible = models.CharField(_("vem som följer upp"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.text

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def has_indicator(self) -> bool:
        return bool(self.indicator.strip())

    def has_followup_plan(self) -> bool:
        return bool(self.followup_method.strip() and self.followup_responsible.strip())


class Measure(Confidential, Versioned):
    """A measure that answers named causes, with who, how, resources and evidence."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="measures", on_delete=models.CASCADE
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), related_name="measures", on_delete=models.CASCADE
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("åtgärd"), max_length=300)
    causes = models.ManyToManyField(
        Cause, verbose_name=_("orsaker som åtgärden riktas mot"), related_name="measures"
    )
    goals = models.ManyToManyField(
        Goal, verbose_name=_("mål som åtgärden bidrar till"), related_name="measures", blank=True
    )
    aimed_at = models.CharField(
        _("riktad mot"), max_length=20, choices=Perspective.choices, default=Perspective.SITUATION
    )
    kind = models.CharField(
        _("typ av åtgärd"),
        max_length=20,
        choices=MeasureKind.choices,
        default=MeasureKind.SITUATIONAL,
    )
    horizon = models.CharField(
        _("tidsperspektiv"), max_length=10, choices=Horizon.choices, default=Horizon.SHORT
    )
    responsible_party = models.ForeignKey(
        Party,
        verbose_name=_("ansvarig part"),
        related_name="measures",
        on_delete=models.PROTECT,
    )
    co_parties = models.ManyToManyField(
        Party, verbose_name=_("medverkande parter"), related_name="co_measures", blank=True
    )
    responsible_person = models.CharField(_("ansvarig person"), max_length=200, blank=True)
    how_what = models.TextField(_("vad som görs"), blank=True)
    how_where = models.CharField(_("var"), max_length=300, blank=True)
    how_when = models.CharField(_("när"), max_length=300, blank=True)
    how_often = models.CharField(_("hur ofta"), max_length=200, blank=True)
    how_by_whom = models.CharField(_("av vem"), max_length=300, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("slut"), null=True, blank=True)
    hours = models.DecimalField(
        _("arbetstimmar"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    money = models.DecimalField(
        _("kostnad (kr)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    evidence = models.CharField(
        _("kunskapsläge"), max_length=20, choices=Evidence.choices, default=Evidence.UNTESTED
    )
    evidence_note = models.TextField(
        _("kunskapsunderlag"),
        blank=True,
        help_text=_("Vilken utvärdering eller erfarenhet åtgärden bygger på."),
    )
    mechanism = models.TextField(
        _("verkningsmekanism"),
        blank=True,
        help_text=_("Varför åtgärden förväntas påverka orsaken."),
    )
    allowed_parties = models.ManyToManyField(
        Party,
        verbose_name=_("parter som får se"),
        related_name="confidential_measures",
        blank=True,
        help_text=_("Gäller bara uppgifter under sekretess."),
    )
    publishable = models.BooleanField(
        _("får nämnas offentligt"),
        default=False,
        help_text=_(
            "Bara en åtgärd som får nämnas offentligt kan ligga bakom ett medborgarlöfte. "
            "Polisens operativa åtgärder (t.ex. spaning) ska normalt inte offentliggöras."
        ),
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    objects = ConfidentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "number"], name="measure_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def causes_answered(self) -> list[int]:
        """The numbers of the causes the measure answers (from prefetch_related("causes") when
        the caller fetched them with the measures: no query per measure)."""
        return sorted(cause.number for cause in self.causes.all())


def next_number(queryset: models.QuerySet) -> int:
    """Next free number within a partnership (causes and measures are numbered 1, 2, …)."""
    last = queryset.aggregate(top=models.Max("number"))["top"]
    return (last or 0) + 1


class CitizenPromise(Versioned):
    """A promise to residents (medborgarlöfte): chosen and worded for the public, never
    generated from the measures. It says what the parties promise, for which period, who
    stands behind it, and how residents can follow it and be heard. The measures behind it
    are the partnership's own working record and must each be publishable and not confidential.
    """

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="citizen_promises",
        on_delete=models.CASCADE,
    )
    wording = models.TextField(
        _("löftet i offentlig lydelse"),
        help_text=_(
            "Skriv så som invånarna ska läsa det: vad ni lovar, var och hur ofta. "
            "Inga namn på personer och inga uppgifter om polisens operativa arbete."
        ),
    )
    starts_on = models.DateField(_("gäller från"))
    ends_on = models.DateField(_("gäller till"))
    parties = models.ManyToManyField(
        Party, verbose_name=_("parter som står bakom löftet"), related_name="citizen_promises"
    )
    measures = models.ManyToManyField(
        Measure,
        verbose_name=_("åtgärder bakom löftet"),
        related_name="citizen_promises",
        blank=True,
        help_text=_("Bara åtgärder som får nämnas offentligt och inte omfattas av sekretess."),
    )
    follow_up = models.TextField(
        _("så kan invånarna följa löftet"),
        help_text=_("T.ex. var och när ni berättar hur det går."),
    )
    feedback = models.CharField(
        _("så lämnar man synpunkter"),
        max_length=300,
        help_text=_("T.ex. en e-postadress, ett telefonnummer eller ett formulär."),
    )
    published = models.BooleanField(
        _("publicerat"),
        default=False,
        help_text=_(
            "Ett publicerat löfte visas utan inloggning på samverkans offentliga sida för "
            "medborgarlöften, med hur arbetet går."
        ),
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("medborgarlöfte")
        verbose_name_plural = _("medborgarlöften")
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return self.wording[:80]

    def audit_partnership_id(self) -> int:
        return self.partnership_id


def promise_may_rest_on(measure: Measure) -> bool:
    """A promise is public: only a publishable measure that is not confidential may back it."""
    return measure.publishable and not measure.confidential
