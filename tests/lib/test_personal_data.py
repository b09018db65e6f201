"""The personal-data detector (lib.personal_data): identity numbers however written, names in
any case, apartment numbers, and masking that only hides."""

from __future__ import annotations

import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from samverkan.lib import personal_data as pd

# ---- building real numbers --------------------------------------------------------------------


def _number(date: datetime.date, serial: int, *, coordination: bool = False) -> str:
    """The ten-digit form yymmddnnnc with the right check digit."""
    day = date.day + (60 if coordination else 0)
    nine = f"{date:%y}{date.month:02d}{day:02d}{serial:03d}"
    return nine + str(pd.luhn_check_digit(nine))


dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2026, 12, 31))
serials = st.integers(min_value=0, max_value=999)
DASHES = ["-", "\u2013", "\u2014", "\u2212", "\u2011", "+"]
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A real personnummer or samordningsnummer written in one of the ways people write it;
    returns (text as typed, expected kind)."""
    date = draw(dates)
    coordination = draw(st.booleans())
    ten = _number(date, draw(serials), coordination=coordination)
    twelve = draw(st.booleans())
    head = (f"{date:%Y}"[:2] + ten[:6]) if twelve else ten[:6]
    style = draw(st.sampled_from(["plain", "dash", "space", "spaced_date", "every_digit"]))
    if style == "plain":
        typed = head + ten[6:]
    elif style == "dash":
        typed = head + draw(st.sampled_from(DASHES)) + ten[6:]
    elif style == "space":
        typed = head + " " + ten[6:]
    elif style == "spaced_date":
        typed = " ".join(head[i : i + 2] for i in range(0, len(head), 2)) + "-" + ten[6:]
    else:
        typed = " ".join(head + ten[6:])
    script = draw(st.sampled_from(["ascii", "full", "arabic"]))
    if script == "full":
        typed = typed.translate(FULL_WIDTH)
    elif script == "arabic":
        typed = typed.translate(ARABIC_INDIC)
    kind = pd.SAMORDNINGSNUMMER if coordination else pd.PERSONNUMMER
    return typed, kind


words = st.sampled_from(
    ["sålde", "vid", "porten", "igen", "ungdomar", "klotter", "lugnt", "kväll", "busskuren", "3"]
)
prose = st.lists(words, max_size=8).map(" ".join)


# ---- identity numbers -------------------------------------------------------------------------


@settings(max_examples=300)
@given(written_numbers(), prose, prose)
# Found by this test: a digit before spaced digits also reads as a (valid) 10-digit number.
@example(("2 0 2 1 0 2 6 4 0 0 0 6", "samordningsnummer"), "3", "")
@example(("3 1 0 1 0 1 4 0 1 1", "personnummer"), "3", "")
def test_every_way_of_writing_a_real_number_is_found(number, before, after):
    typed, kind = number
    text = f"{before} {typed} {after}".strip()
    found = pd.identity_numbers(text)
    start = text.index(typed)
    if len(typed.split()) >= 10 and (before.endswith("3") or after.startswith("3")):
        # Every digit written apart, with a lone digit beside it: "3 3 1 0 1 0 1 4 0 1 1"
        # holds two valid numbers, and no reader can tell which was meant. One is found, on
        # the digits typed, and the text is refused all the same.
        assert found and all(f.kind in (pd.PERSONNUMMER, pd.SAMORDNINGSNUMMER) for f in found)
        assert any(f.start < start + len(typed) and f.end > start for f in found)
        return
    assert [f.kind for f in found] == [kind]
    # The span points at the number as typed, so a caller can show or mask exactly it.
    assert found[0].text == typed
    assert text[found[0].start : found[0].end] == typed


@given(dates, serials)
def test_written_with_a_dash_it_counts_even_with_a_wrong_check_digit(date, serial):
    ten = _number(date, serial)
    wrong = ten[:9] + str((int(ten[9]) + 1) % 10)
    assert pd.has_identity_number(f"{wrong[:6]}-{wrong[6:]}")
    assert pd.has_identity_number(f"pnr {wrong}")
    # A bare run of ten digits needs the check digit: it is as likely a phone number.
    assert not pd.has_identity_number(wrong)


def test_the_issues_examples_are_found():
    for text in (
        "Johan Svensson (född 2008) sålde igen vid porten … Pers. nr 080512-1234",
        "Anna Svensson 850101-1234, Storgatan 5 lgh 1102",
        "Pers. nr 080512\u20131234",
        "Pers. nr 0805 12 1234",
        "Pers. nr ０８０５１２－１２３４",
        "20080512-1234",
        "född 080572-1234",  # samordningsnummer: day 12 + 60
    ):
        assert pd.has_identity_number(text), text


def test_samordningsnummer_is_day_plus_sixty():
    ten = _number(datetime.date(1990, 2, 28), 123, coordination=True)
    assert ten[4:6] == "88"
    assert pd.identity_numbers(ten)[0].kind == pd.SAMORDNINGSNUMMER


def test_impossible_dates_and_other_numbers_are_not_identity_numbers():
    for text in (
        "",
        "Klockan 21.30 stod 12 personer vid port 4.",
        "851301-1234",  # month 13
        "850230-1234",  # 30 February
        "850192-1234",  # day 92: neither a date nor day + 60
        "ring 070-123 45 67",  # a phone number, check digit wrong for a personnummer
        "Ärende 2026-1234",
        "1080512-12345",  # digits run on both sides: no group boundary
    ):
        assert not pd.has_identity_number(text), text


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=200))
def test_text_without_digits_has_no_identity_number(text):
    assert pd.identity_numbers(text) == []


@given(st.text(max_size=300))
def test_any_text_is_handled_and_spans_lie_inside_it(text):
    for finding in pd.identity_numbers(text) + pd.warnings(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text


# ---- names ------------------------------------------------------------------------------------


def test_names_are_found_in_any_case():
    for text in (
        "Johan Svensson sålde igen vid porten",
        "johan svensson sålde igen vid porten",
        "JOHAN SVENSSON sålde igen vid porten",
        "jOHAN sVENSSON sålde",
        "Vi såg Kalle Anka vid busskuren",
        "Pratade med lisa lindqvist om kvällen",
    ):
        assert [f.kind for f in pd.names(text)] == [pd.NAME], text


def test_everyday_sentences_are_not_names():
    for text in (
        "Tre ungdomar klottrade på busskuren.",
        "Stökigt vid Torget hela kvällen.",
        "Polisen kom efter tio minuter.",
        "Porten vid Storgatan 12",
        "Lugnt. Inga personer ute.",
    ):
        assert pd.names(text) == [], text


def test_names_on_the_place_list_are_not_people():
    text = "Stökigt vid Gustav Adolfs torg och Gustav Adolfs torg igen."
    assert pd.names(text) != []
    assert pd.names(text, ["Gustav Adolfs torg"]) == []
    assert pd.names(text.upper(), ["Gustav Adolfs torg"]) == []


@given(
    st.sampled_from(sorted(pd.FIRST_NAMES)),
    st.sampled_from(["Svensson", "Lindberg", "Holmström", "Åkesson"]),
)
def test_a_common_first_name_and_a_surname_are_found_in_every_case(first, last):
    for text in (f"{first} {last}", f"{first} {last}".upper(), f"{first} {last}".lower()):
        found = pd.names(f"Igår sålde {text} vid porten")
        assert [f.text for f in found] == [text]


# ---- addresses and masking --------------------------------------------------------------------


def test_apartment_numbers_are_hints():
    for text in ("Storgatan 5 lgh 1102", "Storgatan 5, LGH 1102", "lägenhet 1203", "lgh nr 1001"):
        assert [f.kind for f in pd.address_hints(text)] == [pd.ADDRESS], text
    assert pd.address_hints("Porten vid Storgatan 12") == []


def test_masking_replaces_the_findings_only():
    text = "Johan Svensson, Storgatan 5 lgh 1102, sålde igen"
    masked = pd.mask(text, pd.warnings(text))
    assert masked == "[maskerat], Storgatan 5 [maskerat], sålde igen"
    assert pd.is_masking_of(text, masked)


def test_masking_check_refuses_a_rewrite():
    text = "Johan Svensson sålde igen"
    assert pd.is_masking_of(text, text)
    assert pd.is_masking_of(text, "[maskerat] sålde igen")
    assert pd.is_masking_of(text, "[maskerat]")
    assert not pd.is_masking_of(text, "[maskerat] köpte igen")
    assert not pd.is_masking_of(text, "Johan Svensson sålde igen och igen")
    assert not pd.is_masking_of("ac", "a[maskerat]c")  # a marker hides something


@given(st.text(max_size=80), st.lists(st.tuples(st.integers(0, 80), st.integers(1, 10))))
def test_any_masking_by_spans_passes_the_check(text, cuts):
    spans = [pd.Finding(pd.NAME, text[s : s + n], s, s + n) for s, n in cuts if s + n <= len(text)]
    assert pd.is_masking_of(text, pd.mask(text, spans)) or pd.MASK in text
