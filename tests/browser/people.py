"""The people of the browser journeys, made in one order so every journey meets the same names."""

from __future__ import annotations

from typing import NamedTuple

from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from tests.support.people import make_agency, make_user


class Journey(NamedTuple):
    police: Agency
    manager: User
    reviewers: list[User]
    lead: User  # the police's agency lead


def police_and_people(*reviewers: str) -> Journey:
    """In an app context: the Northshire Police, the board manager Morgan Price, a reviewer of
    each name in ``reviewers`` and the police's agency lead Priya Shah, made in that order."""
    police = make_agency("Northshire Police", AgencyType.POLICE)
    manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
    made = [make_user(Role.REVIEWER, name=name) for name in reviewers]
    lead = make_user(Role.AGENCY_LEAD, name="Priya Shah", agency=police)
    return Journey(police, manager, made, lead)
