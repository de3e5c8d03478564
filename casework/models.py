"""Every model, imported in one place so Alembic and the mapper see the whole schema."""

from casework.agencies.models import Agency, AgencyType
from casework.audit import AuditEvent
from casework.auth.models import Role, SignInThrottle, User

__all__ = ["Agency", "AgencyType", "AuditEvent", "Role", "SignInThrottle", "User"]
