"""An adopted document exported as an archival information package for the kommun's e-archive
(issue 22, "Archivable"): FGS Paketstruktur 2.0, i.e. E-ARK CSIP 2.1 with E-ARK SIP 2.1 —
METS with PREMIS, every file with its size and SHA-256, the document as PDF/A-2 with its
decision metadata."""

from __future__ import annotations

import datetime
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from samverkan.documents import archive, data, render
from samverkan.documents.models import DocumentDecision, IssuedDocument
from tests.factories import make_world

NS = {
    "mets": archive.METS_NS,
    "xlink": archive.XLINK_NS,
    "csip": archive.CSIP_NS,
    "sip": archive.SIP_NS,
    "premis": archive.PREMIS_NS,
    "dc": archive.DC_NS,
    "b": archive.BESLUT_NS,
}
HERE = Path(__file__).parent
DECIDED = datetime.date(2026, 6, 14)


def issue_pdf(partnership, kind: str, edition: str, number: int, content: bytes, **extra):
    """An issued PDF version holding ``content`` with its SHA-256, as issuing stores it."""
    record = IssuedDocument(
        partnership=partnership,
        kind=kind,
        edition=edition,
        format="pdf",
        number=number,
        sha256=hashlib.sha256(content).hexdigest(),
        source_lines=data.build(kind, partnership, edition).text_lines(),
        **extra,
    )
    record.file.save(f"{kind}-{edition}-{number}.pdf", ContentFile(content), save=False)
    record.save()
    return record


@pytest.fixture(scope="module")
def adopted(kept):
    """A world whose åtgärdsplan version 1 (public, the real printed PDF: a draft when it was
    issued) was adopted by kommunfullmäktige; and that version's package, with the adopted
    document printed with its decision, built once for the module."""

    def build():
        world = make_world()
        p = world.ours.partnership
        pdf = render.to_pdf(data.build("atgardsplan", p, data.PUBLIC))
        version = issue_pdf(p, "atgardsplan", data.PUBLIC, 1, pdf, created_by=world.alice)
        DocumentDecision.objects.create(
            partnership=p,
            kind="atgardsplan",
            body="Kommunfullmäktige",
            decided_on=DECIDED,
            reference="KS 2026/117",
            approved=version,
        )
        printed = render.to_pdf(data.build("atgardsplan", p, data.PUBLIC))
        package = archive.build_package(version, adopted=printed)
        return world, version.pk, pdf, package

    return kept(build)


def unpack(package: archive.Package) -> dict[str, bytes]:
    """The package's files by their path inside the package's root folder (which must be
    the only top-level entry, named by the package id)."""
    if package.container == "zip":
        with zipfile.ZipFile(io.BytesIO(package.content)) as z:
            entries = {name: z.read(name) for name in z.namelist()}
    else:
        with tarfile.open(fileobj=io.BytesIO(package.content)) as t:
            entries = {
                m.name: t.extractfile(m).read()  # type: ignore[union-attr]
                for m in t.getmembers()
                if m.isfile()
            }
    roots = {name.split("/", 1)[0] for name in entries}
    assert roots == {package.package_id}
    return {name.split("/", 1)[1]: body for name, body in entries.items()}


def mets_of(files: dict[str, bytes]):
    return etree.fromstring(files["METS.xml"])


def test_package_has_the_csip_folder_structure(adopted, db):
    _world, _pk, _pdf, package = adopted
    files = unpack(package)
    assert package.package_id.startswith("uuid-")
    assert package.filename == f"{package.package_id}.zip"
    pdfs = sorted(path for path in files if path.endswith(".pdf"))
    assert pdfs == [
        "representations/rep1/data/atgardsplan-offentlig-samverkan-centrum-v1-faststalld.pdf",
        "representations/rep2/data/atgardsplan-offentlig-samverkan-centrum-v1.pdf",
    ]
    assert {
        "METS.xml",
        "metadata/descriptive/dc.xml",
        "metadata/descriptive/beslut.xml",
        "metadata/preservation/premis.xml",
        "documentation/om-arkivpaketet.txt",
        "schemas/mets.xsd",
        "schemas/xlink.xsd",
    } <= set(files)
    about = files["documentation/om-arkivpaketet.txt"].decode("utf-8")
    assert "Fastställd av Kommunfullmäktige den 2026-06-14, diarienummer KS 2026/117." in about


def test_root_mets_carries_the_csip_and_sip_attributes_and_agents(adopted, db):
    world, _pk, _pdf, package = adopted
    mets = mets_of(unpack(package))
    assert mets.tag == f"{{{archive.METS_NS}}}mets"
    assert mets.get("OBJID") == package.package_id
    assert mets.get("TYPE") == "Textual works – Digital"
    assert mets.get(f"{{{archive.CSIP_NS}}}CONTENTINFORMATIONTYPE") == "OTHER"
    assert mets.get(f"{{{archive.CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE")
    assert mets.get("PROFILE") == "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
    header = mets.find("mets:metsHdr", NS)
    assert datetime.datetime.fromisoformat(header.get("CREATEDATE")).tzinfo is not None
    assert header.get(f"{{{archive.CSIP_NS}}}OAISPACKAGETYPE") == "SIP"
    agents = {
        (a.get("ROLE"), a.get("TYPE"), a.get("OTHERTYPE")): a.findtext("mets:name", None, NS)
        for a in header.findall("mets:agent", NS)
    }
    kommun = str(world.ours.partnership.municipality)
    assert agents[("ARCHIVIST", "ORGANIZATION", None)] == kommun
    assert agents[("CREATOR", "ORGANIZATION", None)] == kommun
    assert agents[("CREATOR", "OTHER", "SOFTWARE")] == "Samverkan"
    struct = mets.find("mets:structMap", NS)
    assert struct.get("LABEL") == "CSIP" and struct.get("TYPE") == "PHYSICAL"
    labels = [div.get("LABEL") for div in struct.find("mets:div", NS).findall("mets:div", NS)]
    assert labels == ["Metadata", "Documentation", "Schemas", "Representations"]
    content = struct.find("mets:div/mets:div[@LABEL='Representations']", NS)
    assert [f.get("FILEID") for f in content.findall("mets:fptr", NS)] == [
        g.get("ID")
        for g in mets.iterfind("mets:fileSec/mets:fileGrp", NS)
        if g.get("USE").startswith("Representations/")
    ]
    for group in mets.iterfind("mets:fileSec/mets:fileGrp", NS):
        if group.get("USE").startswith("Representations/"):
            assert group.get(f"{{{archive.CSIP_NS}}}CONTENTINFORMATIONTYPE") == "OTHER"
            assert group.get(f"{{{archive.CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE")
    # Every ID a structMap division or file points at exists.
    ids = {e.get("ID") for e in mets.iter() if e.get("ID")}
    for element in mets.iter():
        for attribute in ("DMDID", "ADMID", "FILEID"):
            for ref in (element.get(attribute) or "").split():
                assert ref in ids, f"{attribute}={ref} names nothing"


def test_every_file_is_referenced_once_with_its_size_and_sha256(adopted, db):
    _world, _pk, _pdf, package = adopted
    files = unpack(package)
    mets = mets_of(files)
    referenced: dict[str, etree._Element] = {}
    for flocat in mets.iterfind(".//mets:FLocat", NS):
        href = flocat.get(f"{{{archive.XLINK_NS}}}href")
        assert href not in referenced
        referenced[href] = flocat.getparent()
    for mdref in mets.iterfind(".//mets:mdRef", NS):
        href = mdref.get(f"{{{archive.XLINK_NS}}}href")
        assert href not in referenced
        referenced[href] = mdref
    assert set(referenced) == set(files) - {"METS.xml"}
    for href, element in referenced.items():
        assert not href.startswith("/") and ".." not in href  # relative, inside the package
        assert element.get("CHECKSUMTYPE") == "SHA-256"
        assert element.get("CHECKSUM") == hashlib.sha256(files[href]).hexdigest(), href
        assert int(element.get("SIZE")) == len(files[href]), href
        assert element.get("MIMETYPE") and element.get("CREATED")
        assert package.files[href] == element.get("CHECKSUM")
    for path in (p for p in files if p.endswith(".pdf")):
        assert referenced[path].get("MIMETYPE") == "application/pdf"
        assert referenced[path].get(f"{{{archive.SIP_NS}}}FORMATREGISTRYKEY") == "fmt/476"


def test_mets_is_valid_against_the_mets_schema_and_the_csip_extensions(adopted, db):
    _world, _pk, _pdf, package = adopted
    files = unpack(package)
    # The METS schema the package carries, with the CSIP/SIP extension attributes declared
    # in tests/documents/schemas (the values of their vocabularies that this package uses).
    schema = etree.XMLSchema(etree.parse(str(HERE / "schemas" / "package.xsd")))
    document = etree.parse(io.BytesIO(files["METS.xml"]))
    assert schema.validate(document), schema.error_log
    bundled = archive.SCHEMA_DIR / "mets.xsd"
    assert files["schemas/mets.xsd"] == bundled.read_bytes()


def test_premis_fixity_format_and_events(adopted, db):
    world, _pk, _pdf, package = adopted
    files = unpack(package)
    premis = etree.fromstring(files["metadata/preservation/premis.xml"])
    objects = {
        obj.findtext(".//premis:objectIdentifierValue", None, NS): obj
        for obj in premis.findall("premis:object", NS)
    }
    assert set(objects) == {p for p in files if p.endswith(".pdf")}
    for path, obj in objects.items():
        assert obj.findtext(".//premis:messageDigestAlgorithm", None, NS) == "SHA-256"
        assert obj.findtext(".//premis:messageDigest", None, NS) == (
            hashlib.sha256(files[path]).hexdigest()
        )
        assert int(obj.findtext(".//premis:size", None, NS)) == len(files[path])
        assert obj.findtext(".//premis:formatName", None, NS) == "PDF/A-2a"
        assert obj.findtext(".//premis:formatRegistryKey", None, NS) == "fmt/476"
    events = {}
    for e in premis.findall("premis:event", NS):
        events.setdefault(e.findtext("premis:eventType", None, NS), []).append(e)
    assert {"creation", "decision", "normalization", "information package creation"} <= set(events)
    (decision,) = events["decision"]
    assert decision.findtext("premis:eventDateTime", None, NS) == "2026-06-14"
    assert "KS 2026/117" in decision.findtext(".//premis:eventDetail", None, NS)
    agents = {a.findtext("premis:agentName", None, NS) for a in premis.findall("premis:agent", NS)}
    assert f"Kommunfullmäktige, {world.ours.partnership.municipality}" in agents
    # Every agent and object an event links to is described.
    for value in premis.iterfind(".//premis:linkingAgentIdentifierValue", NS):
        assert value.text in agents
    for value in premis.iterfind(".//premis:linkingObjectIdentifierValue", NS):
        assert value.text in objects or value.text.startswith("samverkan:utfardat-dokument:")


def _pdfs(package) -> tuple[bytes, bytes]:
    """(the adopted document, the decided file) from the package."""
    files = unpack(package)
    adopted = next(b for p, b in files.items() if p.startswith("representations/rep1/"))
    decided = next(b for p, b in files.items() if p.startswith("representations/rep2/"))
    return adopted, decided


def test_both_pdfs_are_pdf_a_2a_and_still_tagged_for_pdf_ua(adopted, db):
    _world, _pk, original, package = adopted
    for pdf in _pdfs(package):
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            meta = doc.open_metadata()
            assert meta.get("pdfaid:part") == "2"
            assert meta.get("pdfaid:conformance") == "A"
            assert meta.get("pdfuaid:part") == "1"
            # PDF/A: the document information agrees with the XMP metadata, kept unfiltered.
            info = doc.docinfo
            assert meta.get("dc:title") == str(info["/Title"])
            assert meta.get("dc:description") == str(info["/Subject"])
            assert meta.get("dc:creator") == [str(info["/Author"])]
            assert meta.get("pdf:Producer") == str(info["/Producer"])
            assert "/Filter" not in doc.Root.Metadata
            intents = doc.Root.OutputIntents
            assert intents[0].S == "/GTS_PDFA1"
            assert len(intents[0].DestOutputProfile.read_bytes()) > 1000
            assert "/StructTreeRoot" in doc.Root and doc.Root.MarkInfo.Marked
            assert str(doc.Root.Lang) == "sv"
            assert "/ID" in doc.trailer
            for obj in doc.objects:
                if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                    assert not obj.get("/Interpolate", False)
            # The extension schema describes pdfuaid, which PDF/A-2 does not predefine.
            xmp = doc.Root.Metadata.read_bytes()
            assert b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/" in xmp


def test_the_decided_file_keeps_its_pages_and_the_adopted_one_carries_the_decision(adopted, db):
    import pymupdf

    _world, _pk, original, package = adopted
    adopted_pdf, decided = _pdfs(package)
    with pikepdf.open(io.BytesIO(decided)) as doc, pikepdf.open(io.BytesIO(original)) as source:
        assert len(doc.pages) == len(source.pages)
        for page, before in zip(doc.pages, source.pages, strict=True):
            assert page.Contents.read_bytes() == before.Contents.read_bytes()
    with pymupdf.open(stream=adopted_pdf, filetype="pdf") as pdf:
        cover = pdf[0].get_text()
    assert "Fastställd av Kommunfullmäktige den 14 juni 2026 (version 1)" in " ".join(cover.split())
    assert "UTKAST" not in cover
    with pymupdf.open(stream=decided, filetype="pdf") as pdf:
        assert "UTKAST" in pdf[0].get_text()  # issued as the draft for the decision


@pytest.mark.slow(reason="runs both PDF/UA-1 checkers over the printed åtgärdsplan")
def test_pdf_a_file_still_passes_pdf_ua_1(adopted, db):
    from samverkan.documents import accessibility

    _world, _pk, _original, package = adopted
    result = accessibility.check_pdf(_pdfs(package)[0])
    assert result.findings == [], "\n".join(str(f) for f in result.findings)


def test_decision_metadata_names_diarienummer_body_date_version_and_checksums(adopted, db):
    world, pk, original, package = adopted
    files = unpack(package)
    record = etree.fromstring(files["metadata/descriptive/beslut.xml"])

    def text(name: str) -> str:
        return record.findtext(f"b:{name}", None, NS)

    assert text("diarienummer") == "KS 2026/117"
    assert text("beslutandeOrgan") == "Kommunfullmäktige"
    assert text("beslutsdatum") == "2026-06-14"
    assert text("version") == "1"
    assert record.find("b:utgava", NS).get("kod") == "public"
    assert text("kommun") == str(world.ours.partnership.municipality)
    assert text("utfardadAv") == "Alice"
    decided = record.find("b:beslutadFil/b:kontrollsumma", NS)
    assert decided.get("algoritm") == "SHA-256"
    assert decided.text == hashlib.sha256(original).hexdigest()
    assert decided.text == IssuedDocument.objects.get(pk=pk).sha256
    archived = {
        f.get("sokvag"): (f.get("roll"), f.findtext("b:kontrollsumma", None, NS))
        for f in record.findall("b:arkivfil", NS)
    }
    assert {path: role for path, (role, _sum) in archived.items()} == {
        p: ("fastställd" if "/rep1/" in p else "beslutad") for p in files if p.endswith(".pdf")
    }
    for path, (_role, checksum) in archived.items():
        assert checksum == hashlib.sha256(files[path]).hexdigest()
    assert package.pdf_sha256 == archived[next(p for p in archived if "/rep1/" in p)][1]
    dc = etree.fromstring(files["metadata/descriptive/dc.xml"])
    assert "KS 2026/117" in [e.text for e in dc.findall("dc:identifier", NS)]
    assert dc.findtext("dc:date", None, NS) == "2026-06-14"
    assert dc.findtext("dc:language", None, NS) == "sv"
    assert "Fastställd av Kommunfullmäktige" in dc.findtext("dc:description", None, NS)


def test_without_the_adopted_document_the_decided_file_is_representation_1_in_a_tar(adopted, db):
    _world, pk, original, _package = adopted
    version = IssuedDocument.objects.get(pk=pk)
    package = archive.build_package(version, container="tar", package_id="uuid-fixed")
    assert package.filename == "uuid-fixed.tar"
    files = unpack(package)
    assert mets_of(files).get("OBJID") == "uuid-fixed"
    assert [p for p in files if p.endswith(".pdf")] == [
        "representations/rep1/data/atgardsplan-offentlig-samverkan-centrum-v1.pdf"
    ]


def test_the_word_file_of_the_adopted_version_stands_for_its_pdf(adopted, db):
    world, pk, original, _package = adopted
    p = world.ours.partnership
    word = IssuedDocument(
        partnership=p,
        kind="atgardsplan",
        edition=data.PUBLIC,
        format="docx",
        number=1,
        sha256=hashlib.sha256(b"PK").hexdigest(),
    )
    word.file.save("atgardsplan-public-1.docx", ContentFile(b"PK"), save=False)
    word.save()
    files = unpack(archive.build_package(word))
    (pdf,) = [body for path, body in files.items() if path.endswith(".pdf")]
    with pikepdf.open(io.BytesIO(pdf)) as doc, pikepdf.open(io.BytesIO(original)) as source:
        assert len(doc.pages) == len(source.pages)
    record = etree.fromstring(files["metadata/descriptive/beslut.xml"])
    assert record.findtext("b:beslutadFil/b:kontrollsumma", None, NS) == (
        IssuedDocument.objects.get(pk=pk).sha256
    )


def test_the_adopted_document_is_printed_only_while_it_holds_the_decided_content(
    adopted, db, monkeypatch, settings
):
    """Laid out once and stored for the reader (the next package, or download, reuses it);
    after a change since the decision there is no adopted document to print."""
    from samverkan.documents import renderings
    from samverkan.problems.models import Measure

    world, pk, _original, _package = adopted
    version = IssuedDocument.objects.get(pk=pk)
    printed: list[str] = []
    settings.DOCUMENT_PDF_CACHE_SIZE = 0
    render.clear_pdf_cache()
    monkeypatch.setattr(render, "print_pdf", lambda html: printed.append(html) or b"%PDF-x")
    assert archive.adopted_rendering(version, world.steve) == b"%PDF-x"
    assert archive.adopted_rendering(version, world.steve) == b"%PDF-x"
    assert len(printed) == 1 and "Fastställd av Kommunfullmäktige" in printed[0]
    slot = renderings.slot_for(version.partnership, "atgardsplan", "public", "pdf", world.steve)
    assert slot.rows().count() == 1
    measure = Measure.objects.filter(partnership=version.partnership).first()
    measure.title = "Ny lydelse efter beslutet"
    measure.save(update_fields=["title"])
    assert archive.adopted_rendering(version, world.steve) is None
    assert len(printed) == 1


def test_only_the_adopted_version_is_packaged(adopted, db):
    world, pk, original, _package = adopted
    p = world.ours.partnership
    later = issue_pdf(p, "atgardsplan", data.PUBLIC, 2, original)
    with pytest.raises(archive.NotArchivable) as refused:
        archive.build_package(later)
    assert "is not the adopted version" in str(refused.value)
    assert "inte den fastställda versionen" in refused.value.swedish
    undecided = issue_pdf(p, "lagesbild", data.PUBLIC, 1, original)
    with pytest.raises(archive.NotArchivable):
        archive.build_package(undecided)
    other_kind = issue_pdf(p, "medborgarlofte", data.PUBLIC, 1, original)
    with pytest.raises(archive.NotArchivable) as refused:
        archive.build_package(other_kind)
    assert "bara en fastställd lägesbild eller åtgärdsplan" in refused.value.swedish


def test_a_stored_file_that_no_longer_matches_its_checksum_is_refused(adopted, db):
    _world, pk, _original, _package = adopted
    version = IssuedDocument.objects.get(pk=pk)
    IssuedDocument.objects.filter(pk=pk).update(sha256="0" * 64)
    version.refresh_from_db()
    with pytest.raises(archive.NotArchivable) as refused:
        archive.build_package(version)
    assert "no longer matches the SHA-256" in str(refused.value)


def test_page_offers_the_package_and_a_job_makes_it_for_the_reader(
    client, adopted, db, monkeypatch
):
    from samverkan.jobs import registry
    from samverkan.jobs.models import Job

    world, pk, original, _package = adopted
    p = world.ours.partnership
    client.force_login(world.steve)  # the steering group
    page = client.get(reverse("documents:list", kwargs={"pk": p.pk})).content.decode()
    url = reverse("documents:archive_package", kwargs={"pk": p.pk, "issued_id": pk})
    assert f'href="{url}">Arkivpaket (FGS/E-ARK)</a>' in page
    version_page = client.get(reverse("documents:version", kwargs={"pk": p.pk, "issued_id": pk}))
    assert url in version_page.content.decode()
    # Nothing is laid out in the request: the reader goes to the job's page.
    monkeypatch.setattr(archive, "adopted_rendering", lambda version, user: original)
    response = client.get(url)
    assert response.status_code == 302
    job = Job.objects.get(kind="documents.archive", created_by=world.steve)
    assert response.url == reverse("jobs:detail", kwargs={"pk": p.pk, "job_id": job.pk})
    assert client.get(url).url == response.url  # a second click follows the same job
    assert registry.run_job(job.pk).status == "done"
    job.refresh_from_db()
    download = reverse("jobs:download", kwargs={"pk": p.pk, "job_id": job.pk})
    assert client.get(response.url).url == download
    served = client.get(download)
    assert served.status_code == 200
    content = b"".join(served.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        names = z.namelist()
    assert f"{job.result['package_id']}/METS.xml" in names
    assert len([n for n in names if n.endswith(".pdf")]) == 2
    client.force_login(world.bob)  # the file is its starter's, as every job's
    assert client.get(download).status_code == 404


def test_page_refuses_an_undecided_version_in_swedish(client, adopted, db):
    world, _pk, original, _package = adopted
    p = world.ours.partnership
    later = issue_pdf(p, "atgardsplan", data.PUBLIC, 2, original)
    client.force_login(world.bob)  # a coordinator
    version_page = reverse("documents:version", kwargs={"pk": p.pk, "issued_id": later.pk})
    assert "Arkivpaket" not in client.get(version_page).content.decode()
    url = reverse("documents:archive_package", kwargs={"pk": p.pk, "issued_id": later.pk})
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(version_page, 302)]
    assert "Åtgärdsplan version 2 är inte den fastställda versionen" in response.content.decode()


def test_package_goes_only_to_those_who_may_download_the_version(client, adopted, db):
    """An internal version holding the police party's confidential items: the archival
    package, like the file itself, goes only to readers in that party."""
    world, _pk, original, _package = adopted
    p = world.ours.partnership
    internal = issue_pdf(
        p,
        "lagesbild",
        data.INTERNAL,
        1,
        original,
        confidential_access=[[world.ours.polis.pk]],
    )
    # The test world's lägesbild decision (tests/documents/world.py) now names this version.
    DocumentDecision.objects.filter(partnership=p, kind="lagesbild").update(approved=internal)
    url = reverse("documents:archive_package", kwargs={"pk": p.pk, "issued_id": internal.pk})
    file_url = reverse("documents:version_download", kwargs={"pk": p.pk, "issued_id": internal.pk})
    client.force_login(world.steve)  # the kommun's party: may not read the police's items
    assert client.get(file_url).status_code == 404
    assert client.get(url).status_code == 404
    page = client.get(reverse("documents:list", kwargs={"pk": p.pk})).content.decode()
    assert url not in page
    client.force_login(world.bob)  # the police party's coordinator
    assert client.get(url).status_code == 302  # to the job that makes it
    client.force_login(world.mallory)  # another partnership's admin
    assert client.get(url).status_code == 404


def test_command_writes_the_package_and_refuses_in_english(adopted, db, tmp_path):
    world, _pk, original, _package = adopted
    p = world.ours.partnership
    out = io.StringIO()
    target = tmp_path / "paket.tar"
    call_command(
        "archive_package",
        "atgardsplan",
        "--partnership",
        str(p.pk),
        "--container",
        "tar",
        "--output",
        str(target),
        stdout=out,
    )
    assert "Wrote the archival package uuid-" in out.getvalue()
    with tarfile.open(target) as t:
        assert any(name.endswith("/METS.xml") for name in t.getnames())
    issue_pdf(p, "atgardsplan", data.PUBLIC, 2, original)
    with pytest.raises(CommandError, match="is not the adopted version"):
        call_command("archive_package", "atgardsplan", "--partnership", str(p.pk), "--number", "2")
    with pytest.raises(CommandError, match="no registered decision"):
        call_command("archive_package", "lagesbild", "--partnership", str(p.pk))


# Any text a kommun may type into a name, a body or a diarienummer, control characters and
# all (those XML cannot hold are left out of the package; nothing else changes).
_TEXT = st.text(min_size=1, max_size=40).filter(lambda s: archive.xml_text(s).strip())


@settings(max_examples=25, deadline=None)
@given(name=_TEXT, body=_TEXT, reference=_TEXT)
def test_hostile_text_is_escaped_and_read_back_unchanged(name, body, reference):
    """Whatever the partnership, the decision body and the diarienummer say (markup, quotes,
    ampersands, scripts, control characters), every metadata file parses and reads it back
    as typed, less the characters XML cannot hold."""
    created = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)
    version = IssuedDocument(
        pk=7, kind="atgardsplan", edition="public", format="pdf", number=1, sha256="1" * 64
    )
    version.file.name = "partnerships/1/documents/a.pdf"
    version.created_at = created
    decision = DocumentDecision(
        kind="atgardsplan", body=body, decided_on=DECIDED, reference=reference
    )
    facts = archive._Facts(
        package_id="uuid-x",
        created=created,
        version=version,
        decision=decision,
        title=f"Åtgärdsplan – {name}",
        partnership=name,
        kommun=name,
        kommun_code="",
        police_area=name,
        issued_by=name,
        decided_size=4,
        representations=[archive._Representation(1, "a.pdf", b"%PDF", "A", "beslutad", name)],
    )
    record = etree.fromstring(archive._decision_record(facts))
    name, body, reference = map(archive.xml_text, (name, body, reference))
    assert record.findtext("b:samverkan", None, NS) == name
    assert record.findtext("b:beslutandeOrgan", None, NS) == body
    assert record.findtext("b:diarienummer", None, NS) == reference
    dc = etree.fromstring(archive._dublin_core(facts))
    assert dc.findtext("dc:title", None, NS) == f"Åtgärdsplan – {name}"
    assert reference in [e.text for e in dc.findall("dc:identifier", NS)]
    premis = etree.fromstring(archive._premis(facts))
    assert f"{body}, {name}" in {
        a.findtext("premis:agentName", None, NS) for a in premis.findall("premis:agent", NS)
    }
    assert record.findtext("b:arkivfil/b:ursprung", None, NS) == name
    files = {
        "metadata/descriptive/dc.xml": b"",
        "metadata/descriptive/beslut.xml": b"",
        "metadata/preservation/premis.xml": b"",
        "representations/rep1/data/a.pdf": b"",
        "schemas/mets.xsd": b"",
        "schemas/xlink.xsd": b"",
        archive.DOCUMENTATION: archive._documentation(facts),
    }
    mets = etree.fromstring(archive._mets(facts, files))
    assert mets.get("LABEL") == f"Åtgärdsplan – {name}, version 1"
    assert mets.find("mets:metsHdr/mets:agent/mets:name", NS).text == name
