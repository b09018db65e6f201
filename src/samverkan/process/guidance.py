"""Short guidance for each of the five steps, written in the project's own words.

Page numbers refer to the printed handbook "Samverkan i lokalt brottsförebyggande arbete"
(Brå, RPS, SKL 2010). Today's roles differ from 2010: the police signatory is now usually the
local police area chief (lokalpolisområdeschef), and citizen promises (medborgarlöften) build
on the agreement. Lag (2023:196) adds the municipality's lägesbild and åtgärdsplan.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StepGuidance:
    number: int
    title: Promise
    goal: Promise
    advice: tuple[Promise, ...]
    done_when: tuple[Promise, ...]
    pages: str


STEPS: tuple[StepGuidance, ...] = (
    StepGuidance(
        1,
        _("Initiera samverkan"),
        _("Kommun och polis beslutar att arbeta tillsammans och bygger en organisation för det."),
        (
            _(
                "Börja med ett möte mellan högsta ledningen hos båda parter. Det visar att "
                "frågan är prioriterad och ger samordnarna mandat."
            ),
            _(
                "Samverka bara kring problem som ni faktiskt kan påverka tillsammans och som "
                "ryms i båda parters uppdrag."
            ),
            _(
                "Bygg en styrgrupp (ledningen), en beredningsgrupp (berörda chefer och "
                "samordnarna) och tidsbegränsade arbetsgrupper för själva åtgärderna. Ett "
                "befintligt brottsförebyggande råd kan ofta vara forumet."
            ),
            _(
                "Utse en samordnare per part som driver arbetet, håller ihop grupperna och "
                "ansvarar för att möten protokollförs; protokollen behövs vid uppföljningen."
            ),
            _(
                "Lägg tidsplanen så att åtgärderna hinner in i kommunens budgetprocess, och "
                "klargör tidigt vilka sekretessregler som gäller för varje part."
            ),
        ),
        (
            _("Ledningarna för kommun och polis har haft ett första möte."),
            _("Ett gemensamt beslut om samverkan är fattat och dokumenterat som del 1."),
            _("En gemensam organisation med styrgrupp och arbetsformer finns."),
            _("Varje part har utsett en samordnare."),
        ),
        "29–37",
    ),
    StepGuidance(
        2,
        _("Egna förberedelser"),
        _("Varje part kartlägger på egen hand problem, resurser och pågående arbete."),
        (
            _(
                "Använd flera källor: anmälda brott, takt per invånare, trender över flera år, "
                "jämförelser med liknande kommuner, platser och tider, trygghetsmätningar och "
                "kostnader."
            ),
            _(
                "Tänk på vad statistiken mäter: brott som upptäcks genom polisens egna insatser "
                "ökar när polisen arbetar mer med dem, inte nödvändigtvis för att brotten ökar."
            ),
            _(
                "Inventera era resurser och det arbete som redan pågår, så att samverkan bygger "
                "vidare på det i stället för att göra dubbelt."
            ),
            _("Materialet är partens eget tills parten väljer att dela det."),
        ),
        (
            _("Parten har kartlagt brottsligheten och tryggheten i området med flera källor."),
            _("Parten har inventerat sina resurser och pågående aktiviteter."),
            _("Parten har skrivit och delat sin egen lägesbild."),
        ),
        "39–52",
    ),
    StepGuidance(
        3,
        _("Gemensamma förberedelser"),
        _(
            "Parterna väver ihop sina kartläggningar till en gemensam problembild, analyserar "
            "orsaker, sätter mål, väljer åtgärder och skriver överenskommelsen."
        ),
        (
            _("Enas om begreppen först, så att alla menar samma sak med samma ord."),
            _(
                "Prioritera ett fåtal problem. Analysera orsakerna ur situationens, den "
                "brottsutsattes och gärningspersonens perspektiv, nära och bakomliggande."
            ),
            _(
                "Sätt effektmål för problemet och process- och produktionsmål för arbetet, "
                "med indikator, utgångsvärde och målvärde."
            ),
            _(
                "Välj åtgärder som svarar mot namngivna orsaker, inte tvärtom, och beskriv dem "
                "så noga att en utomstående förstår vem som gör vad, var och när."
            ),
        ),
        (
            _("En gemensam problembild är godkänd av parterna."),
            _("Orsaker, mål och åtgärder hänger ihop och är dokumenterade."),
            _("Uppföljningen och resurserna är planerade."),
            _("Samverkansöverenskommelsen är undertecknad."),
        ),
        "53–78",
    ),
    StepGuidance(
        4,
        _("Genomförande"),
        _("Åtgärderna genomförs som planerat och arbetet dokumenteras löpande."),
        (
            _("Varje åtgärd har en ansvarig som rapporterar vad som gjorts och när."),
            _("Avvikelser från planen noteras med orsak, så att uppföljningen blir ärlig."),
            _("Mötena protokollförs; beslut och uppdrag följs upp till nästa möte."),
        ),
        (
            _("Åtgärderna är genomförda eller avvikelserna förklarade."),
            _("Dokumentationen räcker för process- och effektuppföljning."),
        ),
        "79–86",
    ),
    StepGuidance(
        5,
        _("Uppföljning"),
        _(
            "Parterna följer upp om åtgärderna blev gjorda och om problemet förändrades, "
            "rapporterar till styrgruppen och startar nästa omgång."
        ),
        (
            _("Processuppföljning: blev åtgärderna gjorda som planerat, och varför inte?"),
            _(
                "Effektuppföljning: förändrades problemet? Jämför med samma period året innan "
                "och gärna med ett jämförelseområde; små tal och tillfälliga toppar kan lura."
            ),
            _("Styrgruppen tar emot rapporten och beslutar om nästa omgång."),
        ),
        (
            _("Process- och effektuppföljning är gjord och rapporterad till styrgruppen."),
            _("Beslut om fortsättning eller en ny omgång är fattat."),
        ),
        "87–98",
    ),
)


def step(number: int) -> StepGuidance:
    return STEPS[number - 1]
