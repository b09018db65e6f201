"""Archival information packages for adopted documents (issue 22, "Archivable").

A kommun files the lägesbild and the åtgärdsplan it adopted in its e-archive. Riksarkivet's
FGS Paketstruktur 2.0 is E-ARK CSIP 2.1 together with E-ARK SIP 2.1, so the package built here
follows those: one root folder named by the package id (``uuid-…``, the METS OBJID), holding

    METS.xml                                  the package's METS (SIP profile), every file
                                              with its size and SHA-256
    metadata/descriptive/dc.xml               Dublin Core: title, kommun, diarienummer, date
    metadata/descriptive/beslut.xml           the decision: body, date, version, checksums
    metadata/preservation/premis.xml          PREMIS 3: fixity and format of each PDF, events
    documentation/om-arkivpaketet.txt         what the package holds, in Swedish
    representations/rep1/data/…-faststalld.pdf  the adopted document, decision on the cover
    representations/rep2/data/….pdf             the issued file the body decided on
    schemas/mets.xsd, schemas/xlink.xsd       the METS schema the package is written to

The decided file is the issued version the decision names (DocumentDecision.approved): its
stored SHA-256 is checked first, and a file that no longer matches it is refused. It was
issued as the draft for the decision, so the package also holds the document as adopted,
printed with the decision on its cover, as long as the reader's build of that edition still
holds the decided content (``adopted_rendering``; after a change only the decided file goes in,
as representation 1). Laying it out takes seconds, so the web page makes the package in a job
(archive_jobs.py) and reuses the reader's stored rendering when there is one.

Both PDFs are WeasyPrint's tagged PDF/UA-1 files; ``to_pdfa`` adds what PDF/A-2 needs on top,
the same steps WeasyPrint takes for its own PDF/A variants, without laying out a page again:
the sRGB output intent, the identification in the XMP metadata (with the PDF/A extension
schema describing the PDF/UA identifier kept beside it), the print flag on annotations, no
image interpolation and a file identifier. A tagged file is PDF/A-2a (PRONOM fmt/476), an
untagged one (issued before the documents were tagged) PDF/A-2b (fmt/477).

The container is a ZIP file by default: the E-ARK reference tools and validators read it, and
an archivist can open it on any desktop. Some e-archives take TAR files; ``container="tar"``
writes the same folder as a TAR file.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import re
import tarfile
import uuid
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from samverkan.documents import data, services
from samverkan.documents.models import DocumentDecision, IssuedDocument

# -- names and vocabularies ---------------------------------------------------------------------

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
PREMIS_NS = "http://www.loc.gov/premis/v3"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
# The decision record is Samverkan's own small format (MDTYPE OTHER in METS).
BESLUT_NS = "urn:x-samverkan:arkivpaket:beslut:1"

SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
CONTENT_CATEGORY = "Textual works – Digital"  # CSIP content category vocabulary (en dash)
CONTENT_INFORMATION_TYPE = "OTHER"
OTHER_CONTENT_INFORMATION_TYPE = "Samverkan: beslutat dokument (PDF/A)"
SOFTWARE = "Samverkan"

SCHEMA_DIR = Path(__file__).with_name("archive_schemas")
SCHEMAS = ("mets.xsd", "xlink.xsd")
DOCUMENTATION = "documentation/om-arkivpaketet.txt"

# PDF/A-2 conformance level -> (format name, PRONOM id).
PDFA_FORMATS = {"A": ("PDF/A-2a", "fmt/476"), "B": ("PDF/A-2b", "fmt/477")}

# The documents with a decision record naming the version it approved (data.py).
ARCHIVABLE_KINDS = data.DECISION_RECORD_KINDS


class NotArchivable(Exception):
    """The version cannot be packaged; ``swedish`` is the page's message, the exception's own
    text the command line's (English)."""

    def __init__(self, english: str, swedish: str) -> None:
        super().__init__(english)
        self.swedish = swedish


@dataclass(frozen=True)
class Package:
    package_id: str
    filename: str
    content: bytes
    container: str
    pdf_sha256: str
    files: dict[str, str] = field(default_factory=dict)  # path in the package -> SHA-256


# -- which versions may be packaged ---------------------------------------------------------------


def adopting_decision(version: IssuedDocument) -> DocumentDecision:
    """The decision that adopted ``version``; NotArchivable when there is none.

    Only the issued PDF a registered decision names is an adopted document: a later or an
    earlier version, the Word file or a document without a decision record is not.
    """
    label = _("%(kind)s version %(n)s") % {"kind": version.get_kind_display(), "n": version.number}
    if version.kind not in ARCHIVABLE_KINDS:
        raise NotArchivable(
            f"{version.kind} v{version.number}: only an adopted lägesbild or åtgärdsplan can "
            "be packaged for the archive",
            _(
                "%(label)s kan inte arkiveras som arkivpaket: bara en fastställd lägesbild "
                "eller åtgärdsplan kan det."
            )
            % {"label": label},
        )
    decision = (
        DocumentDecision.objects.filter(
            partnership_id=version.partnership_id, kind=version.kind, approved__isnull=False
        )
        .select_related("approved")
        .first()
    )
    approved = decision.approved if decision else None
    if (
        decision is None
        or approved is None
        or (approved.edition, approved.number) != (version.edition, version.number)
    ):
        raise NotArchivable(
            f"{version.kind} v{version.number} ({version.edition}) is not the adopted version: "
            "register the decision that approved it first",
            _(
                "%(label)s är inte den fastställda versionen. Registrera beslutet och välj den "
                "version som beslutades; bara den kan arkiveras."
            )
            % {"label": label},
        )
    return decision


def adopted_pdf(version: IssuedDocument) -> IssuedDocument:
    """The PDF of the adopted version (the decision names the PDF; a Word or HTML file of the
    same version stands for it)."""
    if version.format == "pdf":
        return version
    pdf = IssuedDocument.objects.filter(
        partnership_id=version.partnership_id,
        kind=version.kind,
        edition=version.edition,
        number=version.number,
        format="pdf",
    ).first()
    if pdf is None:
        raise NotArchivable(
            f"{version.kind} v{version.number} has no issued PDF",
            _("Version %(n)s har ingen utfärdad PDF-fil att arkivera.") % {"n": version.number},
        )
    return pdf


def _stored_bytes(version: IssuedDocument) -> bytes:
    try:
        with version.file.open("rb") as handle:
            content: bytes = handle.read()
    except (OSError, ValueError) as exc:
        raise NotArchivable(
            f"the file of {version.kind} v{version.number} cannot be read: {exc}",
            _("Filen för version %(n)s kan inte läsas.") % {"n": version.number},
        ) from exc
    if hashlib.sha256(content).hexdigest() != version.sha256:
        raise NotArchivable(
            f"the stored file of {version.kind} v{version.number} no longer matches the "
            "SHA-256 recorded when it was issued",
            _(
                "Den lagrade filen för version %(n)s stämmer inte med kontrollsumman från när "
                "den utfärdades, och kan inte arkiveras."
            )
            % {"n": version.number},
        )
    return content


# -- PDF/A ---------------------------------------------------------------------------------------

_XMP_EXTENSION = """<rdf:Description rdf:about=""
    xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
  <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA identification schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
      <pdfaProperty:name>part</pdfaProperty:name>
      <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
      <pdfaProperty:category>internal</pdfaProperty:category>
      <pdfaProperty:description>Part of PDF/UA standard</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
  </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def to_pdfa(pdf: bytes) -> tuple[bytes, str]:
    """The PDF identified as PDF/A-2 ("A" when tagged, else "B"), with its level.

    The input is a WeasyPrint file (fonts embedded, no encryption, no attachments): what it
    lacks for PDF/A-2 is added here, nothing is laid out again.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        mark_info = root.get("/MarkInfo")
        tagged = (
            "/StructTreeRoot" in root
            and mark_info is not None
            and bool(mark_info.get("/Marked", False))
        )
        level = "A" if tagged else "B"
        icc = _srgb_profile()
        profile = doc.make_stream(icc)
        profile["/N"] = 3
        sRGB = "IEC 61966-2-1 Default RGB Colour Space - sRGB"
        root["/OutputIntents"] = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFA1,
                    OutputConditionIdentifier=sRGB,
                    Info=sRGB,
                    DestOutputProfile=profile,
                )
            ]
        )
        for page in doc.pages:
            for annotation in page.obj.get("/Annots") or []:
                annotation["/F"] = 4  # Print, and not hidden
        for obj in doc.objects:
            # PDF/A-2 forbids image interpolation (WeasyPrint asks for it on charts).
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                if "/Interpolate" in obj:
                    obj["/Interpolate"] = False
        ua_part = _pdfua_part(root)
        root["/Metadata"] = doc.make_stream(_xmp(root, doc.docinfo, level, ua_part))
        root.Metadata["/Type"] = pikepdf.Name.Metadata
        root.Metadata["/Subtype"] = pikepdf.Name.XML
        out = io.BytesIO()
        # A fixed file identifier from the content: the same decided file gives the same PDF/A.
        doc.save(out, static_id=False, deterministic_id=True)
    return out.getvalue(), level


def _srgb_profile() -> bytes:
    """The sRGB ICC profile WeasyPrint ships for its own PDF/A output."""
    from importlib.resources import files

    return files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()


def _pdfua_part(root: Any) -> str:
    metadata_stream = root.get("/Metadata")
    if metadata_stream is None:
        return ""
    try:
        tree = etree.fromstring(
            metadata_stream.read_bytes(), etree.XMLParser(resolve_entities=False)
        )
    except etree.XMLSyntaxError:
        return ""
    for element in tree.iter():
        value = element.get("{http://www.aiim.org/pdfua/ns/id/}part")
        if value:
            return value
        if element.tag == "{http://www.aiim.org/pdfua/ns/id/}part" and element.text:
            return element.text.strip()
    return ""


def _xmp(root: Any, info: Any, level: str, ua_part: str) -> bytes:
    """The XMP packet: PDF/A-2 identification, PDF/UA's beside it, and the document
    information dictionary's entries mirrored (PDF/A requires the two to agree)."""
    rdf = etree.Element(f"{{{_RDF_NS}}}RDF", nsmap={"rdf": _RDF_NS})

    def description(**namespaces: str) -> Any:
        return etree.SubElement(
            rdf, f"{{{_RDF_NS}}}Description", {f"{{{_RDF_NS}}}about": ""}, nsmap=namespaces
        )

    pdfaid = "http://www.aiim.org/pdfa/ns/id/"
    ident = description(pdfaid=pdfaid)
    etree.SubElement(ident, f"{{{pdfaid}}}part").text = "2"
    etree.SubElement(ident, f"{{{pdfaid}}}conformance").text = level
    if ua_part:
        uaid = "http://www.aiim.org/pdfua/ns/id/"
        etree.SubElement(description(pdfuaid=uaid), f"{{{uaid}}}part").text = ua_part
        rdf.append(etree.fromstring(_XMP_EXTENSION))
    pdf_ns, xmp_ns = "http://ns.adobe.com/pdf/1.3/", "http://ns.adobe.com/xap/1.0/"
    text = {key: str(info[key]) for key in info.keys()} if info is not None else {}
    if text.get("/Producer"):
        etree.SubElement(description(pdf=pdf_ns), f"{{{pdf_ns}}}Producer").text = text["/Producer"]
    if text.get("/Keywords"):
        etree.SubElement(description(pdf=pdf_ns), f"{{{pdf_ns}}}Keywords").text = text["/Keywords"]
    if text.get("/Creator"):
        etree.SubElement(description(xmp=xmp_ns), f"{{{xmp_ns}}}CreatorTool").text = text[
            "/Creator"
        ]
    for key, name in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
        if text.get(key):
            etree.SubElement(description(xmp=xmp_ns), f"{{{xmp_ns}}}{name}").text = _xmp_date(
                text[key]
            )
    for key, name, container in (
        ("/Title", "title", "Alt"),
        ("/Author", "creator", "Seq"),
        ("/Subject", "description", "Alt"),
    ):
        if text.get(key):
            element = etree.SubElement(description(dc=DC_NS), f"{{{DC_NS}}}{name}")
            items = etree.SubElement(element, f"{{{_RDF_NS}}}{container}")
            item = etree.SubElement(items, f"{{{_RDF_NS}}}li")
            if container == "Alt":
                item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
            item.text = text[key]
    meta = etree.Element("{adobe:ns:meta/}xmpmeta", nsmap={"x": "adobe:ns:meta/"})
    meta.append(rdf)
    body = etree.tostring(meta, encoding="utf-8")
    return (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        + body
        + b'\n<?xpacket end="w"?>'
    )


def _xmp_date(pdf_date: str) -> str:
    """A PDF date (D:20261207120000+01'00') as XMP's ISO 8601."""
    value = pdf_date[2:] if pdf_date.startswith("D:") else pdf_date
    digits = value[:14].ljust(14, "0")
    out = (
        f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:{digits[12:14]}"
    )
    zone = value[14:].replace("'", "")
    if zone.startswith(("+", "-")) and len(zone) >= 5:
        out += f"{zone[0:3]}:{zone[3:5]}"
    elif zone.startswith("Z"):
        out += "Z"
    return out


# -- the package ----------------------------------------------------------------------------------


@functools.cache
def _software_version() -> str:
    try:
        return metadata.version("samverkan")
    except metadata.PackageNotFoundError:
        return "0"


def _iso(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).isoformat(timespec="seconds")
    return moment.isoformat()


def _xml(element: Any) -> bytes:
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# Characters XML 1.0 cannot hold at all (control characters, lone surrogates): a name typed
# with one would otherwise stop the package; they carry no meaning and are left out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _sub(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(
        parent, tag, {k: xml_text(v) for k, v in attributes.items() if v != ""}
    )
    if text is not None:
        element.text = xml_text(text)
    return element


@dataclass
class _Representation:
    """One PDF/A file in the package, with where it came from."""

    number: int
    name: str  # file name
    content: bytes
    level: str  # PDF/A-2 conformance: "A" or "B"
    role: str  # "fastställd" (the adopted document) or "beslutad" (the file decided on)
    source: str  # what it was made from, in a sentence

    @property
    def path(self) -> str:
        return f"representations/rep{self.number}/data/{self.name}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def format(self) -> tuple[str, str]:
        return PDFA_FORMATS[self.level]


@dataclass
class _Facts:
    """What the metadata files say, gathered once."""

    package_id: str
    created: datetime.datetime
    version: IssuedDocument
    decision: DocumentDecision
    title: str
    partnership: str
    kommun: str
    kommun_code: str
    police_area: str
    issued_by: str
    decided_size: int  # the issued file's size (its SHA-256 is version.sha256)
    representations: list[_Representation]


def adopted_rendering(version: IssuedDocument, user: Any, *, store: bool = True) -> bytes | None:
    """The adopted document as a PDF marked "Fastställd", when the reader's build of the
    decided edition still holds what the decided version held (data._settle_decision);
    None once the content has changed (the decided file then stands alone).

    Laid out with WeasyPrint (seconds): called from the archive job and the command, never
    inside a request. A stored rendering of the same content for the same reader is used,
    and a new one is stored for the next download (documents/renderings.py).
    """
    from samverkan.documents import render, renderings

    doc = data.build(version.kind, version.partnership, version.edition, user)
    if doc.draft or not doc.decided.startswith("Fastställd"):
        return None
    if not store or user is None:
        return render.to_pdf(doc)
    slot = renderings.slot_for(version.partnership, version.kind, version.edition, "pdf", user)
    digest = renderings.content_digest(doc, "pdf")
    stored = renderings.find(slot, digest)
    if stored is not None:
        with stored.file.open("rb") as handle:
            content: bytes = handle.read()
        return content
    content = render.to_pdf(doc)
    renderings.store(
        slot,
        digest,
        content,
        services.file_name(version.partnership, version.kind, version.edition, "pdf"),
    )
    return content


def build_package(
    version: IssuedDocument,
    *,
    adopted: bytes | None = None,
    container: str = "zip",
    now: datetime.datetime | None = None,
    package_id: str | None = None,
) -> Package:
    """The archival package of the adopted ``version`` (NotArchivable otherwise). Who may
    have it is the caller's question: the same as who may download the version.

    ``adopted`` is the adopted document marked "Fastställd" (``adopted_rendering``): with
    it, representation 1 is that document and representation 2 the file the body decided
    on; without it, the decided file is representation 1.
    """
    if container not in ("zip", "tar"):
        raise ValueError(f"unknown container {container!r}; choose zip or tar")
    decision = adopting_decision(version)
    version = adopted_pdf(version)
    original = _stored_bytes(version)
    partnership = version.partnership
    created = now or timezone.now()
    package_id = package_id or f"uuid-{uuid.uuid4()}"
    name = services.file_name(partnership, version.kind, version.edition, "pdf", version.number)
    representations = []
    if adopted is not None:
        content, level = to_pdfa(adopted)
        representations.append(
            _Representation(
                1,
                name.removesuffix(".pdf") + "-faststalld.pdf",
                content,
                level,
                "fastställd",
                f"Version {version.number} med beslutet på försättsbladet, framställd "
                f"{_iso(created)} ur samma innehåll som den beslutade versionen.",
            )
        )
    content, level = to_pdfa(original)
    representations.append(
        _Representation(
            len(representations) + 1,
            name,
            content,
            level,
            "beslutad",
            f"Den utfärdade fil som beslutet gällde (version {version.number}, SHA-256 "
            f"{version.sha256}), oförändrad i sitt innehåll.",
        )
    )
    issuer = version.created_by
    facts = _Facts(
        package_id=package_id,
        created=created,
        version=version,
        decision=decision,
        title=f"{data.KINDS[version.kind]} – {partnership.name}",
        partnership=partnership.name,
        kommun=str(partnership.municipality),
        kommun_code=getattr(partnership.municipality, "code", "") or "",
        police_area=str(partnership.police_area),
        issued_by=(issuer.get_full_name() or issuer.get_username()) if issuer else "",
        decided_size=len(original),
        representations=representations,
    )
    files: dict[str, bytes] = {rep.path: rep.content for rep in representations}
    files["metadata/descriptive/dc.xml"] = _dublin_core(facts)
    files["metadata/descriptive/beslut.xml"] = _decision_record(facts)
    files["metadata/preservation/premis.xml"] = _premis(facts)
    files[DOCUMENTATION] = _documentation(facts)
    for schema in SCHEMAS:
        files[f"schemas/{schema}"] = (SCHEMA_DIR / schema).read_bytes()
    files["METS.xml"] = _mets(facts, files)
    return Package(
        package_id=package_id,
        filename=f"{package_id}.{container}",
        content=_container(package_id, files, created, container),
        container=container,
        pdf_sha256=representations[0].sha256,
        files={path: hashlib.sha256(body).hexdigest() for path, body in files.items()},
    )


def _container(
    package_id: str, files: dict[str, bytes], created: datetime.datetime, container: str
) -> bytes:
    out = io.BytesIO()
    local = timezone.localtime(created)
    if container == "zip":
        stamp = (local.year, local.month, local.day, local.hour, local.minute, local.second)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, body in files.items():
                info = zipfile.ZipInfo(f"{package_id}/{path}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, body)
    else:
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for path, body in files.items():
                member = tarfile.TarInfo(f"{package_id}/{path}")
                member.size = len(body)
                member.mtime = int(created.timestamp())
                member.mode = 0o644
                archive.addfile(member, io.BytesIO(body))
    return out.getvalue()


def _dublin_core(facts: _Facts) -> bytes:
    decision, version = facts.decision, facts.version
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS})

    def dc(name: str, text: str) -> None:
        if text:
            _sub(root, f"{{{DC_NS}}}{name}", text)

    dc("title", facts.title)
    dc("creator", facts.kommun)
    dc("contributor", facts.police_area)
    dc("publisher", facts.kommun)
    dc("subject", "Brottsförebyggande arbete")
    dc("description", _decision_sentence(decision))
    dc("date", decision.decided_on.isoformat())
    dc("type", "Text")
    dc("format", "application/pdf")
    dc("identifier", decision.reference)
    dc("identifier", facts.package_id)
    dc("language", "sv")
    dc(
        "relation",
        f"{facts.partnership}, version {version.number} ({version.get_edition_display()})",
    )
    return _xml(root)


def _decision_sentence(decision: DocumentDecision) -> str:
    reference = f", diarienummer {decision.reference}" if decision.reference else ""
    return f"Fastställd av {decision.body} den {decision.decided_on.isoformat()}{reference}."


def _decision_record(facts: _Facts) -> bytes:
    decision, version = facts.decision, facts.version
    root = etree.Element(f"{{{BESLUT_NS}}}arkivpaket", nsmap={None: BESLUT_NS})

    def put(name: str, text: str | None, parent: Any = None, **attributes: str) -> Any:
        return _sub(
            root if parent is None else parent, f"{{{BESLUT_NS}}}{name}", text, **attributes
        )

    put("titel", facts.title)
    put("dokument", data.KINDS[version.kind], kod=version.kind)
    put("samverkan", facts.partnership)
    put("kommun", facts.kommun, kommunkod=facts.kommun_code)
    put("lokalpolisomrade", facts.police_area)
    put("diarienummer", decision.reference)
    put("beslutandeOrgan", decision.body)
    put("beslutsdatum", decision.decided_on.isoformat())
    if decision.next_update_due:
        put("nastaUppdatering", decision.next_update_due.isoformat())
    put("version", str(version.number))
    put("utgava", str(version.get_edition_display()), kod=version.edition)
    put("utfardad", _iso(version.created_at))
    if facts.issued_by:
        put("utfardadAv", facts.issued_by)
    decided = put("beslutadFil", None, namn=(version.file.name or "").rsplit("/", 1)[-1])
    put("storlek", str(facts.decided_size), decided)
    put("kontrollsumma", version.sha256, decided, algoritm="SHA-256")
    for rep in facts.representations:
        archived = put("arkivfil", None, sokvag=rep.path, roll=rep.role)
        put("format", rep.format[0], archived)
        put("storlek", str(len(rep.content)), archived)
        put("kontrollsumma", rep.sha256, archived, algoritm="SHA-256")
        put("ursprung", rep.source, archived)
    return _xml(root)


def _premis(facts: _Facts) -> bytes:
    p = f"{{{PREMIS_NS}}}"
    root = etree.Element(
        f"{p}premis", {"version": "3.0"}, nsmap={"premis": PREMIS_NS, "xsi": XSI_NS}
    )
    decision, version = facts.decision, facts.version

    def identifier(parent: Any, kind: str, value: str, *, tag: str) -> None:
        element = _sub(parent, f"{p}{tag}Identifier")
        _sub(element, f"{p}{tag}IdentifierType", kind)
        _sub(element, f"{p}{tag}IdentifierValue", value)

    for rep in facts.representations:
        name, puid = rep.format
        obj = _sub(root, f"{p}object", **{f"{{{XSI_NS}}}type": "premis:file"})
        identifier(obj, "local", rep.path, tag="object")
        characteristics = _sub(obj, f"{p}objectCharacteristics")
        _sub(characteristics, f"{p}compositionLevel", "0")
        fixity = _sub(characteristics, f"{p}fixity")
        _sub(fixity, f"{p}messageDigestAlgorithm", "SHA-256")
        _sub(fixity, f"{p}messageDigest", rep.sha256)
        _sub(fixity, f"{p}messageDigestOriginator", SOFTWARE)
        _sub(characteristics, f"{p}size", str(len(rep.content)))
        fmt = _sub(characteristics, f"{p}format")
        designation = _sub(fmt, f"{p}formatDesignation")
        _sub(designation, f"{p}formatName", name)
        _sub(designation, f"{p}formatVersion", f"2{rep.level.lower()}")
        registry = _sub(fmt, f"{p}formatRegistry")
        _sub(registry, f"{p}formatRegistryName", "PRONOM")
        _sub(registry, f"{p}formatRegistryKey", puid)
        _sub(registry, f"{p}formatRegistryRole", "specification")
        _sub(obj, f"{p}originalName", rep.name)

    software = ("local", f"{SOFTWARE} {_software_version()}")
    kommun = ("local", facts.kommun)
    body = ("local", f"{decision.body}, {facts.kommun}")
    agents = [(software, "software"), (kommun, "organization"), (body, "organization")]
    issuer = ("local", facts.issued_by) if facts.issued_by else None
    if issuer:
        agents.append((issuer, "person"))
    source = ("local", f"samverkan:utfardat-dokument:{version.pk}")
    Link = tuple[tuple[str, str], str]
    events: list[tuple[str, str, str, list[Link], list[Link]]] = []
    created_links: list[Link] = [(software, "executing program")]
    if issuer:
        created_links.insert(0, (issuer, "implementer"))
    events.append(
        (
            "creation",
            _iso(version.created_at),
            f"Version {version.number} ({version.get_edition_display()}) utfärdad i "
            f"{SOFTWARE} som PDF; SHA-256 {version.sha256}, {facts.decided_size} byte.",
            created_links,
            [(source, "outcome")],
        )
    )
    events.append(
        (
            "decision",
            decision.decided_on.isoformat(),
            _decision_sentence(decision) + f" Beslutet gäller version {version.number}.",
            [(body, "authorizer")],
            [(source, "source")],
        )
    )
    for rep in facts.representations:
        target = ("local", rep.path)
        if rep.role == "fastställd":
            events.append(
                (
                    "creation",
                    _iso(facts.created),
                    rep.source,
                    [(software, "executing program")],
                    [(source, "source"), (target, "outcome")],
                )
            )
        events.append(
            (
                "normalization",
                _iso(facts.created),
                f"Filen identifierad som {rep.format[0]} (utskriftsavsikt sRGB, "
                "XMP-metadata); sidorna är oförändrade.",
                [(software, "executing program"), (kommun, "authorizer")],
                [(target, "outcome")],
            )
        )
        events.append(
            (
                "message digest calculation",
                _iso(facts.created),
                f"SHA-256 {rep.sha256}",
                [(software, "executing program")],
                [(target, "source")],
            )
        )
    events.append(
        (
            "information package creation",
            _iso(facts.created),
            f"Arkivpaket {facts.package_id} enligt E-ARK SIP 2.1 (FGS Paketstruktur 2.0).",
            [(software, "executing program"), (kommun, "authorizer")],
            [(("local", rep.path), "outcome") for rep in facts.representations],
        )
    )
    for number, (kind, when, detail, agent_links, object_links) in enumerate(events, 1):
        element = _sub(root, f"{p}event")
        identifier(element, "local", f"{facts.package_id}-event-{number}", tag="event")
        _sub(element, f"{p}eventType", kind)
        _sub(element, f"{p}eventDateTime", when)
        info = _sub(element, f"{p}eventDetailInformation")
        _sub(info, f"{p}eventDetail", detail)
        result = _sub(element, f"{p}eventOutcomeInformation")
        _sub(result, f"{p}eventOutcome", "success")
        for (id_type, value), role in agent_links:
            link = _sub(element, f"{p}linkingAgentIdentifier")
            _sub(link, f"{p}linkingAgentIdentifierType", id_type)
            _sub(link, f"{p}linkingAgentIdentifierValue", value)
            _sub(link, f"{p}linkingAgentRole", role)
        for (id_type, value), role in object_links:
            link = _sub(element, f"{p}linkingObjectIdentifier")
            _sub(link, f"{p}linkingObjectIdentifierType", id_type)
            _sub(link, f"{p}linkingObjectIdentifierValue", value)
            _sub(link, f"{p}linkingObjectRole", role)
    for (id_type, value), agent_type in agents:
        agent = _sub(root, f"{p}agent")
        identifier(agent, id_type, value, tag="agent")
        _sub(agent, f"{p}agentName", value)
        _sub(agent, f"{p}agentType", agent_type)
    return _xml(root)


def _documentation(facts: _Facts) -> bytes:
    """A short text in Swedish for whoever opens the package: what it holds and why."""
    decision, version = facts.decision, facts.version
    lines = [
        f"Arkivpaket {facts.package_id}",
        "",
        f"{facts.title}, version {version.number} ({version.get_edition_display()}).",
        _decision_sentence(decision),
        f"Kommun: {facts.kommun}. Lokalpolisområde: {facts.police_area}.",
        "",
        "Paketet följer FGS Paketstruktur 2.0 (E-ARK CSIP 2.1 och E-ARK SIP 2.1).",
        "METS.xml förtecknar varje fil med storlek och SHA-256-kontrollsumma.",
        "metadata/descriptive: Dublin Core (dc.xml) och beslutsuppgifterna (beslut.xml).",
        "metadata/preservation/premis.xml: filernas format och fixity, och händelserna.",
        "",
        "Dokumentet:",
    ]
    for rep in facts.representations:
        lines.append(f"- {rep.path} ({rep.format[0]}, PRONOM {rep.format[1]}): {rep.source}")
    lines += [
        "",
        f"Den beslutade filens kontrollsumma när den utfärdades (SHA-256): {version.sha256}",
        f"Paketet skapades {_iso(facts.created)} av {SOFTWARE} {_software_version()}.",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _mets(facts: _Facts, files: dict[str, bytes]) -> bytes:
    m = f"{{{METS_NS}}}"
    xlink = f"{{{XLINK_NS}}}"
    version = facts.version
    created = _iso(facts.created)
    root = etree.Element(
        f"{m}mets",
        {
            "OBJID": facts.package_id,
            "LABEL": xml_text(f"{facts.title}, version {version.number}"),
            "TYPE": CONTENT_CATEGORY,
            f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE": CONTENT_INFORMATION_TYPE,
            f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE": OTHER_CONTENT_INFORMATION_TYPE,
            "PROFILE": SIP_PROFILE,
            f"{{{XSI_NS}}}schemaLocation": (
                f"{METS_NS} schemas/mets.xsd {XLINK_NS} schemas/xlink.xsd"
            ),
        },
        nsmap={"mets": METS_NS, "csip": CSIP_NS, "sip": SIP_NS, "xlink": XLINK_NS, "xsi": XSI_NS},
    )
    header = _sub(
        root,
        f"{m}metsHdr",
        CREATEDATE=created,
        LASTMODDATE=created,
        RECORDSTATUS="NEW",
        **{f"{{{CSIP_NS}}}OAISPACKAGETYPE": "SIP"},
    )
    archivist = _sub(header, f"{m}agent", ROLE="ARCHIVIST", TYPE="ORGANIZATION")
    _sub(archivist, f"{m}name", facts.kommun)
    if facts.kommun_code:
        _sub(
            archivist,
            f"{m}note",
            facts.kommun_code,
            **{f"{{{CSIP_NS}}}NOTETYPE": "IDENTIFICATIONCODE"},
        )
    submitter = _sub(header, f"{m}agent", ROLE="CREATOR", TYPE="ORGANIZATION")
    _sub(submitter, f"{m}name", facts.kommun)
    software = _sub(header, f"{m}agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _sub(software, f"{m}name", SOFTWARE)
    _sub(
        software,
        f"{m}note",
        _software_version(),
        **{f"{{{CSIP_NS}}}NOTETYPE": "SOFTWARE VERSION"},
    )

    def checks(body: bytes) -> dict[str, str]:
        return {
            "SIZE": str(len(body)),
            "CREATED": created,
            "CHECKSUM": hashlib.sha256(body).hexdigest(),
            "CHECKSUMTYPE": "SHA-256",
        }

    def locate(parent: Any, path: str) -> None:
        attributes = {"LOCTYPE": "URL", f"{xlink}type": "simple", f"{xlink}href": path}
        _sub(parent, f"{m}FLocat", **attributes)

    def reference(parent: Any, path: str, **mdtype: str) -> None:
        _sub(
            parent,
            f"{m}mdRef",
            **{
                "LOCTYPE": "URL",
                f"{xlink}type": "simple",
                f"{xlink}href": path,
                **mdtype,
                "MIMETYPE": "text/xml",
                **checks(files[path]),
            },
        )

    dmd_dc = _sub(root, f"{m}dmdSec", ID="dmd-dc", CREATED=created, STATUS="CURRENT")
    reference(dmd_dc, "metadata/descriptive/dc.xml", MDTYPE="DC")
    dmd_decision = _sub(root, f"{m}dmdSec", ID="dmd-beslut", CREATED=created, STATUS="CURRENT")
    reference(
        dmd_decision,
        "metadata/descriptive/beslut.xml",
        MDTYPE="OTHER",
        OTHERMDTYPE="SAMVERKAN-BESLUT",
    )
    amd = _sub(root, f"{m}amdSec")
    digiprov = _sub(amd, f"{m}digiprovMD", ID="digiprov-premis", CREATED=created, STATUS="CURRENT")
    reference(digiprov, "metadata/preservation/premis.xml", MDTYPE="PREMIS")

    file_sec = _sub(root, f"{m}fileSec", ID="filesec")
    documentation = _sub(file_sec, f"{m}fileGrp", ID="filegrp-documentation", USE="Documentation")
    entry = _sub(
        documentation,
        f"{m}file",
        ID="file-documentation-1",
        MIMETYPE="text/plain",
        **checks(files[DOCUMENTATION]),
    )
    locate(entry, DOCUMENTATION)
    schemas = _sub(file_sec, f"{m}fileGrp", ID="filegrp-schemas", USE="Schemas")
    for number, schema in enumerate(SCHEMAS, 1):
        path = f"schemas/{schema}"
        entry = _sub(
            schemas,
            f"{m}file",
            ID=f"file-schema-{number}",
            MIMETYPE="text/xml",
            **checks(files[path]),
        )
        locate(entry, path)
    for rep in facts.representations:
        group = _sub(
            file_sec,
            f"{m}fileGrp",
            **{
                "ID": f"filegrp-rep{rep.number}",
                "USE": f"Representations/rep{rep.number}",
                f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE": CONTENT_INFORMATION_TYPE,
                f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE": OTHER_CONTENT_INFORMATION_TYPE,
            },
        )
        name, puid = rep.format
        entry = _sub(
            group,
            f"{m}file",
            **{
                "ID": f"file-rep{rep.number}-1",
                "MIMETYPE": "application/pdf",
                **checks(files[rep.path]),
                "ADMID": "digiprov-premis",
                f"{{{SIP_NS}}}FILEFORMATNAME": name,
                f"{{{SIP_NS}}}FILEFORMATVERSION": f"2{rep.level.lower()}",
                f"{{{SIP_NS}}}FORMATREGISTRY": "PRONOM",
                f"{{{SIP_NS}}}FORMATREGISTRYKEY": puid,
            },
        )
        locate(entry, rep.path)

    struct_map = _sub(root, f"{m}structMap", ID="structmap-csip", TYPE="PHYSICAL", LABEL="CSIP")
    package = _sub(struct_map, f"{m}div", ID="div-package", LABEL=facts.package_id)
    _sub(
        package,
        f"{m}div",
        ID="div-metadata",
        LABEL="Metadata",
        DMDID="dmd-dc dmd-beslut",
        ADMID="digiprov-premis",
    )
    documentation_div = _sub(package, f"{m}div", ID="div-documentation", LABEL="Documentation")
    _sub(documentation_div, f"{m}fptr", FILEID="filegrp-documentation")
    schemas_div = _sub(package, f"{m}div", ID="div-schemas", LABEL="Schemas")
    _sub(schemas_div, f"{m}fptr", FILEID="filegrp-schemas")
    # Without representation METS files the content division is one "Representations"
    # division pointing at each representation's file group (CSIP 2.1, CSIP101-104).
    content = _sub(package, f"{m}div", ID="div-representations", LABEL="Representations")
    for rep in facts.representations:
        _sub(content, f"{m}fptr", FILEID=f"filegrp-rep{rep.number}")
    return _xml(root)
