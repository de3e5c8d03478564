"""Possible identifiers nobody recorded: NHS numbers, email addresses, phone numbers,
postcodes, dates of birth, and the names of schools and GP surgeries."""

from __future__ import annotations

import re

from casework.reviews.publication.anonymisation.folding import key_text
from casework.reviews.publication.anonymisation.patterns import ORDINAL
from casework.reviews.publication.anonymisation.results import MIN_NAME_PART, Match, count_letters

POSSIBLE_KINDS = {
    "nhs_number": "an NHS number",
    "email": "an email address",
    "phone_number": "a phone number",
    "postcode": "a postcode",
    "birth_date": "a date of birth",
    "school": "the name of a school, college or nursery",
    "gp_surgery": "the name of a GP surgery or health centre",
}
POSSIBLE_LABEL = "Possible identifier, not recorded: {}"

_ENOUGH_DIGITS = re.compile(r"\d(?:[^\S\n]?[\-().]?[^\S\n]?\d){6}")  # the shortest phone number
_NHS_NUMBER = re.compile(r"(?<![\d.,/])(?<!\d[ -])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d.,/]?\d)")
_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?<!\.)(?![\w@])")
# The Royal Mail's formats: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA.
_ANY_POSTCODE = re.compile(
    r"(?<![^\W_])((?:[A-PR-UWYZ]\d[A-HJKPSTUW\d]?|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRV-Y\d]?)"
    r"[^\S\n]{0,2}(\d[ABD-HJLNP-UW-Z]{2}))(?![^\W_])",
    re.IGNORECASE,
)
_ORDINALS = {"st", "nd", "rd", "th"}  # "A1 2nd" is a road and an ordinal, not a postcode
_D = r"(?:[12]\d|3[01]|0?[1-9])"
_M = r"(?:1[0-2]|0?[1-9])"
_MONTH_NAMES = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ANY_DATE = (
    rf"(?:(?<!\d){_D}\s*(?P<s>[/.\-])\s*{_M}\s*(?P=s)\s*(?:19|20)?\d\d(?!\d)"
    rf"|(?<!\d)(?:19|20)\d\d-{_M}-{_D}(?!\d)"
    rf"|(?<!\w){_D}{ORDINAL}(?:\s+of)?[\s\-/]+{_MONTH_NAMES},?[\s\-/]+(?:19|20)\d\d(?!\d)"
    rf"|(?<!\w){_MONTH_NAMES}\s+{_D}{ORDINAL},?\s+(?:19|20)\d\d(?!\d))"
)
_BIRTH = r"(?:born|d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date)"
# "born on 1 September 2025", "DOB: 01/09/2025", "1.9.25 (DOB)": a date next to the words.
_BIRTH_DATE = re.compile(
    rf"(?<!\w){_BIRTH}(?!\w)[^.;\n\d]{{0,30}}?(?P<date>{_ANY_DATE})"
    rf"|(?P<before>{_ANY_DATE.replace('(?P<s>', '(?P<t>').replace('(?P=s)', '(?P=t)')})"
    rf"\s*\(\s*(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth)\s*\)",
    re.IGNORECASE,
)
# A proper name before one of these words names a place someone can be found.
_PLACES = re.compile(
    r"(?<![\w-])(?:(?P<school>School|Academy|College|Nursery|Pre-?[Ss]chool)"
    r"|(?P<gp_surgery>Surgery|Medical Cent(?:re|er)|Health Cent(?:re|er)|Medical Practice))(?![\w-])"
)
_PLACE_WORD = re.compile(r"(?:St\.|[A-Z][\w'&.\-]*|&|of|and|the|upon|on|in|de|la|le)$")
_PLACE_LINKS = {"&", "of", "and", "the", "upon", "on", "in", "de", "la", "le"}
# Capitalised words that say what kind of place, not which one: "The Primary School", "GP Surgery".
_GENERIC_PLACE_TEXT = """
    the a an this that these those his her their its our your my local nearby new same primary secondary
    infant infants junior senior high grammar special independent private free boarding virtual
    community village day nursery school schools pre gp nhs general medical health family child children
    mother father each every another one which what whose at to from by with for when while after before
    both all any some no state church catholic ce rc c e sunday forest further education sixth form
    dental walk urgent care out hours and of in on upon de la le st royal national
"""
_GENERIC_PLACE_WORDS = set(_GENERIC_PLACE_TEXT.split())
# Words before a name that are never its first word ("Our Lady's", "St Mary's" and "Church of
# England" start names, so those stay).
_NOT_IN_A_NAME_TEXT = """
    the a an this that these those his her their its your my each every another which what whose
    at to from by with for when while after before both all any some no local nearby new same
"""
_NOT_IN_A_NAME = set(_NOT_IN_A_NAME_TEXT.split())
MAX_PLACE_WORDS = 6


def possible_identifiers(variants: list[tuple[str, list[int]]]) -> list[Match]:
    """Possible identifiers in one part, most certain kinds first (an NHS number before a phone
    number that looks the same)."""
    import phonenumbers

    found: list[Match] = []

    def add(kind: str, start: int, end: int, positions: list[int], term: str) -> None:
        found.append(
            Match(
                positions[start],
                positions[end],
                kind,
                POSSIBLE_LABEL.format(POSSIBLE_KINDS[kind]),
                kind,
                key_text(term),
            )
        )

    for folded, positions in variants[:1]:  # numbers and addresses are not hyphenated across lines
        for match in _NHS_NUMBER.finditer(folded):
            if _nhs_checksum_ok(match[1] + match[3] + match[4]):
                add("nhs_number", match.start(), match.end(), positions, match[0])
        for match in _EMAIL.finditer(folded):
            add("email", match.start(), match.end(), positions, match[0])
        if _ENOUGH_DIGITS.search(folded):  # the matcher is slow: only where a number could be
            for number in phonenumbers.PhoneNumberMatcher(folded, "GB", leniency=phonenumbers.Leniency.VALID):
                add("phone_number", number.start, number.end, positions, number.raw_string)
        for match in _ANY_POSTCODE.finditer(folded):
            inward = match[2]
            if inward[1:].casefold() in _ORDINALS and not inward[1:].isupper():
                continue
            add("postcode", match.start(), match.end(), positions, match[0])
        for match in _BIRTH_DATE.finditer(folded):
            group = "date" if match["date"] else "before"
            add("birth_date", match.start(group), match.end(group), positions, match[group])
    for folded, positions in variants:
        for match in _PLACES.finditer(folded):
            start = _place_name_start(folded, match.start())
            if start is not None:
                kind = "school" if match["school"] else "gp_surgery"
                add(kind, start, match.end(), positions, folded[start : match.end()])
    return found


def _nhs_checksum_ok(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _place_name_start(text: str, keyword_start: int) -> int | None:
    """Where the proper name before a word like "Academy" begins: capitalised words (and "of",
    "and", "&" between them), at most MAX_PLACE_WORDS; None if none of them names anything."""
    words = list(re.finditer(r"\S+", text[max(0, keyword_start - 200) : keyword_start]))
    offset = max(0, keyword_start - 200)
    name: list[re.Match[str]] = []
    for word in reversed(words):
        token = word[0]
        if len(name) >= MAX_PLACE_WORDS or not _PLACE_WORD.match(token):
            break
        if token.endswith((",", ";", ":")) or (token.endswith(".") and token not in ("St.", "Dr.")):
            break  # the end of a clause or a sentence, not part of the name
        if _PLACES.fullmatch(token) or token in ("Centre", "Center", "Practice"):
            break  # the end of the name of another place: "Oakfield School and Riverside Surgery"
        name.insert(0, word)
    while name and (name[0][0].casefold() in _NOT_IN_A_NAME or name[0][0] in _PLACE_LINKS):
        name.pop(0)  # "the Oakfield Academy": the name starts at "Oakfield"

    def naming(words: list[re.Match[str]]) -> bool:
        return any(
            count_letters(word[0]) >= MIN_NAME_PART
            and re.sub(r"['\u2019]s$", "", word[0].casefold()).strip(".") not in _GENERIC_PLACE_WORDS
            for word in words
        )

    links = [index for index, word in enumerate(name) if word[0] in _PLACE_LINKS]
    # The words next to the place must name it: "Church of England School" does, but "Guidance of
    # the Royal College" does not ("Guidance" is only capitalised as a sentence's first word).
    last = name[links[-1] + 1 :] if links else name
    if all(count_letters(word[0]) < MIN_NAME_PART for word in last):
        last = name  # "St Mary's C of E Academy": an abbreviation ends it
    return offset + name[0].start() if name and naming(last) else None
