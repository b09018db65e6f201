"""The English interface is complete (issue 15): every string marked for translation in the
code and templates is in the English catalogue with a translation, and every page of a
partnership, rendered in English, shows none of the catalogue's Swedish originals."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.test_access_every_url import _kwargs, partnership_patterns

SRC = Path(__file__).resolve().parent.parent / "src" / "samverkan"
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
PY_FUNCS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}


def _unquote(chunks: list[str]) -> str:
    return "".join(ast.literal_eval(c) for c in chunks)


def catalogue() -> tuple[dict[str, list[str]], set[str]]:
    """msgid → its msgstr(s), and the msgids flagged fuzzy, from the English .po file."""
    entries: dict[str, list[str]] = {}
    fuzzy: set[str] = set()
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        key, parts, current = None, {}, None
        for line in lines:
            if (
                line.startswith("msgid ")
                or line.startswith("msgid_plural ")
                or line.startswith("msgstr")
            ):
                key, _space, rest = line.partition(" ")
                parts[key] = [rest]
                current = key
            elif line.startswith('"') and current:
                parts[current].append(line)
        if "msgid" not in parts:
            continue
        msgid = _unquote(parts["msgid"])
        if not msgid:
            continue  # the header
        entries[msgid] = [_unquote(v) for k, v in parts.items() if k.startswith("msgstr")]
        if "msgid_plural" in parts:
            entries[_unquote(parts["msgid_plural"])] = entries[msgid]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            fuzzy.add(msgid)
    return entries, fuzzy


def _python_strings() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in PY_FUNCS:
                continue
            count = 2 if name.startswith("ngettext") else 1
            for arg in node.args[:count]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                    found.add(arg.value)
    return found


TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.S)
BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
VARIABLE = re.compile(r"{{\s*([\w.]+)\s*}}")


def _block_msgid(options: str, body: str) -> str:
    text = body.replace("%", "%%")
    text = VARIABLE.sub(lambda m: f"%({m.group(1)})s", text)
    if "trimmed" in options.split():
        text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text


def _template_strings() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        # Like makemessages (and the tag at render time), {% translate %} doubles every %.
        found.update(m.group(2).replace("%", "%%") for m in TRANSLATE.finditer(source))
        for options, body in BLOCK.findall(source):
            for part in re.split(r"{%\s*plural\s*%}", body):
                found.add(_block_msgid(options, part))
    return found


def test_the_catalogue_translates_everything_it_holds():
    entries, fuzzy = catalogue()
    assert len(entries) > 1000
    empty = sorted(m for m, strs in entries.items() if not all(s.strip() for s in strs))
    assert not empty, f"{len(empty)} untranslated, e.g. {empty[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {sorted(fuzzy)[:5]}"


@pytest.mark.slow(reason="reads every module and template of the project for marked strings")
def test_every_marked_string_is_in_the_catalogue():
    entries, _fuzzy = catalogue()
    marked = _python_strings() | _template_strings()
    assert len(marked) > 1000
    missing = sorted(m for m in marked if m not in entries)
    assert not missing, (
        f"{len(missing)} marked strings are not in the English catalogue (run makemessages "
        f"-l en and translate them), e.g. {missing[:5]}"
    )


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _swedish_originals() -> list[str]:
    """Catalogue msgids long enough to be unmistakable, with no placeholder, whose English
    differs from the Swedish: if one is on an English page, that page was not translated."""
    entries, _fuzzy = catalogue()
    return [
        m
        for m, strs in entries.items()
        if len(m) >= 24 and "%" not in m and "{" not in m and "<" not in m and strs[0] != m
    ]


# Swedish text an English page rightly shows, because it is data or a name, not the interface.
# Each is removed from the page before the check; the same words elsewhere are still checked.
NOT_INTERFACE = (
    # The Swedish title of Brå's handbook, cited as a name before its English translation.
    "Samverkan i lokalt brottsförebyggande arbete",
    # The test party's signatory title, typed in Swedish by a user (tests/factories.py).
    "Kommunstyrelsens ordförande",
)


def _not_interface() -> list[str]:
    """The fixed names above, and the names the change history stored when each change was made
    (stored in Swedish, like any other stored value: tests/test_stored_language.py)."""
    from samverkan.accounts.models import AuditEntry

    stored = AuditEntry.objects.exclude(object_repr="").values_list("object_repr", flat=True)
    return sorted({*NOT_INTERFACE, *stored}, key=len, reverse=True)


@pytest.fixture
def english(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.alice)  # the municipality's admin sees every page
    return client


@pytest.mark.slow(reason="renders every partnership page in English")
def test_every_partnership_page_in_english_shows_no_swedish_original(english, world):
    originals = _swedish_originals()
    assert len(originals) > 300
    # Whole phrases only: a Swedish word that merely contains a msgid (a draft text's
    # "Samverkansöverenskommelsen" holds "Samverkansöverenskommelse") is not that msgid.
    patterns = [(m, re.compile(rf"(?<!\w){re.escape(m)}(?!\w)")) for m in originals]
    not_interface = _not_interface()
    shown: dict[str, list[str]] = {}
    pages = 0
    for name, pattern in partnership_patterns():
        response = english.get(reverse(name, kwargs=_kwargs(pattern, world.ours)))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        text = _visible_text(response.content.decode())
        for data in not_interface:
            text = text.replace(data, " ")
        for original, pattern in patterns:
            if original in text and pattern.search(text):
                shown.setdefault(name, []).append(original)
    assert pages > 60
    assert not shown, shown
