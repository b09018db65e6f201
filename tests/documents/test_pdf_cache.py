"""The PDF cache (documents/render.py): unchanged markup is laid out once per process."""

import pytest

from samverkan.documents import render


@pytest.fixture
def printed(monkeypatch):
    calls: list[str] = []

    def fake_print(html: str) -> bytes:
        calls.append(html)
        return f"%PDF {len(calls)}".encode()

    render.clear_pdf_cache()
    monkeypatch.setattr(render, "print_pdf", fake_print)
    yield calls
    render.clear_pdf_cache()


def test_the_same_markup_is_printed_once_and_changed_markup_again(printed, settings):
    settings.DOCUMENT_PDF_CACHE_SIZE = 4
    first = render.html_to_pdf("<p>Lägesbild 2026</p>")
    assert render.html_to_pdf("<p>Lägesbild 2026</p>") == first
    assert len(printed) == 1
    assert render.html_to_pdf("<p>Lägesbild 2027</p>") != first
    assert len(printed) == 2


def test_the_least_recently_used_pdf_leaves_a_full_cache(printed, settings):
    settings.DOCUMENT_PDF_CACHE_SIZE = 2
    for html in ("<p>a</p>", "<p>b</p>", "<p>a</p>", "<p>c</p>"):
        render.html_to_pdf(html)
    assert printed == ["<p>a</p>", "<p>b</p>", "<p>c</p>"]
    render.html_to_pdf("<p>a</p>")  # used recently: kept
    render.html_to_pdf("<p>b</p>")  # the oldest: printed again
    assert printed[-1] == "<p>b</p>" and len(printed) == 4


def test_size_zero_turns_the_cache_off(printed, settings):
    settings.DOCUMENT_PDF_CACHE_SIZE = 0
    render.html_to_pdf("<p>a</p>")
    render.html_to_pdf("<p>a</p>")
    assert len(printed) == 2
