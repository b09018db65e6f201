"""Step 2 pages: a party's own mapping, private to the party until it shares its lägesbild."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.accounts import access
from samverkan.accounts.decorators import partnership_view, party_view
from samverkan.jobs.registry import enqueue
from samverkan.lib import htmx
from samverkan.lib.views import form_page
from samverkan.mapping import charts, forms, police_events, services, subjects
from samverkan.mapping.choices import ImportKind, ImportStatus
from samverkan.mapping.importers import importer_for
from samverkan.mapping.models import (
    Activity,
    ComparisonMunicipalities,
    CrimeCost,
    CrimeStatistic,
    DataSource,
    ExperienceNote,
    Import,
    PoliceEvent,
    Population,
    Resource,
    SafetyWalkObservation,
    SurveyResult,
)
from samverkan.mapping.subjects import crime, incidents
from samverkan.mapping.subjects.rates import RateComparison, rate_trend
from samverkan.partnerships.models import Partnership, Party


def _url(name: str, party: Party, **kwargs: int) -> str:
    return reverse(
        f"mapping:{name}", kwargs={"pk": party.partnership_id, "party_id": party.pk, **kwargs}
    )


def _ctx(request: HttpRequest, partnership: Partnership, party: Party, tab: str) -> dict:
    return {
        "partnership": partnership,
        "party": party,
        "section": "mapping",
        "tab": tab,
        "can_edit": access.can_edit(request.user, partnership),
        "report_shared": services.report_shared(party),
    }


def _own(queryset: Any, partnership: Partnership, party: Party, pk: int) -> Any:
    """A child object of this party: scoped to the partnership and to the party."""
    return access.scoped(queryset.filter(party=party), partnership, pk)


@partnership_view()
def home(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """The nav link: the user's own party's mapping."""
    party = access.private_parties_for(request.user, partnership).first()
    if party is None:
        raise Http404("Du tillhör ingen part i denna samverkan")
    return redirect(_url("workspace", party))


@partnership_view()
def shared_reports(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    reports = services.shared_situation_reports(partnership)
    return render(
        request,
        "mapping/shared_reports.html",
        {"partnership": partnership, "section": "mapping", "reports": reports},
    )


@party_view()
def workspace(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    counts = {
        "crime_statistics": CrimeStatistic.objects.filter(party=party).count(),
        "incidents": incidents.incident_count(party),
        "police_events": PoliceEvent.objects.filter(party=party).count(),
        "populations": Population.objects.filter(party=party).count(),
        "survey_results": SurveyResult.objects.filter(party=party).count(),
        "resources": Resource.objects.filter(party=party).count(),
        "activities": Activity.objects.filter(party=party).count(),
    }
    from samverkan.fieldwork.services import recent_report_count

    # Field reports are the partnership's shared material, a source of their own beside the
    # party's mapping (fieldwork).
    counts["field_reports"] = recent_report_count(partnership)
    imports = list(Import.objects.filter(party=party).select_related("source")[:20])
    services.settle_imports(imports)
    return render(
        request,
        "mapping/workspace.html",
        {
            **_ctx(request, partnership, party, "overview"),
            "imports": imports,
            "sources": DataSource.objects.filter(party=party),
            "counts": counts,
            "report": services.report_for(party),
            "form": forms.ImportForm(party=party),
            "parties": access.private_parties_for(request.user, partnership),
        },
    )


@party_view("edit", methods=("GET", "POST"))
def import_upload(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    # "?typ=incidents": the kind an earlier upload looked like (import_detail links here).
    wanted = request.GET.get("typ", "")
    initial = {"kind": wanted} if wanted in ImportKind.values else {}
    form = forms.ImportForm(
        request.POST or None, request.FILES or None, party=party, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            record = services.create_import(
                party,
                form.cleaned_data["kind"],
                form.cleaned_data["file"],
                request.user,
                form.cleaned_data.get("source"),
            )
            record.job = enqueue(
                "mapping.import", partnership=partnership, user=request.user, import_id=record.pk
            )
            record.save(update_fields=["job"])
        messages.success(request, _("Filen är uppladdad och läses nu in."))
        return htmx.redirect(request, _url("import_detail", party, import_id=record.pk))
    return render(
        request,
        "mapping/import_upload.html",
        {**_ctx(request, partnership, party, "overview"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@party_view()
def import_detail(
    request: HttpRequest, partnership: Partnership, party: Party, import_id: int
) -> HttpResponse:
    record = _own(Import.objects.select_related("job", "source"), partnership, party, import_id)
    services.settle_imports([record])
    return render(
        request,
        "mapping/import_detail.html",
        {
            **_ctx(request, partnership, party, "overview"),
            "record": record,
            "job": record.job,
            "area_form": forms.AreaChoiceForm()
            if record.status == ImportStatus.NEEDS_AREAS
            else None,
            "own_name": _own_name(party),
        },
    )


def _own_name(party: Party) -> str:
    from samverkan.mapping.municipalities import NAMES

    code = crime.own_municipality_code(party)
    name = NAMES.get(code) or party.partnership.municipality.name
    return f"{name} ({code})" if code else name


@party_view("edit", methods=("POST",))
def import_areas(
    request: HttpRequest, partnership: Partnership, party: Party, import_id: int
) -> HttpResponse:
    """The answer for a file with other municipalities: only the partnership's, or all."""
    record = _own(Import.objects.select_related("job", "source"), partnership, party, import_id)
    detail = _url("import_detail", party, import_id=record.pk)
    if record.status != ImportStatus.NEEDS_AREAS:
        messages.info(request, _("Importen väntar inte längre på ett val av områden."))
        return htmx.redirect(request, detail)
    form = forms.AreaChoiceForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "mapping/import_detail.html",
            {
                **_ctx(request, partnership, party, "overview"),
                "record": record,
                "job": record.job,
                "area_form": form,
                "own_name": _own_name(party),
            },
            status=400,
        )
    with transaction.atomic():
        services.choose_areas(record, form.cleaned_data["choice"])
        record.job = enqueue(
            "mapping.import", partnership=partnership, user=request.user, import_id=record.pk
        )
        record.save()
    messages.success(request, _("Valet är sparat och filen läses in."))
    return htmx.redirect(request, detail)


@party_view("edit", methods=("GET", "POST"))
def import_mapping(
    request: HttpRequest, partnership: Partnership, party: Party, import_id: int
) -> HttpResponse:
    """Let the user say which column is which when the file's headers were not recognised."""
    record = _own(Import.objects.all(), partnership, party, import_id)
    importer = importer_for(record.kind, party)
    headers = record.headers or []
    form = forms.ColumnMappingForm(request.POST or None, importer=importer, headers=headers)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            record.column_mapping = form.mapping()
            record.status = ImportStatus.QUEUED
            record.errors, record.error_count = [], 0
            record.job = enqueue(
                "mapping.import", partnership=partnership, user=request.user, import_id=record.pk
            )
            record.save()
        messages.success(request, _("Kolumnerna är kopplade och filen läses in."))
        return htmx.redirect(request, _url("import_detail", party, import_id=record.pk))
    return render(
        request,
        "mapping/import_mapping.html",
        {**_ctx(request, partnership, party, "overview"), "record": record, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@party_view()
def statistics(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    with subjects.one_build():
        return _statistics(request, partnership, party)


def _statistics(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    from samverkan.analysis import table_reading

    figures = subjects.of(party)
    trend = figures.crime.category_trend()
    matrix = figures.incidents.weekday_hour()
    places = figures.incidents.top_places(10)
    source = _("anmälda brott (statistik)") if trend.source == "statistics" else _("händelser")
    rates = figures.rates.rates_by_year()
    rate_gaps = figures.rates.rate_gaps()
    comparison = figures.rates.comparison()
    latest = comparison.latest
    changes = figures.crime.category_changes()
    trend_rows = trend.trend_rows()
    trend_span = trend.trend_span()
    return render(
        request,
        "mapping/statistics.html",
        {
            **_ctx(request, partnership, party, "statistics"),
            "trend": trend,
            "trend_rows": trend_rows,
            "trend_span": trend_span,
            "trend_reading": table_reading.read_category_trend(
                trend.years, trend_rows, source=trend.source, span=trend_span
            ),
            "trend_svg": charts.trend_chart(
                _("Antal %(source)s per brottskategori och år") % {"source": source},
                trend.years,
                trend.rows(),
            ),
            "trend_source": source,
            "changes": changes,
            "changes_reading": table_reading.read_year_on_year(
                [(c.category, c.previous, c.current) for c in changes],
                changes[0].previous_year,
                changes[0].year,
                period=changes[0].period,
            )
            if changes
            else None,
            "matrix": [[round(v, 1) for v in row] for row in matrix.tolist()],
            "matrix_total": round(float(matrix.sum()), 1),
            "matrix_reading": table_reading.read_weekday_hour(matrix.tolist()),
            "heat_svg": charts.heatmap(_("Händelser per veckodag och timme"), matrix.tolist())
            if matrix.sum()
            else "",
            "weekdays": [
                _("måndag"),
                _("tisdag"),
                _("onsdag"),
                _("torsdag"),
                _("fredag"),
                _("lördag"),
                _("söndag"),
            ],
            "places": places,
            "rates": rates,
            "rate_gaps": rate_gaps,
            "population_elsewhere": figures.rates.population_elsewhere() if rate_gaps else [],
            "rate_trend": rate_trend(rates),
            "hotspots": figures.incidents.hotspots(),
            "comparison": comparison,
            "comparison_chosen": figures.crime.comparison_choice(),
            "comparison_sentence": services.comparison_sentence(latest) if latest else "",
            "comparison_svg": _comparison_chart(latest),
            "police_events": police_events.summary(party),
            "interpretation": figures.crime.interpretation_trend(),
            "surveys": [
                (
                    series,
                    charts.trend_chart(
                        series.question,
                        series.years,
                        series.chart_series(),
                        ident=f"survey-{i}",
                        unit=" %",
                    ),
                )
                for i, series in enumerate(figures.surveys.survey_series(), start=1)
            ],
            "costs": figures.costs.cost_totals(),
        },
    )


def _comparison_chart(latest: RateComparison | None) -> str:
    if latest is None or latest.deviation is None:
        return ""
    return charts.rate_bars(
        _("Anmälda brott per 100 000 invånare %(year)s, er kommun och jämförelsekommunerna")
        % {"year": latest.year},
        [
            (_("%(name)s (er kommun)") % {"name": u.name} if u.own else u.name, u.rate, u.own)
            for u in latest.units
        ],
        mean=latest.deviation.comparison_mean,
        mean_label=_("snitt"),
        missing_label=_("uppgift saknas"),
    )


@party_view("edit", methods=("GET", "POST"))
def comparison_edit(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    """Choose the municipalities the party compares its own figures with."""
    chosen = ComparisonMunicipalities.objects.filter(party=party).first()
    form = forms.ComparisonMunicipalitiesForm(
        request.POST or None,
        instance=chosen or ComparisonMunicipalities(party=party),
        own_code=crime.own_municipality_code(party),
    )
    return form_page(
        request,
        form,
        title=_("Välj jämförelsekommuner"),
        success_url=_url("statistics", party) + "#compare-heading",
        success_message=_("Jämförelsekommunerna är sparade."),
        context=_ctx(request, partnership, party, "statistics"),
        template="mapping/comparison_form.html",
    )


# ---- lägesbild --------------------------------------------------------------------------


@party_view()
def report(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    return render(
        request,
        "mapping/report.html",
        {**_ctx(request, partnership, party, "report"), "report": services.report_for(party)},
    )


@party_view("edit", methods=("GET", "POST"))
def report_edit(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    form = forms.SituationReportForm(request.POST or None, instance=services.report_for(party))
    return form_page(
        request,
        form,
        title=_("Ändra lägesbilden"),
        success_url=_url("report", party),
        success_message=_("Lägesbilden är sparad."),
        context=_ctx(request, partnership, party, "report"),
    )


@party_view("edit", methods=("POST",))
def report_draft(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    services.regenerate_draft(party)
    messages.success(request, _("Ett nytt utkast är skrivet från siffrorna. Läs och redigera det."))
    return htmx.redirect(request, _url("report", party))


@party_view("edit", methods=("POST",))
def report_share(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    current = services.report_for(party)
    if not current.pk or not current.text.strip():
        messages.error(request, _("Skriv lägesbilden innan den delas."))
    else:
        current.share()
        messages.success(request, _("Lägesbilden är delad med samverkans parter."))
    return htmx.redirect(request, _url("report", party))


@party_view("edit", methods=("POST",))
def report_unshare(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    current = services.report_for(party)
    if current.pk and current.is_shared():
        current.unshare()
        messages.success(request, _("Lägesbilden är inte längre delad."))
    return htmx.redirect(request, _url("report", party))


# ---- simple registers: sources, inventory, surveys, costs, notes, safety walks ------------


PATH_PARTS = {
    "sources": "kallor",
    "resources": "resurser",
    "activities": "aktiviteter",
    "surveys": "trygghetsmatningar",
    "costs": "kostnader",
    "notes": "erfarenheter",
    "walks": "trygghetsvandringar",
}


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # what messages and forms accept
else:
    StrOrPromise = str | Promise


class Register:
    """One party-owned list with create, edit and delete pages (ten alike screens, one code)."""

    def __init__(
        self,
        slug: str,
        model: Any,
        form: Any,
        id_name: str,
        title: StrOrPromise,
        new_title: StrOrPromise,
        columns: list[tuple[str, StrOrPromise]],
        lead: StrOrPromise,
        template: str = "form.html",
        form_context: Callable[[Party, Any], dict[str, Any]] | None = None,
    ) -> None:
        self.slug, self.model, self.form, self.id_name = slug, model, form, id_name
        self.title, self.new_title, self.columns, self.lead = title, new_title, columns, lead
        # A form page of its own (the safety walk's map picker) and what it needs to show
        self.template, self.form_context = template, form_context
        # The address is Swedish; the slug stays the name of the views and tabs in the code.
        self.path_part = PATH_PARTS[slug]

    def context(
        self, request: HttpRequest, partnership: Partnership, party: Party, item: Any
    ) -> dict[str, Any]:
        extra = self.form_context(party, item) if self.form_context else {}
        return {**_ctx(request, partnership, party, self.slug), **extra}

    def views(self) -> dict[str, Callable]:
        reg = self

        @party_view()
        def listing(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
            items = reg.model.objects.filter(party=party)
            rows = [(item, [getattr(item, f) for f, _label in reg.columns]) for item in items]
            return render(
                request,
                "mapping/register.html",
                {**_ctx(request, partnership, party, reg.slug), "reg": reg, "rows": rows},
            )

        @party_view("edit", methods=("GET", "POST"))
        def create(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
            form = reg.form(
                request.POST or None, request.FILES or None, instance=reg.model(party=party)
            )
            return form_page(
                request,
                form,
                title=reg.new_title,
                success_url=_url(f"{reg.slug}_list", party),
                success_message=_("Sparat."),
                context=reg.context(request, partnership, party, None),
                template=reg.template,
            )

        @party_view("edit", methods=("GET", "POST"))
        def edit(
            request: HttpRequest, partnership: Partnership, party: Party, **kw: int
        ) -> HttpResponse:
            item = _own(reg.model.objects.all(), partnership, party, kw[reg.id_name])
            form = reg.form(request.POST or None, request.FILES or None, instance=item)
            return form_page(
                request,
                form,
                title=_("Ändra: %(item)s") % {"item": item},
                success_url=_url(f"{reg.slug}_list", party),
                success_message=_("Ändringen är sparad."),
                context=reg.context(request, partnership, party, item),
                template=reg.template,
            )

        @party_view("edit", methods=("POST",))
        def delete(
            request: HttpRequest, partnership: Partnership, party: Party, **kw: int
        ) -> HttpResponse:
            item = _own(reg.model.objects.all(), partnership, party, kw[reg.id_name])
            item.delete()
            messages.success(request, _("Borttaget."))
            return htmx.redirect(request, _url(f"{reg.slug}_list", party))

        return {"list": listing, "create": create, "edit": edit, "delete": delete}


def _walk_map(party: Party, item: Any) -> dict[str, Any]:
    """What the safety walk's map picker shows: the party's observations with a point (the
    one being edited first) as rings to orient by, and the tiles the field report uses."""
    from samverkan.analysis.hotspots import sweref99tm_to_wgs84

    current_pk = item.pk if item is not None and item.x is not None and item.y is not None else 0
    others = (
        SafetyWalkObservation.objects.filter(party=party, x__isnull=False, y__isnull=False)
        .exclude(pk=current_pk)
        .order_by("-observed_on", "-pk")
        .values("pk", "place", "x", "y")[:200]
    )
    walks: list[dict[str, Any]] = (
        [{"pk": item.pk, "place": item.place, "x": item.x, "y": item.y}] if current_pk else []
    )
    walks += [dict(w) for w in others]
    places = []
    if walks:
        lon, lat = sweref99tm_to_wgs84(
            [float(w["x"]) for w in walks], [float(w["y"]) for w in walks]
        )
        for walk, a, b in zip(walks, lat, lon, strict=True):
            current = walk["pk"] == current_pk
            name = (
                _("Nuvarande punkt: %(place)s") % {"place": walk["place"]}
                if current
                else walk["place"]
            )
            places.append({"name": name, "lat": round(float(a), 6), "lon": round(float(b), 6)})
    return {
        "places_json": places,
        "map_config": {
            "tiles": settings.MAP_TILE_URL or "",
            "attribution": settings.MAP_TILE_ATTRIBUTION or "",
            "text": {"picked": _("Vald punkt: %(lat)s, %(lon)s")},
        },
    }


# The names, column headings and leads are translated when a page is rendered (gettext_lazy).
REGISTERS = [
    Register(
        "sources", DataSource, forms.DataSourceForm, "source_id",
        gettext_lazy("Datakällor"), gettext_lazy("Ny datakälla"),
        [("name", gettext_lazy("Namn")), ("period", gettext_lazy("Period")),
         ("covers", gettext_lazy("Täcker")), ("limitations", gettext_lazy("Begränsningar")),
         ("left_out", gettext_lazy("Bortvald"))],
        gettext_lazy("Vilka källor kartläggningen bygger på, vad de täcker och inte, och vilka "
                     "som övervägdes men valdes bort."),
    ),
    Register(
        "resources", Resource, forms.ResourceForm, "resource_id",
        gettext_lazy("Resurser"), gettext_lazy("Ny resurs"),
        [("who", gettext_lazy("Vem")), ("what", gettext_lazy("Vad")),
         ("budget", gettext_lazy("Budget (kr/år)")), ("staff", gettext_lazy("Årsarbetskrafter")),
         ("target_group", gettext_lazy("Målgrupp")), ("area", gettext_lazy("Område"))],
        gettext_lazy("Vad parten kan lägga in i arbetet: personal, pengar, lokaler, kunskap."),
    ),
    Register(
        "activities", Activity, forms.ActivityForm, "activity_id",
        gettext_lazy("Pågående aktiviteter"), gettext_lazy("Ny aktivitet"),
        [("who", gettext_lazy("Vem")), ("what", gettext_lazy("Vad")),
         ("budget", gettext_lazy("Budget (kr/år)")), ("staff", gettext_lazy("Årsarbetskrafter")),
         ("target_group", gettext_lazy("Målgrupp")), ("area", gettext_lazy("Område"))],
        gettext_lazy("Arbete som redan förebygger brott eller skapar trygghet, direkt eller "
                     "indirekt."),
    ),
    Register(
        "surveys", SurveyResult, forms.SurveyResultForm, "survey_id",
        gettext_lazy("Trygghetsmätningar"), gettext_lazy("Nytt resultat"),
        [("question", gettext_lazy("Fråga")), ("area", gettext_lazy("Område")),
         ("year", gettext_lazy("År")), ("share", gettext_lazy("Andel (%)")),
         ("n", gettext_lazy("Antal svarande"))],
        gettext_lazy("Resultat från trygghetsmätningar; importera hela tabeller under Översikt."),
    ),
    Register(
        "costs", CrimeCost, forms.CrimeCostForm, "cost_id",
        gettext_lazy("Kostnader för brott"), gettext_lazy("Ny kostnad"),
        [("item", gettext_lazy("Kostnadspost")), ("amount", gettext_lazy("Belopp (kr)")),
         ("year", gettext_lazy("År")), ("source", gettext_lazy("Källa"))],
        gettext_lazy("Till exempel reparationer efter skadegörelse och klotter."),
    ),
    Register(
        "notes", ExperienceNote, forms.ExperienceNoteForm, "note_id",
        gettext_lazy("Erfarenheter"), gettext_lazy("Ny anteckning"),
        [("title", gettext_lazy("Rubrik")), ("text", gettext_lazy("Text"))],
        gettext_lazy("Vad partens medarbetare ser och vet, med egna ord."),
    ),
    Register(
        "walks", SafetyWalkObservation, forms.SafetyWalkForm, "walk_id",
        gettext_lazy("Trygghetsvandringar"), gettext_lazy("Ny iakttagelse"),
        [("observed_on", gettext_lazy("Datum")), ("place", gettext_lazy("Plats")),
         ("category", gettext_lazy("Kategori")), ("note", gettext_lazy("Beskrivning")),
         ("reported_by", gettext_lazy("Rapporterad av"))],
        gettext_lazy("Iakttagelser från trygghetsvandringar, med plats och gärna foto."),
        template="mapping/walk_form.html",
        form_context=_walk_map,
    ),
]  # fmt: skip
