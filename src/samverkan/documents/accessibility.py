"""PDF/UA-1 checks of the public documents, and the facts the accessibility statement
(tillgänglighetsredogörelse) is written from.

The checks run two independent checkers from PyPI that need no JVM (the dev extra):
outloud (the PDF/UA-1 conformance rules, calibrated to veraPDF, and semantic rules such as
alternative text that does not read as language) and pdfua (a second subset). A check of
every public edition is recorded (``AccessibilityCheck``) by ``manage.py
check_accessibility``; the statement page names the date and the result of the latest.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_lazy as _

CHECKERS = ("outloud", "pdfua")

# What the documents are by construction (render.py, the document template, charts.py):
# the statement says these only because the code makes them so and the checks confirm it.
ACCESSIBLE = (
    _(
        "Den offentliga versionen av varje dokument är en taggad PDF enligt PDF/UA-1: "
        "rubriker, stycken, listor och tabeller är märkta, dokumentets språk (svenska) och "
        "titel är angivna och varje rubrik är ett bokmärke."
    ),
    _(
        "Tabellernas rubrikceller är kopplade till sina kolumner och rader, och en tabell "
        "som fortsätter på nästa sida upprepar sin rubrikrad."
    ),
    _(
        "Varje diagram har en alternativ text som är skriven från diagrammets siffror: vad "
        "det visar, hur kurvorna går och alla värden."
    ),
    _(
        "Sidfoten med sidnummer är märkt som utfyllnad, så att en skärmläsare inte läser "
        "upp den på varje sida."
    ),
    _(
        "Den offentliga versionen finns också som webbsida (HTML) med samma innehåll, att "
        "publicera bredvid PDF-filen."
    ),
    _(
        "Tal skrivs på ett sätt: med mellanslag som inte bryts mellan tusental och mellan "
        "tal och enhet (”412 000 kr”, ”19,5 %”)."
    ),
)
NOT_ACCESSIBLE = (
    _(
        "Word-filerna kontrolleras inte maskinellt; bilderna i dem har alternativ text. "
        "Publicera PDF-filen eller webbsidan, inte Word-filen."
    ),
    _(
        "De automatiska kontrollerna täcker de regler i PDF/UA-1 som en maskin kan pröva. "
        "Om läsordningen och de alternativa texterna är begripliga har inte prövats med "
        "skärmläsare av en person."
    ),
    _(
        "Den interna versionen publiceras inte och omfattas inte av redogörelsen. Den "
        "skrivs ut på samma sätt som den offentliga."
    ),
    _(
        "Dokument som parterna själva laddar upp, till exempel inskannade undertecknade "
        "överenskommelser, är bilder utan text och är inte tillgängliga. Den utfärdade "
        "versionen av samma överenskommelse är det."
    ),
)


@dataclass(frozen=True)
class Finding:
    checker: str
    rule: str
    severity: str  # "error" or "warning"
    page: int | None
    message: str

    def __str__(self) -> str:
        where = f" (sida {self.page})" if self.page else ""
        return f"{self.checker} {self.rule} {self.severity}{where}: {self.message}"


@dataclass
class Result:
    checkers: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # rules a checker could not evaluate

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def passed(self) -> bool:
        return bool(self.checkers) and not self.findings


def available() -> list[str]:
    """The checkers installed here (both come with the dev extra)."""
    import importlib.util

    return [name for name in CHECKERS if importlib.util.find_spec(name) is not None]


def check_pdf(content: bytes) -> Result:
    """Every error and warning the installed checkers find in a PDF."""
    result = Result()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        names = available()
        if "outloud" in names:
            from outloud import check

            report = check(str(path))
            result.checkers.append("outloud")
            for f in report.findings:
                if f.severity in ("error", "warning"):
                    result.findings.append(
                        Finding("outloud", f.rule, f.severity, f.page, f.message)
                    )
        if "pdfua" in names:
            import pdfua

            report = pdfua.validate(str(path))
            result.checkers.append("pdfua")
            for f in report.findings:
                if f.severity >= pdfua.Severity.WARNING:
                    severity = "error" if f.severity >= pdfua.Severity.ERROR else "warning"
                    result.findings.append(
                        Finding("pdfua", f.rule_id, severity, f.location.page, f.message)
                    )
            result.not_run.extend(f"pdfua {o.rule_id}: {o.skipped_reason}" for o in report.skipped)
    return result


@dataclass
class Statement:
    """The facts the accessibility statement is written from."""

    accessible: tuple[object, ...]
    not_accessible: list[object]
    checks: list[object]  # the latest AccessibilityCheck of each document kind
    unchecked: list[str]  # kinds never checked
    last_check: object  # datetime of the latest check, or None
    contact: str


def statement() -> Statement:
    from django.conf import settings

    from samverkan.documents.models import KIND_CHOICES, AccessibilityCheck

    latest: dict[str, AccessibilityCheck] = {}
    for check in AccessibilityCheck.objects.order_by("-checked_at"):
        latest.setdefault(check.kind, check)
    checks = [latest[kind] for kind, _label in KIND_CHOICES if kind in latest]
    failing = [
        _("%(document)s: %(errors)s fel och %(warnings)s varningar vid senaste kontrollen.")
        % {
            "document": check.get_kind_display(),
            "errors": check.errors,
            "warnings": check.warnings,
        }
        for check in checks
        if not check.passed
    ]
    return Statement(
        accessible=ACCESSIBLE,
        not_accessible=[*failing, *NOT_ACCESSIBLE],
        checks=list(checks),
        unchecked=[str(label) for kind, label in KIND_CHOICES if kind not in latest],
        last_check=max((c.checked_at for c in checks), default=None),
        contact=settings.ACCESSIBILITY_CONTACT,
    )
