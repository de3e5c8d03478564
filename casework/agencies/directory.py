"""The agency directory: adding agencies, correcting their details, taking them out of use.

An agency is never deleted: reviews, requests and the audit trail keep pointing at it. An
inactive agency keeps its history and is left out of the choices offered for new work.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Select, and_, func
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db

MAX_NAME = 200
MAX_AREA = 200
STATUSES = {"active": True, "inactive": False}


# --- the edit fingerprint -----------------------------------------------------------------


def fingerprint(agency: Agency) -> str:
    """A short digest of the details a form is drawn from. Agencies have no version column, so
    an edit carries this instead; a different value on save means someone changed it meanwhile."""
    state = "\x1f".join([agency.name, agency.agency_type.value, agency.area or "", str(bool(agency.active))])
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def _check_unchanged(agency: Agency, seen: str | None) -> None:
    if seen is None:
        return
    # Re-read the row (locking it where the database can) so the comparison is with what is saved.
    db.session.execute(
        db.select(Agency)
        .where(Agency.id == agency.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if seen != fingerprint(agency):
        raise ConcurrentEditError("this agency")


# --- checks --------------------------------------------------------------------------------


def _tidy(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _same_name(name: str, other_than: Agency | None) -> Agency | None:
    """An agency whose name differs from ``name`` only in case. Compared in Python with casefold,
    because SQLite's lower() folds only ASCII; the directory is a few hundred rows at most."""
    wanted = name.casefold()
    rows = db.session.execute(db.select(Agency.id, Agency.name)).all()
    for agency_id, existing in rows:
        if existing.casefold() == wanted and (other_than is None or agency_id != other_than.id):
            return db.session.get(Agency, agency_id)
    return None


def _checked_name(name: str | None, other_than: Agency | None = None) -> str:
    name = _tidy(name)
    if not name:
        raise DomainError("Enter the agency's name", field="name")
    if len(name) > MAX_NAME:
        raise DomainError(f"The agency's name must be {MAX_NAME} characters or fewer", field="name")
    clash = _same_name(name, other_than)
    if clash is not None:
        raise DomainError(
            f"There is already an agency called {clash.name}"
            + ("" if clash.active else " (inactive: reactivate it instead)"),
            field="name",
        )
    return name


def _checked_type(agency_type: AgencyType | str | None) -> AgencyType:
    try:
        return AgencyType(agency_type)
    except ValueError:
        raise DomainError("Select the type of agency", field="agency_type") from None


def _checked_area(area: str | None) -> str:
    area = _tidy(area)
    if len(area) > MAX_AREA:
        raise DomainError(f"The area must be {MAX_AREA} characters or fewer", field="area")
    return area


def _details(agency: Agency) -> dict[str, object]:
    return {
        "name": agency.name,
        "agency_type": agency.agency_type.value,
        "area": agency.area or "",
        "active": bool(agency.active),
    }


def _changes(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


def _flush() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Two people saving the same name at once: the unique index catches the second.
        raise DomainError("There is already an agency with this name", field="name") from None


# --- changes -------------------------------------------------------------------------------


def create_agency(name: str, agency_type: AgencyType | str, area: str = "") -> Agency:
    agency = Agency(
        name=_checked_name(name),
        agency_type=_checked_type(agency_type),
        area=_checked_area(area),
        active=True,
    )
    db.session.add(agency)
    _flush()
    after = _details(agency)
    audit.record(
        "agency_created",
        f"Agency {agency.name} added to the directory",
        subject=agency,
        details={key: [None, value] for key, value in after.items()},
    )
    return agency


def update_agency(
    agency: Agency,
    *,
    name: str,
    agency_type: AgencyType | str,
    area: str,
    version: str | None = None,
) -> dict[str, list[object]]:
    """Correct an agency's details; returns what changed as {field: [before, after]}."""
    _check_unchanged(agency, version)
    before = _details(agency)
    agency.name = _checked_name(name, other_than=agency)
    agency.agency_type = _checked_type(agency_type)
    agency.area = _checked_area(area)
    changes = _changes(before, _details(agency))
    if changes:
        _flush()
        audit.record(
            "agency_updated",
            f"Agency {before['name']} updated"
            + (f" (now {agency.name})" if agency.name != before["name"] else ""),
            subject=agency,
            details=changes,
        )
    return changes


def active_lead_count(agency: Agency) -> int:
    return db.session.execute(
        db.select(func.count(User.id)).where(
            User.agency_id == agency.id, User.role == Role.AGENCY_LEAD, User.active.is_(True)
        )
    ).scalar_one()


def deactivate_agency(agency: Agency) -> int:
    """Take an agency out of use for new work, keeping everything recorded about it. Returns the
    number of active agency leads it still has: their accounts are left alone, and the caller
    tells the user so they can decide what to do about them."""
    if not agency.active:
        raise DomainError(f"{agency.name} is already inactive")
    leads = active_lead_count(agency)
    agency.active = False
    _flush()
    audit.record(
        "agency_deactivated",
        f"Agency {agency.name} deactivated",
        subject=agency,
        details={"active": [True, False], "active_agency_leads": leads},
    )
    return leads


def reactivate_agency(agency: Agency) -> None:
    if agency.active:
        raise DomainError(f"{agency.name} is already active")
    agency.active = True
    _flush()
    audit.record(
        "agency_reactivated",
        f"Agency {agency.name} reactivated",
        subject=agency,
        details={"active": [False, True]},
    )


# --- choices and the directory list ---------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    agency_type: str = ""
    status: str = ""
    search: str = ""

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> DirectoryFilters:
        agency_type = args.get("type", "")
        status = args.get("status", "")
        return cls(
            agency_type=agency_type if agency_type in set(AgencyType) else "",
            status=status if status in STATUSES else "",
            search=_tidy(args.get("q", ""))[:MAX_NAME],
        )

    @property
    def any(self) -> bool:
        return bool(self.agency_type or self.status or self.search)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def directory_query(filters: DirectoryFilters) -> Select[tuple[Agency, int]]:
    """Agencies matching the filters with their number of active agency leads, active first."""
    leads = func.count(User.id).label("active_leads")
    query = (
        db.select(Agency, leads)
        .outerjoin(
            User,
            and_(User.agency_id == Agency.id, User.role == Role.AGENCY_LEAD, User.active.is_(True)),
        )
        .group_by(Agency.id)
        .order_by(Agency.active.desc(), Agency.name)
    )
    if filters.agency_type:
        query = query.where(Agency.agency_type == AgencyType(filters.agency_type))
    if filters.status:
        query = query.where(Agency.active.is_(STATUSES[filters.status]))
    if filters.search:
        query = query.where(Agency.name.ilike(_like_pattern(filters.search), escape="\\"))
    return query


def list_agencies(filters: DirectoryFilters) -> list[tuple[Agency, int]]:
    return [(agency, count) for agency, count in db.session.execute(directory_query(filters)).all()]
