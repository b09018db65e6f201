"""A small library of well-known measures with evidence notes, in the project's own words.

The notes summarise what evaluations have found in general terms; users should read the
sources (Brå's reports and the Campbell Collaboration's reviews) before relying on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.problems.choices import Evidence, MeasureKind, Perspective


@dataclass(frozen=True)
class LibraryMeasure:
    key: str
    title: str
    aimed_at: str
    kind: str
    evidence: str
    note: str
    mechanism: str


LIBRARY: tuple[LibraryMeasure, ...] = (
    LibraryMeasure(
        "aas",
        "Ansvarsfull alkoholservering (AAS)",
        Perspective.SITUATION,
        MeasureKind.SITUATIONAL,
        Evidence.EVALUATED,
        "Utbildning av krogpersonal och ordningsvakter kombinerad med tillsyn och samverkan "
        "mellan kommun, polis och krögare. Utvärderingar i Stockholm fann färre våldsbrott "
        "kring krogarna när metoden följdes.",
        "Färre kraftigt berusade gäster ute vid stängning ger färre bråk.",
    ),
    LibraryMeasure(
        "kronoberg",
        "Kronobergsmodellen",
        Perspective.OFFENDER,
        MeasureKind.SOCIAL,
        Evidence.EVALUATED,
        "När polisen påträffar en ung person med alkohol kontaktas vårdnadshavare och "
        "socialtjänst på ett strukturerat sätt. Uppföljningar visar att de flesta unga inte "
        "påträffas igen.",
        "Tidig reaktion från föräldrar och socialtjänst minskar fortsatt drickande och "
        "risktagande.",
    ),
    LibraryMeasure(
        "hotspot-policing",
        "Synlig polisnärvaro på brottsfrekventa platser och tider",
        Perspective.SITUATION,
        MeasureKind.SITUATIONAL,
        Evidence.EVALUATED,
        "Systematiska översikter visar att koncentrerad patrullering på få platser minskar "
        "brott där, oftast utan att brotten flyttar; effekten kräver att platserna är få och "
        "tiderna rätt valda.",
        "Risken att upptäckas upplevs högre just där och då brotten sker.",
    ),
    LibraryMeasure(
        "lighting",
        "Bättre belysning och röjd sikt",
        Perspective.SITUATION,
        MeasureKind.SITUATIONAL,
        Evidence.EVALUATED,
        "Översikter visar måttliga minskningar av brott på platser som fått bättre belysning, "
        "och ofta ökad trygghet.",
        "Fler ser vad som händer, och platsen signalerar att någon bryr sig.",
    ),
    LibraryMeasure(
        "cctv",
        "Kameraövervakning",
        Perspective.SITUATION,
        MeasureKind.SITUATIONAL,
        Evidence.PROMISING,
        "Effekten varierar: tydligast på parkeringsplatser och mot egendomsbrott, svagare mot "
        "våld i stadsmiljö om ingen kan ingripa när kameran ser något.",
        "Ökad upptäcktsrisk, förutsatt att bilderna leder till ingripanden.",
    ),
    LibraryMeasure(
        "night-transport",
        "Fler nattbussar och spridda avgångstider vid krogstängning",
        Perspective.SITUATION,
        MeasureKind.SITUATIONAL,
        Evidence.PROMISING,
        "Erfarenheter från flera städer tyder på färre bråk när trängsel vid hållplatser minskar.",
        "Mindre trängsel och väntan där berusade personer samlas.",
    ),
    LibraryMeasure(
        "adults-on-town",
        "Vuxna på stan och fler vuxna vid ungdomsarrangemang",
        Perspective.OFFENDER,
        MeasureKind.SOCIAL,
        Evidence.PROMISING,
        "Vanligt arbetssätt med frivilliga; få utvärderingar, men tydliga mekanismer när vuxna "
        "är kända av ungdomarna.",
        "Vuxennärvaro ger informell kontroll och stöd.",
    ),
    LibraryMeasure(
        "mentoring",
        "Mentorskap för unga i riskzon",
        Perspective.OFFENDER,
        MeasureKind.SOCIAL,
        Evidence.EVALUATED,
        "Översikter visar små till måttliga minskningar av återfall när programmet är "
        "långvarigt och mentorerna träffar ungdomen regelbundet.",
        "En stabil vuxenrelation stärker skyddsfaktorer.",
    ),
    LibraryMeasure(
        "victim-support",
        "Stöd till upprepat utsatta",
        Perspective.VICTIM,
        MeasureKind.SITUATIONAL,
        Evidence.PROMISING,
        "Den som utsatts en gång löper förhöjd risk att utsättas igen; riktat skydd kort efter "
        "första händelsen har i studier minskat upprepad utsatthet för inbrott.",
        "Skydd sätts in där risken är störst, strax efter ett brott.",
    ),
)


def by_key(key: str) -> LibraryMeasure | None:
    return next((item for item in LIBRARY if item.key == key), None)
