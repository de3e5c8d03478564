"""A fictional partnership to explore the product with. Running it again adds only what is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyotp

from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.auth.passwords import hash_password
from casework.core.extensions import db
from casework.core.timeutil import utcnow

DEMO_AGENCIES = [
    ("Northshire Police", AgencyType.POLICE),
    ("Northshire Integrated Care Board", AgencyType.INTEGRATED_CARE_BOARD),
    ("Northshire Hospitals NHS Foundation Trust", AgencyType.NHS_TRUST),
    ("Riverside Medical Practice", AgencyType.GP_PRACTICE),
    ("Northshire Children's Social Care", AgencyType.CHILDRENS_SOCIAL_CARE),
    ("Northshire Education Service", AgencyType.EDUCATION),
    ("Northshire Housing Partnership", AgencyType.HOUSING),
    ("Safe Haven Domestic Abuse Service", AgencyType.VOLUNTARY_SECTOR),
]


@dataclass(frozen=True)
class DemoUser:
    name: str
    email: str
    role: Role
    password: str
    agency: str | None = None


DEMO_USERS = [
    DemoUser("Alex Admin", "admin@northshire.example", Role.ADMIN, "demo admin passphrase"),
    DemoUser("Morgan Price", "manager@northshire.example", Role.BOARD_MANAGER, "demo manager passphrase"),
    DemoUser(
        "Sam Okafor", "manager2@northshire.example", Role.BOARD_MANAGER, "demo second manager passphrase"
    ),
    DemoUser("Dr Jo Reid", "reviewer@northshire.example", Role.REVIEWER, "demo reviewer passphrase"),
    DemoUser("Sam Taylor", "reviewer2@northshire.example", Role.REVIEWER, "demo second reviewer passphrase"),
    DemoUser(
        "Priya Shah",
        "police.lead@northshire.example",
        Role.AGENCY_LEAD,
        "demo police lead passphrase",
        "Northshire Police",
    ),
    DemoUser(
        "Chris Walker",
        "health.lead@northshire.example",
        Role.AGENCY_LEAD,
        "demo health lead passphrase",
        "Northshire Hospitals NHS Foundation Trust",
    ),
    DemoUser(
        "Dana Ellis",
        "socialcare.lead@northshire.example",
        Role.AGENCY_LEAD,
        "demo social care lead passphrase",
        "Northshire Children's Social Care",
    ),
]


def _demo_parts() -> list[Callable[[User], list[str]]]:
    """The demo's parts, each built by the board manager, in the order they build on each other
    (imported here, when the demo is loaded, not whenever the package is)."""
    from casework.demo.actions import load_demo_actions
    from casework.demo.annual import load_demo_annual
    from casework.demo.briefings import load_demo_briefings
    from casework.demo.contributions import load_demo_contributions
    from casework.demo.delays import load_demo_delays
    from casework.demo.earlier import load_demo_earlier_review
    from casework.demo.insight import load_demo_insight
    from casework.demo.jobs import load_demo_jobs
    from casework.demo.outcomes import load_demo_outcomes
    from casework.demo.publication import load_demo_publication
    from casework.demo.records import load_demo_records
    from casework.demo.reviews import load_demo_reviews

    return [
        load_demo_reviews,
        load_demo_contributions,
        load_demo_earlier_review,
        load_demo_actions,
        load_demo_outcomes,
        load_demo_publication,
        load_demo_records,
        load_demo_delays,
        load_demo_insight,
        load_demo_annual,
        load_demo_briefings,
        load_demo_jobs,
    ]


def load_demo_data() -> list[str]:
    """Create the demo agencies and users that do not exist yet; return what was added."""
    added: list[str] = []
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    for name, agency_type in DEMO_AGENCIES:
        if name not in agencies:
            agencies[name] = Agency(name=name, agency_type=agency_type)
            db.session.add(agencies[name])
            added.append(f"agency {name}")
    existing = set(db.session.execute(db.select(User.email)).scalars())
    for demo in DEMO_USERS:
        if demo.email in existing:
            continue  # never reset a password someone may have changed
        db.session.add(
            User(
                name=demo.name,
                email=demo.email,
                role=demo.role,
                agency=agencies[demo.agency] if demo.agency else None,
                password_hash=hash_password(demo.password),
                password_changed_at=utcnow(),
                # Their authenticator app is already set up: `flask demo-code EMAIL` shows the code.
                totp_secret=pyotp.random_base32(),
                totp_confirmed_at=utcnow(),
            )
        )
        added.append(f"user {demo.email}")
    db.session.flush()
    manager = db.session.execute(
        db.select(User).where(User.email == "manager@northshire.example")
    ).scalar_one()
    for load_part in _demo_parts():
        added += load_part(manager)
    from casework.demo.reminders import load_demo_reminder_rules

    added += load_demo_reminder_rules()
    return added
