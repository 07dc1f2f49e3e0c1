"""Who is calling: the authenticated user or API client behind the current request."""

from dataclasses import dataclass, field

from flask import g

from hub_api.models import ApiClient, User
from hub_api.models.enums import Role, Scope

# What each user role amounts to in scope terms; roles still decide, scopes must never widen them.
ROLE_SCOPES = {
    Role.HUB_ADMIN: frozenset(Scope),
    Role.COORDINATOR: frozenset(
        {
            Scope.CATALOGUE_READ,
            Scope.PARTICIPANTS_READ,
            Scope.PARTICIPANTS_WRITE,
            Scope.ENROLMENTS_WRITE,
            Scope.STATS_READ,
        }
    ),
    Role.ANALYST: frozenset({Scope.CATALOGUE_READ, Scope.STATS_READ}),
}


@dataclass(frozen=True)
class Principal:
    """The caller as the permission layer sees it, whether a person or a partner system."""

    kind: str  # "user" or "api_client"
    id: int
    label: str
    role: Role | None
    institution_id: int | None
    scopes: frozenset = field(default_factory=frozenset)

    @property
    def is_hub_admin(self) -> bool:
        """A signed-in hub administrator (API clients never are)."""
        return self.role is Role.HUB_ADMIN

    @property
    def is_user(self) -> bool:
        """A person signed in with email and password."""
        return self.kind == "user"

    def has_scope(self, scope: Scope) -> bool:
        """Users carry their role's scopes; clients only those granted."""
        return scope in self.scopes

    @classmethod
    def for_user(cls, user: User) -> "Principal":
        """The principal of a signed-in user."""
        return cls("user", user.id, user.email, user.role, user.institution_id, ROLE_SCOPES[user.role])

    @classmethod
    def for_client(cls, client: ApiClient) -> "Principal":
        """The principal of a partner system: no role, only the scopes it was granted."""
        return cls(
            "api_client",
            client.id,
            client.name,
            None,
            client.institution_id,
            frozenset(Scope(s) for s in client.scopes),
        )


def current_principal() -> Principal:
    """The caller of the current request; the access guard has set it before any view runs."""
    return g.principal
