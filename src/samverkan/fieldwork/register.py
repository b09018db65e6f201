"""The register of processing (registerförteckning, GDPR art. 30) for one partnership: what
personal data the system holds, why, who sees it and for how long.

Written from the data and the settings, not by hand, so the retention periods it states are the
ones the system applies. Read by the data protection officer (dataskyddsombud) through the
partnership's administrators and coordinators, on a page and as CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings

from samverkan.fieldwork.models import FieldReport, FieldworkPolicy, WeeklySubscription
from samverkan.lib.text import csv_cell
from samverkan.partnerships.models import Partnership


@dataclass(frozen=True)
class Processing:
    """One line of the register."""

    name: str
    data: str  # what personal data
    purpose: str  # why
    legal_basis: str
    audience: str  # who sees it
    retention: str  # for how long
    count: int | None  # how many records the partnership holds now (None: not counted)


HEADERS = (
    "Behandling",
    "Personuppgifter",
    "Ändamål",
    "Rättslig grund",
    "Vem ser uppgifterna",
    "Lagringstid",
    "Antal poster nu",
)


def register_for(partnership: Partnership) -> list[Processing]:
    """The register's lines for ``partnership``, with the counts it holds now."""
    from samverkan.accounts.models import AuditEntry, Invitation, Membership

    months = FieldworkPolicy.months_for(partnership)
    reports = FieldReport.objects.filter(partnership=partnership)
    public_task = (
        "Allmänt intresse / myndighetsutövning (GDPR art. 6.1 e), lagen (2023:196) om "
        "kommunernas ansvar för brottsförebyggande arbete"
    )
    return [
        Processing(
            "Fältrapporter: fritext och skriven plats",
            "Det fältpersonalen skriver: kan innehålla namn, adresser och uppgifter om "
            "misstänkta brott (GDPR art. 10). Personnummer och samordningsnummer vägras.",
            "Underlag för veckolägesbilden och samverkans brottsförebyggande arbete.",
            public_task,
            "Samverkans medlemmar (inte fältrapportörer); en rapport som sparats trots "
            "varningen om namn bara rapportören och samordnarna i rapportörens part tills den "
            "granskats. Veckolägesbilden, e-posten och dokumenten visar ingen fritext och inga "
            "skrivna platser.",
            f"{months} månader efter observationen; raderas automatiskt (antalen finns kvar).",
            reports.exclude(text="", place_text="").filter(erased_at__isnull=True).count(),
        ),
        Processing(
            "Fältrapporter: rapportör, tid, plats och kategori",
            "Vem som rapporterade (användare och part), när, listad plats eller punkt på "
            "kartan, kategori, antal personer.",
            "Räkna rapporter per vecka, plats och kategori; uppföljning av åtgärder.",
            public_task,
            "Samverkans medlemmar; antal under "
            f"{settings.SMALL_COUNT_THRESHOLD} visas bara för samordnarna.",
            "Så länge samverkan finns; rapportören kopplas bort när kontot tas bort.",
            reports.count(),
        ),
        Processing(
            "Användare och medlemskap",
            "Namn, användarnamn, e-postadress, organisation, roll i partens medlemskap.",
            "Inloggning, behörigheter och kontakt inom samverkan.",
            public_task,
            "Samverkans medlemmar ser varandras namn och roller; administratörer hanterar dem.",
            "Så länge personen är medlem; tas bort av en administratör.",
            Membership.objects.filter(party__partnership=partnership).count(),
        ),
        Processing(
            "Inbjudningar",
            "E-postadress och namn på den som bjuds in, vem som bjöd in.",
            "Att bjuda in nya medlemmar.",
            public_task,
            "Partens administratörer och samordnare.",
            "Inbjudan gäller i 14 dagar; posten finns kvar som spår av vem som bjöd in.",
            Invitation.objects.filter(party__partnership=partnership).count(),
        ),
        Processing(
            "Historik (ändringslogg)",
            "Vem som ändrade vad och när. Fältrapporternas historik har ingen fritext.",
            "Spårbarhet och ansvar för beslut och ändringar.",
            public_task,
            "Samverkans medlemmar; partens egna uppgifter och sekretessuppgifter bara för "
            "dem som får se dem.",
            "Så länge samverkan finns.",
            AuditEntry.objects.filter(partnership=partnership).count(),
        ),
        Processing(
            "Prenumerationer på veckolägesbilden",
            "Vilka medlemmar som får veckolägesbilden med e-post.",
            "Att skicka veckolägesbilden.",
            "Samtycke (GDPR art. 6.1 a): medlemmen väljer själv och kan sluta när som helst.",
            "Medlemmen själv; systemets drift.",
            "Tills medlemmen slutar prenumerera.",
            WeeklySubscription.objects.filter(partnership=partnership).count(),
        ),
        Processing(
            "Händelser från polisens och andras system (kartläggning)",
            "Brott med plats och tid; kan peka ut en brottsutsatt adress.",
            "Partens kartläggning och den gemensamma problembilden.",
            public_task,
            "Bara den part som läst in dem, tills parten delar sin kartläggning; delade "
            "sammanställningar visar inte små antal.",
            "Tills parten tar bort importen.",
            None,
        ),
        Processing(
            "Misslyckade inloggningar",
            "Användarnamn som angavs, IP-adress, tidpunkt.",
            "Skydd mot lösenordsgissning.",
            "Berättigat intresse / säkerhet (GDPR art. 6.1 e och art. 32).",
            "Systemets drift.",
            "Räknas inom ett fönster på "
            f"{settings.LOGIN_FAILURE_WINDOW_SECONDS // 60} minuter; posterna finns kvar för "
            "driften.",
            None,
        ),
    ]


def as_csv(partnership: Partnership) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    for p in register_for(partnership):
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    p.name,
                    p.data,
                    p.purpose,
                    p.legal_basis,
                    p.audience,
                    p.retention,
                    "" if p.count is None else p.count,
                )
            ]
        )
    return out.getvalue()
