"""Offence groups and the three interpretation categories of the handbook.

Source: Brå, Rikspolisstyrelsen & SKL (2010). *Samverkan i lokalt
brottsförebyggande arbete*, step 2 ("Egna förberedelser"), pp. 40-49. The
handbook groups reported offences into broad types (table "Anmälda brott
efter brottstyp", pp. 48-49) and, for interpretation, sorts them into

1. victim-reported offences with interaction between victim and offender
   (e.g. violence, threats, robbery),
2. victim-reported offences without interaction (e.g. theft, burglary,
   criminal damage), and
3. offences found through police surveillance or intervention
   ("spanings- och ingripandebrott", initiative offences; e.g. drug and
   traffic offences). Their numbers follow police activity, so a rise can
   mean more policing rather than more crime.

Everything here is plain data (strings, dicts) so the app can store an
edited copy in its database and pass it back via :meth:`CategoryTable.from_dict`.
Assignments not spelled out in the handbook (e.g. fraud, shoplifting,
trespass) are this package's own reading and are meant to be reviewed
locally.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "VICTIM_WITH_INTERACTION",
    "VICTIM_WITHOUT_INTERACTION",
    "POLICE_INITIATED",
    "INTERPRETATION_LABELS_SV",
    "INTERPRETATION_MEANING_SV",
    "UNKNOWN_INTERPRETATION_SV",
    "OffenceCategory",
    "PatternRule",
    "CategoryTable",
    "DEFAULT_TABLE",
    "classify",
    "normalise_name",
    "TOTAL_OFFENCE_NAMES",
    "is_total_offence",
]

VICTIM_WITH_INTERACTION = "victim_with_interaction"
VICTIM_WITHOUT_INTERACTION = "victim_without_interaction"
POLICE_INITIATED = "police_initiated"


def _(text: str) -> str:
    """Mark a Swedish original for the translation catalogue; pages translate it when shown."""
    return text


INTERPRETATION_LABELS_SV: dict[str, str] = {
    VICTIM_WITH_INTERACTION: _("Offerbrott med interaktion"),
    VICTIM_WITHOUT_INTERACTION: _("Offerbrott utan interaktion"),
    POLICE_INITIATED: _("Spanings- och ingripandebrott (initiativbrott)"),
}

# What a change in each interpretation category means for reading a trend (the handbook,
# Brå m.fl. 2010, s. 48–49), in the project's own words.
INTERPRETATION_MEANING_SV: dict[str, str] = {
    VICTIM_WITH_INTERACTION: _(
        "brott där offret möter gärningspersonen, till exempel misshandel, hot och rån. De "
        "anmäls oftast av den som utsatts och speglar brottsligheten ganska väl, men "
        "mörkertalet är stort för våld mellan närstående och bland unga."
    ),
    VICTIM_WITHOUT_INTERACTION: _(
        "brott där offret inte möter gärningspersonen, till exempel stöld, inbrott och "
        "skadegörelse. Anmälningarna styrs mycket av om det lönar sig att anmäla (försäkring) "
        "och om någon upptäcker brottet."
    ),
    POLICE_INITIATED: _(
        "brott som upptäcks först när polisen eller någon annan myndighet letar efter dem, "
        "till exempel narkotikabrott och rattfylleri. Antalet följer hur mycket polisen "
        "arbetar med dem: en ökning kan betyda mer polisarbete, inte fler brott."
    ),
}
UNKNOWN_INTERPRETATION_SV = _("Ej klassificerat")

LIV_HALSA = "Brott mot liv och hälsa"
FRIHET_FRID = "Brott mot frihet och frid"
SEXUALBROTT = "Sexualbrott"
TILLGREPP = "Stöld, rån och andra tillgreppsbrott"
BEDRAGERI = "Bedrägeri och annan oredlighet"
SKADEGORELSE = "Skadegörelse"
ALKOHOL_NARKOTIKA = "Alkohol- och narkotikabrott"
TRAFIK = "Trafikbrott"
OVRIGT = "Övriga brott"


@dataclass(frozen=True)
class OffenceCategory:
    """Where one offence type belongs: a handbook group and an interpretation code."""

    group: str
    interpretation: str


@dataclass(frozen=True)
class PatternRule:
    """Fallback rule: a regular expression tried against unknown offence names."""

    pattern: str
    group: str
    interpretation: str


def normalise_name(name: str) -> str:
    """Lower-case, trim and collapse whitespace so lookups ignore formatting."""
    return " ".join(str(name).casefold().split())


@dataclass(frozen=True)
class CategoryTable:
    """Editable classification table: exact names first, then pattern rules in order."""

    offences: Mapping[str, OffenceCategory]
    patterns: tuple[PatternRule, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (for storing an edited table)."""
        return {
            "offences": {
                name: {"group": c.group, "interpretation": c.interpretation}
                for name, c in self.offences.items()
            },
            "patterns": [
                {"pattern": r.pattern, "group": r.group, "interpretation": r.interpretation}
                for r in self.patterns
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoryTable:
        """Build and validate a table from the form produced by :meth:`to_dict`."""
        offences: dict[str, OffenceCategory] = {}
        for name, entry in dict(data.get("offences", {})).items():
            offences[normalise_name(name)] = OffenceCategory(
                str(entry["group"]), _check_code(entry["interpretation"], name)
            )
        patterns = []
        for entry in data.get("patterns", []):
            try:
                re.compile(entry["pattern"])
            except re.error as exc:
                raise ValueError(f"invalid pattern {entry['pattern']!r}: {exc}") from None
            patterns.append(
                PatternRule(
                    str(entry["pattern"]),
                    str(entry["group"]),
                    _check_code(entry["interpretation"], entry["pattern"]),
                )
            )
        return cls(offences=offences, patterns=tuple(patterns))


def _check_code(code: str, where: str) -> str:
    if code not in INTERPRETATION_LABELS_SV:
        allowed = ", ".join(INTERPRETATION_LABELS_SV)
        raise ValueError(f"unknown interpretation {code!r} for {where!r}; use one of {allowed}")
    return code


_I, _U, _P = VICTIM_WITH_INTERACTION, VICTIM_WITHOUT_INTERACTION, POLICE_INITIATED

# Offence types from the handbook's example table (pp. 48-49) plus common
# names used in the brief and in police/Brå statistics.
_DEFAULT_OFFENCES: dict[str, tuple[str, str]] = {
    # Brott mot liv och hälsa
    "misshandel utomhus": (LIV_HALSA, _I),
    "misshandel inomhus": (LIV_HALSA, _I),
    "misshandel": (LIV_HALSA, _I),
    "grov misshandel": (LIV_HALSA, _I),
    "övriga liv- och hälsabrott": (LIV_HALSA, _I),
    # Brott mot frihet och frid
    "olaga hot": (FRIHET_FRID, _I),
    "hot": (FRIHET_FRID, _I),
    "ofredande": (FRIHET_FRID, _I),
    "hemfridsbrott, olaga intrång m.fl.": (FRIHET_FRID, _I),
    "kvinnofridsbrott": (FRIHET_FRID, _I),
    # Sexualbrott
    "försök/fullbordad våldtäkt ute": (SEXUALBROTT, _I),
    "försök/fullbordad våldtäkt inne": (SEXUALBROTT, _I),
    "våldtäkt": (SEXUALBROTT, _I),
    "sexuellt ofredande, exhibitionism": (SEXUALBROTT, _I),
    "sexuellt ofredande": (SEXUALBROTT, _I),
    "övriga sexualbrott": (SEXUALBROTT, _I),
    # Stöld, rån och andra tillgreppsbrott
    "personrån": (TILLGREPP, _I),
    "rån": (TILLGREPP, _I),
    "tillgrepp/försök motordrivet fordon": (TILLGREPP, _U),
    "cykelstöld": (TILLGREPP, _U),
    "inbrott i bostad": (TILLGREPP, _U),
    "bostadsinbrott": (TILLGREPP, _U),
    "inbrott i källare/vind": (TILLGREPP, _U),
    "inbrott i skola/stöld": (TILLGREPP, _U),
    "stöld ur motordrivet fordon": (TILLGREPP, _U),
    "stöld ur bil": (TILLGREPP, _U),
    "stöld/snatteri i butik": (TILLGREPP, _U),
    "snatteri": (TILLGREPP, _U),
    "stöld på kontor/inbrott": (TILLGREPP, _U),
    "inbrott i kontor/stöld": (TILLGREPP, _U),
    "övriga tillgreppsbrott": (TILLGREPP, _U),
    # Bedrägeri och annan oredlighet
    "bedrägeri": (BEDRAGERI, _U),
    "övrigt bedrägeri och oredlighet": (BEDRAGERI, _U),
    # Skadegörelse
    "skadegörelse": (SKADEGORELSE, _U),
    "skadegörelse motorfordon": (SKADEGORELSE, _U),
    "skadegörelse stat/kommun/landsting": (SKADEGORELSE, _U),
    "klotter": (SKADEGORELSE, _U),
    "övrig skadegörelse": (SKADEGORELSE, _U),
    # Alkohol- och narkotikabrott
    "brott mot alkohollagstiftningen": (ALKOHOL_NARKOTIKA, _P),
    "narkotikabrott": (ALKOHOL_NARKOTIKA, _P),
    "ringa narkotikabrott": (ALKOHOL_NARKOTIKA, _P),
    "narkotikabrott innehav": (ALKOHOL_NARKOTIKA, _P),
    "narkotikabrott överlåtelse": (ALKOHOL_NARKOTIKA, _P),
    "övriga alkohol- och narkotikabrott": (ALKOHOL_NARKOTIKA, _P),
    # Trafikbrott (named as initiative offences in the handbook's text)
    "trafikbrott": (TRAFIK, _P),
    "rattfylleri": (TRAFIK, _P),
    "grovt rattfylleri": (TRAFIK, _P),
    "olovlig körning": (TRAFIK, _P),
    "vårdslöshet i trafik": (TRAFIK, _P),
    # Other offences mostly found by the police themselves
    "vapenbrott": (OVRIGT, _P),
    "brott mot knivlagen": (OVRIGT, _P),
}

# Order matters: the first match wins, so initiative offences come first
# ("ringa narkotikabrott"), "mordbrand" is caught before "mord", and the
# word boundary stops "rån" matching "från".
_DEFAULT_PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"narkotika", ALKOHOL_NARKOTIKA, _P),
    (r"alkohol|langning", ALKOHOL_NARKOTIKA, _P),
    (r"rattfylleri|olovlig körning|trafik", TRAFIK, _P),
    (r"vapen|knivlag", OVRIGT, _P),
    (r"skadegörelse|klotter|mordbrand", SKADEGORELSE, _U),
    (r"våldtäkt|sexuell|sexualbrott|exhibitionism", SEXUALBROTT, _I),
    (r"misshandel|mord|dråp|våld", LIV_HALSA, _I),
    (r"\bhot\b|ofredande|fridskränkning", FRIHET_FRID, _I),
    (r"\b(?:person|butiks|bank|väsk)?rån", TILLGREPP, _I),
    (r"inbrott|stöld|snatteri|tillgrepp", TILLGREPP, _U),
    (r"bedrägeri|oredlighet", BEDRAGERI, _U),
)

DEFAULT_TABLE = CategoryTable(
    offences={name: OffenceCategory(g, i) for name, (g, i) in _DEFAULT_OFFENCES.items()},
    patterns=tuple(PatternRule(p, g, i) for p, g, i in _DEFAULT_PATTERNS),
)


def classify(name: str, table: CategoryTable = DEFAULT_TABLE) -> OffenceCategory | None:
    """Classify an offence name into a handbook group and interpretation category.

    Method: table lookup after :func:`normalise_name`; if the exact name is
    unknown, the pattern rules are tried in order (first match wins).
    Returns None when nothing matches, so the app can ask a person instead
    of guessing. Source of the categories: Brå, RPS & SKL (2010),
    *Samverkan i lokalt brottsförebyggande arbete*, pp. 40-49.
    """
    key = normalise_name(name)
    if not key:
        raise ValueError("offence name must not be empty")
    found = table.offences.get(key)
    if found is not None:
        return found
    for rule in table.patterns:
        if re.search(rule.pattern, key):
            return OffenceCategory(rule.group, rule.interpretation)
    return None


# Names a statistics table gives the total of all offences (compared whitespace- and
# case-insensitively).
TOTAL_OFFENCE_NAMES = frozenset({
    "samtliga brott", "samtliga anmälda brott", "totalt", "totalt antal brott",
    "totalt antal anmälda brott", "anmälda brott totalt", "alla brott", "brott totalt",
    "total", "alla anmälda brott",
})  # fmt: skip


def is_total_offence(name: str) -> bool:
    return " ".join(name.lower().split()) in TOTAL_OFFENCE_NAMES
