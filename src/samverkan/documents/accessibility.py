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

CHECKERS = ("outloud", "pdfua")


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
