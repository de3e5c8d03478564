"""The pre-publication check: real PDF, DOCX and ODT files are built here, read back, and searched
for the identifiers recorded on a review."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import docx
import pytest
from docx.oxml.parser import parse_xml
from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from hypothesis import given, settings
from hypothesis import strategies as st
from odf.dc import Title
from odf.opendocument import OpenDocumentText
from odf.style import Header, MasterPage, PageLayout
from odf.text import Note, NoteBody, NoteCitation, P, S, Span
from PIL import Image

from casework.core.errors import DomainError
from casework.reviews.publication.anonymisation.extraction import extract_text
from casework.reviews.publication.anonymisation.identifiers import identifiers_from
from casework.reviews.publication.anonymisation.results import (
    ExtractedText,
    ExtractionError,
    Identifier,
    IdentifierMatch,
    TextPart,
)
from casework.reviews.publication.anonymisation.search import check_text, find_identifiers
from tests.support.files import make_docx, make_odt, make_pdf, saved

CLEAN = (
    "Child Q lived with their mother and two siblings. Agencies had been in contact with the family "
    "for eighteen months before the incident, and the health visitor recorded concerns about home "
    "conditions on three occasions."
)
ADDRESS = "12 Acacia Avenue\nSpringfield\nAB1 2CD"
CURLY = "\u2019"  # right single quotation mark, the apostrophe word processors type
EN_DASH = "\u2013"


@dataclass
class Person:
    full_name: str
    other_names: str = ""
    date_of_birth: date | None = None
    kind: str = "child"
    position: int = 1


CHILD = Person("Jamie Lee Smith-Jones", "known as JJ", date(2025, 9, 1))
MOTHER = Person("Zoë Smith", date_of_birth=date(1998, 3, 14), kind="parent_carer")


@pytest.fixture(scope="module")
def identifiers() -> list[Identifier]:
    return identifiers_from([CHILD, MOTHER], ADDRESS)


def text(*parts: str) -> ExtractedText:
    return ExtractedText([TextPart(f"paragraph {n}", part) for n, part in enumerate(parts, start=1)], True)


def terms(findings: list[IdentifierMatch]) -> list[str]:
    return [finding.term for finding in findings]


def search(value: str, kind: str, *parts: str) -> list[str]:
    return terms(find_identifiers(text(*parts), [Identifier(kind, value, "test")]))


def found_in(data: bytes, kind: str, identifiers: list[Identifier]) -> list[IdentifierMatch]:
    """The identifiers found in a file of ``kind`` whose text could be read."""
    extracted = extract_text(data, kind)
    assert extracted.extractable
    return find_identifiers(extracted, identifiers)


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_identifiers_planted_on_page_2_of_3_are_found_there(identifiers: list[Identifier]) -> None:
    planted = (
        "The practitioners knew Jamie well. JAMIE'S mother, Zoe Smith, moved the family to "
        "12 Acacia Avenue in the spring. Jamie was born on 01/09/2025."
    )
    extracted = extract_text(make_pdf([CLEAN, planted, CLEAN]), "pdf")

    assert extracted.extractable
    assert extracted.unchecked_pages == []
    assert [part.location for part in extracted.parts] == ["page 1", "page 2", "page 3"]
    findings = find_identifiers(extracted, identifiers)
    assert {finding.location for finding in findings} == {"page 2"}
    assert terms(findings) == ["Jamie", "JAMIE", "Zoe Smith", "12 Acacia Avenue", "Jamie", "01/09/2025"]
    assert [finding.kind for finding in findings] == ["name"] * 3 + ["address", "name", "date_of_birth"]
    assert findings[2].label == "Parent or carer 1: full name"
    assert findings[-1].label == "Child 1: date of birth"


def test_a_clean_pdf_passes(identifiers: list[Identifier]) -> None:
    extracted = extract_text(make_pdf([CLEAN, CLEAN, CLEAN], title="Learning review: Child Q"), "pdf")

    assert extracted.extractable
    assert find_identifiers(extracted, identifiers) == []


@pytest.mark.parametrize("page", ["<image>", "<rectangle>"])
def test_a_pdf_with_no_text_is_not_extractable(page: str) -> None:
    extracted = extract_text(make_pdf([page, page]), "pdf")

    assert not extracted.extractable
    assert extracted.unchecked_pages == (["page 1", "page 2"] if page == "<image>" else [])


def test_a_scanned_page_among_text_pages_is_named_as_unchecked() -> None:
    extracted = extract_text(make_pdf([CLEAN, "<image>", CLEAN]), "pdf")

    assert extracted.extractable
    assert extracted.unchecked_pages == ["page 2"]


def test_the_pdf_title_is_searched_too(identifiers: list[Identifier]) -> None:
    extracted = extract_text(make_pdf([CLEAN], title="Review of Jamie Lee Smith-Jones"), "pdf")

    [finding] = find_identifiers(extracted, identifiers)
    assert (finding.location, finding.term) == ("document properties", "Jamie Lee Smith-Jones")


def test_pdf_comments_are_searched_but_do_not_count_as_page_text(identifiers: list[Identifier]) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.image(Image.new("RGB", (40, 30), "grey"), x=20, y=40, w=120)
    pdf.text_annotation(20, 20, "Check this page with Jamie's social worker before it goes out")
    extracted = extract_text(bytes(pdf.output()), "pdf")

    assert not extracted.extractable
    assert extracted.unchecked_pages == ["page 1"]
    [finding] = find_identifiers(extracted, identifiers)
    assert (finding.location, finding.term) == ("page 1", "Jamie")


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_name_in_a_paragraph_and_date_of_birth_in_a_table(identifiers: list[Identifier]) -> None:
    data = make_docx(
        [CLEAN, "The school nurse saw Jamie twice.", CLEAN],
        [["Date", "Event"], ["1 September 2025", "Birth registered"]],
    )
    findings = found_in(data, "docx", identifiers)
    assert [(f.location, f.kind, f.term) for f in findings] == [
        ("paragraph 2", "name", "Jamie"),
        ("table 1", "date_of_birth", "1 September 2025"),
    ]
    assert findings[0].context == "The school nurse saw Jamie twice."


def test_a_clean_docx_passes(identifiers: list[Identifier]) -> None:
    data = make_docx(
        [CLEAN, CLEAN], [["Date", "Event"], ["3 March 2026", "Strategy meeting"]], header="Child Q"
    )

    assert find_identifiers(extract_text(data, "docx"), identifiers) == []


def test_docx_headers_properties_and_words_split_across_runs_are_searched(
    identifiers: list[Identifier],
) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Seen by ")
    paragraph.add_run("Ja").bold = True
    paragraph.add_run("mie")
    paragraph.add_run(" at school. " + CLEAN)
    document.sections[0].header.paragraphs[0].text = "Review of the death of Jamie Smith-Jones"
    document.core_properties.title = "Acacia Avenue review"
    data = saved(document)

    findings = find_identifiers(extract_text(data, "docx"), identifiers)

    assert [(f.location, f.term) for f in findings] == [
        ("paragraph 1", "Jamie"),
        ("header", "Jamie"),
        ("header", "Smith-Jones"),
        ("document properties", "Acacia Avenue"),
    ]


WORD_XML = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


def test_docx_tracked_deletions_text_boxes_and_content_controls_are_searched(
    identifiers: list[Identifier],
) -> None:
    document = docx.Document()
    document.add_paragraph(CLEAN)
    body = document.element.body
    text_box = (
        "<w:p {ns}><w:r><w:t>Box:</w:t></w:r><w:r><mc:AlternateContent>"
        "<mc:Choice><w:txbxContent><w:p><w:r><w:t>Zoë</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Smith</w:t></w:r></w:p></w:txbxContent></mc:Choice>"
        "<mc:Fallback><w:txbxContent><w:p><w:r><w:t>Zoë Smith</w:t></w:r></w:p></w:txbxContent></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    deletion = (
        "<w:p {ns}><w:r><w:t>Seen by </w:t></w:r><w:del><w:r><w:delText>Jamie</w:delText></w:r></w:del></w:p>"
    )
    control = (
        "<w:sdt {ns}><w:sdtContent><w:p><w:r><w:t>Born 01.09.2025</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    for xml in (text_box, deletion, control):
        body.insert(len(body) - 1, parse_xml(xml.format(ns=WORD_XML)))  # before the section properties
    data = saved(document)

    findings = find_identifiers(extract_text(data, "docx"), identifiers)

    assert [(f.location, f.term) for f in findings] == [
        ("paragraph 2", "Zoë Smith"),  # the text box once, not again from its fallback copy
        ("paragraph 3", "Jamie"),
        ("paragraph 4", "01.09.2025"),
    ]


def test_a_docx_with_no_text_is_not_extractable() -> None:
    extracted = extract_text(make_docx([], []), "docx")

    assert not extracted.extractable
    assert [part.location for part in extracted.parts] == ["document properties"]  # "python-docx"


# --- ODT ------------------------------------------------------------------------------------


def test_odt_paragraphs_headings_and_tables_are_searched(identifiers: list[Identifier]) -> None:
    data = make_odt(
        "Learning from the death of Jamie Smith-Jones",
        [CLEAN, "Ms Smith registered the birth."],
        ["14/03/1998", "Mother's date of birth"],
    )
    findings = found_in(data, "odt", identifiers)
    assert [(f.location, f.kind, f.term) for f in findings] == [
        ("paragraph 1", "name", "Jamie"),
        ("paragraph 1", "name", "Smith-Jones"),
        ("paragraph 3", "name", "Smith"),
        ("paragraph 4", "date_of_birth", "14/03/1998"),
    ]
    assert findings[3].label == "Parent or carer 1: date of birth"


def test_odt_spaces_and_spans_do_not_hide_a_name(identifiers: list[Identifier]) -> None:
    document = OpenDocumentText()
    paragraph = P(text="Agencies knew")
    paragraph.addElement(S(c=3))
    paragraph.addElement(Span(text="Zoë"))
    paragraph.addElement(S())
    paragraph.addElement(Span(text="Smith"))
    paragraph.addText(". " + CLEAN)
    document.text.addElement(paragraph)
    data = saved(document)

    [finding] = find_identifiers(extract_text(data, "odt"), identifiers)
    assert (finding.location, finding.term) == ("paragraph 1", "Zoë Smith")


def test_odt_footnotes_headers_and_title_are_searched(identifiers: list[Identifier]) -> None:
    document = OpenDocumentText()
    layout = PageLayout(name="pm1")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    header = Header()
    header.addElement(P(text="Review concerning JJ"))
    master.addElement(header)
    document.masterstyles.addElement(master)
    paragraph = P(text=CLEAN)
    note = Note(id="ftn1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    note_body = NoteBody()
    note_body.addElement(P(text="Zoë said so."))
    note.addElement(note_body)
    paragraph.addElement(note)
    paragraph.addText(" More text.")
    document.text.addElement(paragraph)
    document.meta.addElement(Title(text="Smith-Jones review"))
    data = saved(document)

    extracted = extract_text(data, "odt")

    assert " ".join(extracted.parts[0].text.split()).endswith("on three occasions. More text.")
    findings = find_identifiers(extracted, identifiers)
    assert [(f.location, f.term) for f in findings] == [
        ("paragraph 2", "Zoë"),
        ("header or footer", "JJ"),
        ("document properties", "Smith-Jones"),
    ]


def test_a_clean_odt_passes(identifiers: list[Identifier]) -> None:
    data = make_odt("Learning review: Child Q", [CLEAN, CLEAN], ["3 March 2026", "Strategy meeting"])

    assert find_identifiers(extract_text(data, "odt"), identifiers) == []


# --- files that cannot be read -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "docx", "odt"])
def test_a_corrupt_file_raises_extraction_error(kind: str) -> None:
    with pytest.raises(ExtractionError, match="could not be read") as raised:
        extract_text(b"%PDF-1.7\nthis is not really a document\x00\xff" * 20, kind)
    assert isinstance(raised.value, DomainError)


@pytest.mark.parametrize(
    ("kind", "build"),
    [
        ("pdf", lambda: make_pdf([CLEAN])[:300]),
        ("docx", lambda: make_docx([CLEAN], [])[:2000]),
        ("odt", lambda: make_odt("Review", [CLEAN])[:1000]),
        ("docx", lambda: make_odt("Review", [CLEAN])),  # the wrong kind of file
        ("odt", lambda: make_docx([CLEAN], [])),
    ],
)
def test_a_truncated_or_mislabelled_file_raises_extraction_error(kind: str, build) -> None:
    with pytest.raises(ExtractionError):
        extract_text(build(), kind)


def test_a_pdf_locked_with_a_password_raises_extraction_error_but_permissions_alone_do_not() -> None:
    def encrypted(user_password: str) -> bytes:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, CLEAN)
        pdf.set_encryption("owner", user_password=user_password, encryption_method=EncryptionMethod.RC4)
        return bytes(pdf.output())

    with pytest.raises(ExtractionError, match="password"):
        extract_text(encrypted("secret"), "pdf")
    [part] = extract_text(encrypted(""), "pdf").parts
    assert " ".join(part.text.split()) == CLEAN


def test_an_empty_file_or_unsupported_kind_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="empty"):
        extract_text(b"", "pdf")
    with pytest.raises(ExtractionError, match="Only PDF"):
        extract_text(b"a,b\n1,2\n", "csv")


# --- identifiers from the record ----------------------------------------------------------


def test_identifiers_from_the_people_and_address() -> None:
    found = {(i.kind, i.value): i.label for i in identifiers_from([CHILD, MOTHER], ADDRESS)}

    assert found == {
        ("name", "Jamie Lee Smith-Jones"): "Child 1: full name",
        ("name", "Jamie"): "Child 1: first name",
        ("name", "Lee"): "Child 1: middle name",
        ("name", "Smith-Jones"): "Child 1: surname",
        ("name", "Smith"): "Child 1, Parent or carer 1: surname",
        ("name", "Jones"): "Child 1: surname",
        ("name", "JJ"): "Child 1: other name",
        ("date_of_birth", "2025-09-01"): "Child 1: date of birth",
        ("name", "Zoë Smith"): "Parent or carer 1: full name",
        ("name", "Zoë"): "Parent or carer 1: first name",
        ("date_of_birth", "1998-03-14"): "Parent or carer 1: date of birth",
        ("address", "12 Acacia Avenue"): "Address: first line",
        ("address", "Acacia Avenue"): "Address: street",
        ("address", "AB1 2CD"): "Address: postcode",
        ("address", "12 Acacia Avenue, Springfield, AB1 2CD"): "Address",
    }


def test_short_name_parts_are_searched_only_within_the_full_name() -> None:
    values = [i.value for i in identifiers_from([Person("Jo Ng", "Bo")], "")]

    assert values == ["Jo Ng", "Bo"]  # neither "Jo" nor "Ng" alone; "Bo" is a whole other name
    baby = [i.value for i in identifiers_from([Person("Baby Smith")], "")]
    assert baby == ["Baby Smith", "Smith"]  # "baby" alone would be found all through the report


def test_people_without_kind_other_names_or_dates_and_no_address() -> None:
    @dataclass
    class Details:
        full_name: str
        other_names: str = ""
        date_of_birth: date | None = None

    found = identifiers_from([Details("Amy Brown"), Details("Kai Brown", "formerly Kai Green")], "  ")

    assert [(i.value, i.label) for i in found] == [
        ("Amy Brown", "Person 1: full name"),
        ("Amy", "Person 1: first name"),
        ("Brown", "Person 1, Person 2: surname"),
        ("Kai Brown", "Person 2: full name"),
        ("Kai", "Person 2: first name; Person 2: other name"),
        ("Kai Green", "Person 2: other name"),
        ("Green", "Person 2: other name"),
    ]


def test_labels_of_a_shared_identifier_are_joined_and_kept_short() -> None:
    children = [Person(f"Amy{'a' * n} Smith", "Smith", date(2020, 1, 1), position=n) for n in range(1, 5)]
    carers = [Person(f"Sam{'m' * n} Smith", kind="parent_carer", position=n) for n in range(1, 5)]
    found = {i.value: i.label for i in identifiers_from([*children, *carers], "")}

    assert found["Smith"] == (
        "Child 1, Child 2, Child 3, Child 4, Parent or carer 1, Parent or carer 2, Parent or carer 3, "
        "Parent or carer 4: surname; Child 1, Child 2, Child 3, Child 4: other name"
    )
    assert found["2020-01-01"] == "Child 1, Child 2, Child 3, Child 4: date of birth"
    many = identifiers_from([Person("Amy Smith", position=n) for n in range(100)], "")
    assert max(len(i.label) for i in many) == 200


def test_a_flat_and_a_one_line_address() -> None:
    found = {i.label: i.value for i in identifiers_from([], "Flat 3, 12 Rose Court, Leeds ls1 4ap")}

    assert found == {
        "Address: first line": "Flat 3, 12 Rose Court",
        "Address: street": "Rose Court",
        "Address: postcode": "LS1 4AP",
        "Address": "Flat 3, 12 Rose Court, Leeds LS1 4AP",
    }


# --- names ----------------------------------------------------------------------------------


def test_names_match_whole_words_only() -> None:
    assert search("Jo", "name", "Joanne took a job with JoJo and Jones; Jo. Majo") == ["Jo"]
    assert search("Ann", "name", "Anne, Annabel, Joanne, Hannah and Ann") == ["Ann"]
    assert search("Lee", "name", "Leeds, fleet, Lees, sleep") == []


def test_names_match_in_any_case() -> None:
    assert search("Jamie Smith", "name", "JAMIE SMITH, jamie smith and Jamie sMITH") == [
        "JAMIE SMITH",
        "jamie smith",
        "Jamie sMITH",
    ]


def test_possessives_and_curly_apostrophes() -> None:
    assert search("Jamie", "name", f"Jamie's school; Jamie{CURLY}s GP; JAMIE'S nursery") == [
        "Jamie",
        "Jamie",
        "JAMIE",
    ]
    assert search("Jones", "name", "the Joneses; the Jones' home") == ["Jones"]
    assert search("O'Brien", "name", f"Ms O{CURLY}Brien and Ms O'BRIEN, not Brien") == [
        f"O{CURLY}Brien",
        "O'BRIEN",
    ]


def test_hyphenated_names() -> None:
    found = search(
        "Smith-Jones", "name", f"Smith-Jones; SMITH{EN_DASH}JONES; Smith - Jones; Smith\nJones; Smithjones"
    )

    assert found == ["Smith-Jones", f"SMITH{EN_DASH}JONES", "Smith - Jones", "Smith Jones", "Smithjones"]
    assert search("Mary-Ann", "name", "Mary Ann, MaryAnn, MARYANN's and Mary-Anne") == [
        "Mary Ann",
        "MaryAnn",
        "MARYANN",
    ]


def test_accents_ligatures_and_invisible_characters_do_not_hide_a_name() -> None:
    assert search("Zoë", "name", "Zoe, ZOË and Zoë") == ["Zoe", "ZOË", "Zoë"]
    assert search("Zoe", "name", "Zoë") == ["Zoë"]
    assert search("Griffin", "name", "Mr Gri\ufb03n and Grif\u00adfin") == ["Gri\ufb03n", "Grif\u00adfin"]


def test_a_full_name_and_its_parts_give_one_finding_per_occurrence(identifiers: list[Identifier]) -> None:
    findings = find_identifiers(text("Zoë Smith called. Later Zoë Smith and Smith-Jones left."), identifiers)

    assert terms(findings) == ["Zoë Smith", "Zoë Smith", "Smith-Jones"]
    assert [f.label for f in findings] == [
        "Parent or carer 1: full name",
        "Parent or carer 1: full name",
        "Child 1: surname",
    ]


def test_findings_are_in_document_order_across_parts(identifiers: list[Identifier]) -> None:
    findings = find_identifiers(text("JJ and Lee", "AB1 2CD", "Jamie"), identifiers)

    assert [(f.location, f.term) for f in findings] == [
        ("paragraph 1", "JJ"),
        ("paragraph 1", "Lee"),
        ("paragraph 2", "AB1 2CD"),
        ("paragraph 3", "Jamie"),
    ]


def test_context_is_about_forty_characters_either_side_cut_at_words_whitespace_collapsed() -> None:
    before = "The health visitor recorded,\n\nafter   a home visit in May, that "
    after = " had   missed\ttwo appointments at the clinic and one at the GP surgery."
    [finding] = find_identifiers(text(before + "Jamie" + after), [Identifier("name", "Jamie", "x")])

    assert finding.context == "…after a home visit in May, that Jamie had missed two appointments at the…"
    [short] = find_identifiers(text("Seen:\n  Jamie "), [Identifier("name", "Jamie", "x")])
    assert short.context == "Seen: Jamie"


# --- dates of birth -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "1 September 2025",
        "1 Sep 2025",
        "1 Sept. 2025",
        "01 September 2025",
        "01/09/2025",
        "1/9/2025",
        "01-09-2025",
        "1.9.2025",
        "01/09/25",
        "2025-09-01",
        "2025/9/1",
        "1st September 2025",
        "1st of September, 2025",
        "1ST SEPTEMBER 2025",
        "September 1, 2025",
        "Sep 1st 2025",
        "01-Sep-2025",
        "1 September\n2025",
    ],
)
def test_every_common_date_format_is_found(written: str) -> None:
    assert search("2025-09-01", "date_of_birth", f"The child was born on {written}, at home.") == [
        " ".join(written.split())
    ]


@pytest.mark.parametrize(
    "written",
    [
        "11/09/2025",
        "21 September 2025",
        "01/09/2024",
        "1 September 2024",
        "10/09/2025",
        "01/10/2025",
        "09/01/2025",
        "2025-09-011",
        "1 October 2025",
        "1 September",
        "01/09/20251",
    ],
)
def test_other_dates_are_not_found(written: str) -> None:
    assert search("2025-09-01", "date_of_birth", f"Seen on {written} by the GP.") == []


def test_two_digit_days_and_months() -> None:
    assert search("1998-12-25", "date_of_birth", "25/12/1998, 25th Dec 1998, December 25, 1998") == [
        "25/12/1998",
        "25th Dec 1998",
        "December 25, 1998",
    ]


# --- the address ----------------------------------------------------------------------------


def test_postcode_with_odd_spacing_and_case(identifiers: list[Identifier]) -> None:
    findings = find_identifiers(text("AB1 2CD; ab12cd; AB1   2CD; Ab1\n2cD; XAB1 2CD; AB1 2CDE"), identifiers)

    assert terms(findings) == ["AB1 2CD", "ab12cd", "AB1 2CD", "Ab1 2cD"]
    assert {f.label for f in findings} == {"Address: postcode"}


def test_first_line_of_the_address_in_any_case_and_spacing(identifiers: list[Identifier]) -> None:
    findings = find_identifiers(
        text("12 acacia avenue; 12,  Acacia\nAvenue; 12 Acacia Ave.; 112 Acacia Avenue"), identifiers
    )

    assert [(f.term, f.label) for f in findings] == [
        ("12 acacia avenue", "Address: first line"),
        ("12, Acacia Avenue", "Address: first line"),
        ("12 Acacia Ave.", "Address: first line"),
        ("Acacia Avenue", "Address: street"),
    ]


def test_the_whole_address_is_one_finding(identifiers: list[Identifier]) -> None:
    [finding] = find_identifiers(text("They lived at 12 Acacia Avenue, Springfield, AB1 2CD."), identifiers)

    assert (finding.term, finding.label) == ("12 Acacia Avenue, Springfield, AB1 2CD", "Address")


# --- every place a file keeps words, planted and clean ----------------------------------------

PLANTED = {  # a different identifier in each place, so each finding says where it came from
    "hyphenated": "The family were seen by Smith-\nJones and by Smi-\nth.",
    "split": "Later the mother, Zoë\nSmith, moved.",
    "image": "Photo of Jamie at the park",
    "image_title": "JJ on holiday",
    "box": "Zoe Smith was in a text box",
    "comment": "Check with Jamie's social worker",
    "header": "Jamie Lee Smith-Jones: confidential",
    "first_header": "Review of JAMIE SMITH-JONES",
    "even_footer": "Smith family",
    "section_2_header": "Zoë",
    "footnote": "Jamie said so.",
    "endnote": "Reported by Zoe.",
}
CLEAN_WORDS = {  # the twin: the same places, nothing identifying
    "hyphenated": "The family were seen by the health visi-\ntor and by the GP.",
    "split": "Later the mother of\nChild Q moved.",
    "image": "Photo of a park",
    "image_title": "A holiday",
    "box": "Child Q was in a text box",
    "comment": "Check with the social worker",
    "header": "Learning review: confidential",
    "first_header": "Review of Child Q",
    "even_footer": "Northshire partnership",
    "section_2_header": "Appendix",
    "footnote": "The mother said so.",
    "endnote": "Reported by the police.",
}
DOCX_PLACES = {
    "hyphenated": "paragraph 1",
    "split": "paragraph 2",
    "image": "paragraph 3, image descriptions",
    "image_title": "paragraph 3, image descriptions",
    "box": "paragraph 4",
    "comment": "comments",
    "header": "header, section 1",
    "first_header": "header, section 1 (first page)",
    "even_footer": "footer, section 1 (even pages)",
    "section_2_header": "header, section 2",
    "footnote": "footnotes",
    "endnote": "endnotes",
}
WORD_NAMESPACE = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _lines(paragraph, text: str) -> None:  # type: ignore[no-untyped-def]
    """Text with line breaks inside one paragraph, as Word keeps them (w:br)."""
    first, *rest = text.split("\n")
    run = paragraph.add_run(first)
    for line in rest:
        run.add_break()
        run = paragraph.add_run(line)


def _docx_notes(kind: str, text: str) -> bytes:
    tag = kind[:-1]
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind} {WORD_NAMESPACE}>'
        f'<w:{tag} w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{tag}></w:{kind}>'
    ).encode()


def make_docx_everywhere(words: dict[str, str]) -> bytes:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document()
    _lines(document.add_paragraph(), words["hyphenated"])
    _lines(document.add_paragraph(), words["split"])
    picture = io.BytesIO()
    Image.new("RGB", (10, 10), "grey").save(picture, "PNG")
    document.add_picture(picture)
    [described] = document.paragraphs[-1]._p.xpath(".//wp:docPr")
    described.set("descr", words["image"])
    described.set("title", words["image_title"])
    box = document.add_paragraph()
    box._p.append(
        parse_xml(
            f"<w:r {WORD_NAMESPACE}><w:pict><w:txbxContent><w:p><w:r><w:t>{words['box']}</w:t></w:r></w:p>"
            "</w:txbxContent></w:pict></w:r>"
        )
    )
    document.add_paragraph(CLEAN)
    document.add_comment(document.paragraphs[-1].runs, text=words["comment"], author="Reviewer")
    document.settings.odd_and_even_pages_header_footer = True
    first = document.sections[0]
    first.different_first_page_header_footer = True
    first.header.paragraphs[0].text = words["header"]
    first.first_page_header.paragraphs[0].text = words["first_header"]
    first.even_page_footer.paragraphs[0].text = words["even_footer"]
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = words["section_2_header"]
    document.add_paragraph(CLEAN)
    for kind, relationship in (
        ("footnotes", RELATIONSHIP_TYPE.FOOTNOTES),
        ("endnotes", RELATIONSHIP_TYPE.ENDNOTES),
    ):
        content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
        text = words["footnote" if kind == "footnotes" else "endnote"]
        part = Part(
            PackURI(f"/word/{kind}.xml"), content_type, _docx_notes(kind, text), document.part.package
        )
        document.part.relate_to(part, relationship)
    return saved(document)


def test_the_clean_docx_twin_passes(identifiers: list[Identifier]) -> None:
    extracted = extract_text(make_docx_everywhere(CLEAN_WORDS), "docx")

    assert extracted.extractable
    assert check_text(extracted, identifiers) == []
    assert any("health visi-\ntor" in part.text for part in extracted.parts)  # read, and not a name


def make_odt_everywhere(words: dict[str, str]) -> bytes:
    from odf.draw import Frame, TextBox
    from odf.draw import Image as DrawImage
    from odf.office import Annotation
    from odf.style import Footer, FooterLeft, HeaderLeft
    from odf.svg import Desc
    from odf.svg import Title as SvgTitle
    from odf.text import LineBreak

    document = OpenDocumentText()
    layout = PageLayout(name="pm1")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    for element_class, text in (
        (Header, words["header"]),
        (HeaderLeft, words["first_header"]),
        (Footer, "Page"),
        (FooterLeft, words["even_footer"]),
    ):
        element = element_class()
        element.addElement(P(text=text))
        master.addElement(element)
    document.masterstyles.addElement(master)
    for text in (words["hyphenated"], words["split"]):
        paragraph = P()
        first, *rest = text.split("\n")
        paragraph.addText(first)
        for line in rest:
            paragraph.addElement(LineBreak())
            paragraph.addText(line)
        document.text.addElement(paragraph)
    picture = P(text="Picture: ")
    frame = Frame(width="2cm", height="2cm", anchortype="as-char")
    frame.addElement(DrawImage(href="Pictures/none.png"))
    frame.addElement(SvgTitle(text=words["image_title"]))
    frame.addElement(Desc(text=words["image"]))
    picture.addElement(frame)
    document.text.addElement(picture)
    holder = P(text="Box: ")
    box_frame = Frame(width="5cm", height="2cm", anchortype="paragraph")
    box = TextBox()
    box.addElement(P(text=words["box"]))
    box_frame.addElement(box)
    holder.addElement(box_frame)
    document.text.addElement(holder)
    commented = P(text=CLEAN)
    comment = Annotation()
    comment.addElement(P(text=words["comment"]))
    commented.addElement(comment)
    document.text.addElement(commented)
    for note_class, key in (("footnote", "footnote"), ("endnote", "endnote")):
        noted = P(text="Noted")
        note = Note(id=key, noteclass=note_class)
        note.addElement(NoteCitation(text="1"))
        body = NoteBody()
        body.addElement(P(text=words[key]))
        note.addElement(body)
        noted.addElement(note)
        document.text.addElement(noted)
    return saved(document)


def test_the_clean_odt_twin_passes(identifiers: list[Identifier]) -> None:
    extracted = extract_text(make_odt_everywhere(CLEAN_WORDS), "odt")

    assert extracted.extractable and check_text(extracted, identifiers) == []


def make_pdf_everywhere(words: dict[str, str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, f"{CLEAN}\n{words['hyphenated']}\n{words['split']}".replace("ë", "e"))
    pdf.image(
        Image.new("RGB", (40, 30), "grey"),
        x=20,
        y=120,
        w=50,
        alt_text=words["image"],
        title=words["image_title"],
    )
    pdf.text_annotation(20, 200, words["comment"])
    return bytes(pdf.output())


def test_the_clean_pdf_twin_passes(identifiers: list[Identifier]) -> None:
    extracted = extract_text(make_pdf_everywhere(CLEAN_WORDS), "pdf")

    assert extracted.extractable and check_text(extracted, identifiers) == []


# Each maker above plants PLANTED in every place its format has (CLEAN_WORDS for the clean twin).
EVERYWHERE = {"docx": make_docx_everywhere, "odt": make_odt_everywhere, "pdf": make_pdf_everywhere}


@pytest.mark.parametrize(
    ("kind", "found"),
    [
        pytest.param(
            "docx",
            [
                ("paragraph 1", "Smith- Jones"),
                ("paragraph 1", "Smi- th"),
                ("paragraph 2", "Zoë Smith"),
                ("paragraph 3, image descriptions", "Jamie"),
                ("paragraph 3, image descriptions", "JJ"),
                ("paragraph 4", "Zoe Smith"),
                ("comments", "Jamie"),
                ("header, section 1", "Jamie Lee Smith-Jones"),
                ("header, section 1 (first page)", "JAMIE"),
                ("header, section 1 (first page)", "SMITH-JONES"),
                ("footer, section 1 (even pages)", "Smith"),
                ("header, section 2", "Zoë"),
                ("footnotes", "Jamie"),
                ("endnotes", "Zoe"),
            ],
            id="docx",
        ),
        pytest.param(
            "odt",
            [
                ("paragraph 1", "Smith- Jones"),
                ("paragraph 1", "Smi- th"),
                ("paragraph 2", "Zoë Smith"),
                ("image description (after paragraph 3)", "JJ"),
                ("image description (after paragraph 3)", "Jamie"),
                ("paragraph 5", "Zoe Smith"),  # the text box's own paragraph
                ("paragraph 7", "Jamie"),  # the comment's
                ("paragraph 9", "Jamie"),  # the footnote's
                ("paragraph 11", "Zoe"),  # the endnote's
                ("header or footer", "Jamie Lee Smith-Jones"),
                ("header or footer", "JAMIE"),
                ("header or footer", "SMITH-JONES"),
                ("header or footer", "Smith"),
            ],
            id="odt",
        ),
        pytest.param(
            "pdf",  # lines, alt text and comments
            [
                ("page 1", "Smith- Jones"),
                ("page 1", "Smi- th"),
                ("page 1", "Zoe Smith"),
                ("page 1", "Jamie"),  # the comment
                ("page 1, image descriptions", "Jamie"),
                ("page 1, image descriptions", "JJ"),
            ],
            id="pdf",
        ),
    ],
)
def test_identifiers_in_every_place_are_found_there(
    identifiers: list[Identifier], kind: str, found: list[tuple[str, str]]
) -> None:
    findings = check_text(extract_text(EVERYWHERE[kind](PLANTED), kind), identifiers)

    assert [(f.location, f.term) for f in findings] == found


def test_every_docx_place_has_its_finding(identifiers: list[Identifier]) -> None:
    findings = check_text(extract_text(make_docx_everywhere(PLANTED), "docx"), identifiers)

    assert {f.location for f in findings} == set(DOCX_PLACES.values())


# --- spellings -------------------------------------------------------------------------------


def test_names_without_their_punctuation_or_with_spaces_for_it() -> None:
    found = search("O'Neill", "name", "ONeill, O Neill, O'NEILL, O\u2019Neill's and Oneills; not Neill")
    assert found == ["ONeill", "O Neill", "O'NEILL", "O\u2019Neill"]
    assert search("Mary-Ann", "name", "MaryAnn; Mary Ann; mary-ann") == ["MaryAnn", "Mary Ann", "mary-ann"]
    assert search("Mary Ann", "name", "MaryAnn and Mary-Ann") == ["MaryAnn", "Mary-Ann"]
    assert search("Jo Ng", "name", "Jong and Jo Ng") == ["Jo Ng"]  # too short to join safely


def test_names_with_or_without_diacritics_in_any_case_and_possessive() -> None:
    assert search("Siobhán", "name", "Siobhan, SIOBHÁN and siobhán") == ["Siobhan", "SIOBHÁN", "siobhán"]
    assert search("Zoe", "name", "Zoë's and ZOË") == ["Zoë", "ZOË"]
    assert search("Smith", "name", "Smith's car, the Smiths' house, Smiths, Smithson") == ["Smith", "Smiths"]


def test_a_word_hyphenated_across_a_line_end_is_read_whole_but_real_hyphens_stay() -> None:
    assert search("Smith", "name", "seen by Smi-\nth and Smi-\n  th; Smith-\nJones") == [
        "Smi- th",
        "Smi- th",
        "Smith",
    ]
    assert search("Smith-Jones", "name", "Smith-\nJones") == ["Smith- Jones"]
    assert search("Jamie", "name", "Ja\u00ad\nmie") == ["Ja\u00ad mie"]


# --- possible identifiers nobody recorded ------------------------------------------------------


def possible(*parts: str) -> list[tuple[str, str]]:
    return [(f.kind, f.term) for f in check_text(text(*parts), [])]


@pytest.mark.parametrize(
    ("parts", "found"),
    [
        pytest.param(
            [
                "They moved to LS1 4AP, then ec1a 1bb; not the A1 2nd junction or ABC 123.",
                "NHS number 943 476 5919, also 9434765919; not 943 476 5918 (bad check digit) or 1234567890.",
                "Call 0161 496 0000 or +44 20 7946 0958; email jo.bloggs+work@example.co.uk.",
            ],
            [
                ("postcode", "LS1 4AP"),
                ("postcode", "ec1a 1bb"),
                ("nhs_number", "943 476 5919"),
                ("nhs_number", "9434765919"),
                ("phone_number", "0161 496 0000"),
                ("phone_number", "+44 20 7946 0958"),
                ("email", "jo.bloggs+work@example.co.uk"),
            ],
            id="postcodes_nhs_numbers_phone_numbers_and_email_addresses",
        ),
        pytest.param(
            [
                "Jamie was born on 3 March 2019. DOB: 04/05/2020. D.O.B 5.6.21; date of birth 2018-07-08.",
                "Seen 1 June 2023 (date of birth 2 June 2017). 9/10/2016 (DOB).",
                "Born in March 2019. A meeting on 3 March 2019. Stubborn on 3 March 2019.",
            ],
            [
                ("birth_date", "3 March 2019"),
                ("birth_date", "04/05/2020"),
                ("birth_date", "5.6.21"),
                ("birth_date", "2018-07-08"),
                ("birth_date", "2 June 2017"),
                ("birth_date", "9/10/2016"),
            ],
            id="full_dates_next_to_words_about_birth",
        ),
        pytest.param(
            [
                "Jamie went to Oakfield Primary School and St. Mary's C of E Academy, "
                "then Sunshine Day Nursery.",
                "The GP at Riverside Surgery referred to Northtown Medical Centre.",
                "The school, the Primary School, the GP Surgery, a local Academy and her Nursery; "
                "school nurse.",
                "Guidance of the Royal College of Nursing; the Virtual School Head; the Sixth Form College.",
                "Later: Church of England Primary School and Our Lady and St Joseph Academy.",
            ],
            [
                ("school", "Oakfield Primary School"),
                ("school", "St. Mary's C of E Academy"),
                ("school", "Sunshine Day Nursery"),
                ("gp_surgery", "Riverside Surgery"),
                ("gp_surgery", "Northtown Medical Centre"),
                ("school", "Church of England Primary School"),
                ("school", "Our Lady and St Joseph Academy"),
            ],
            id="named_schools_nurseries_and_gp_surgeries_but_not_the_school",
        ),
    ],
)
def test_possible_identifiers_are_found_in_the_text(parts: list[str], found: list[tuple[str, str]]) -> None:
    assert possible(*parts) == found


def test_possible_identifiers_say_what_they_are_without_the_value() -> None:
    findings = check_text(text("Email jo@example.org from LS1 4AP."), [])

    assert [f.label for f in findings] == [
        "Possible identifier, not recorded: an email address",
        "Possible identifier, not recorded: a postcode",
    ]
    assert all("example" not in f.label and "LS1" not in f.label for f in findings)


def test_a_recorded_identifier_is_reported_as_recorded_not_as_possible(identifiers: list[Identifier]) -> None:
    findings = check_text(text("Jamie was born on 1 September 2025 at AB1 2CD; DOB 2 May 2019."), identifiers)

    assert [(f.kind, f.term) for f in findings] == [
        ("name", "Jamie"),
        ("date_of_birth", "1 September 2025"),
        ("address", "AB1 2CD"),
        ("birth_date", "2 May 2019"),
    ]
    assert find_identifiers(text("DOB 2 May 2019, LS1 4AP"), identifiers) == []  # only when asked


def test_clean_text_has_no_possible_identifiers() -> None:
    assert (
        possible(
            CLEAN,
            "The review met on 3 March 2026 and on 4 April 2026 (2nd meeting). 12 agencies took part.",
            "Recommendation 1.2.3: the school and the GP surgery share records by 2027.",
        )
        == []
    )


_PIECE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéöñ", min_size=3, max_size=8)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(_PIECE, min_size=2, max_size=3),
    joiner=st.sampled_from(["-", "'"]),
    written_with=st.sampled_from(["", " ", "-", "'", "\u2019", " - "]),
    upper=st.booleans(),
    possessive=st.sampled_from(["", "'s", "s'", "\u2019s"]),
)
def test_any_spelling_of_a_joined_name_is_found_once_and_never_inside_a_longer_word(
    pieces: list[str], joiner: str, written_with: str, upper: bool, possessive: str
) -> None:
    recorded = joiner.join(piece.capitalize() for piece in pieces)
    written = written_with.join(pieces)
    written = written.upper() if upper else written
    found = search(recorded, "name", f"Seen by {written}{possessive} today.")

    assert len(found) == 1
    assert search(recorded, "name", f"Seen by x{written.replace(' ', '')}x today.") == []
