"""Who may do what in the ISAC.

- The CISO (and an administrator) runs the ISAC: manages members, collections and upstream
  servers, publishes, and reads and writes every collection over TAXII (an *operator*).
- A member (an agency or a neighbouring government) reads and writes the collections it was
  granted (`CollectionAccess`), over TAXII with its own credentials; the agency's security
  officers act as that member on the pages and with their API tokens.
- TLP:RED objects are read only by their named recipients (and the operators).
- 管考 officers and executives see the ISAC's pages (counts, latest indicators) but no
  TLP:RED object and change nothing.
"""

from dataclasses import dataclass, field

from guankao.security import access as security_access


@dataclass
class Principal:
    """Who is calling: a member (Basic auth, or a security officer of a member agency),
    an operator (the CISO), or a reader of the pages."""

    member: object | None = None
    user: object | None = None
    operator: bool = False
    _grants: dict = field(default_factory=dict, repr=False)
    _loaded: bool = False

    @property
    def is_known(self) -> bool:
        return self.operator or self.member is not None

    def _grant(self, collection) -> tuple[bool, bool]:
        if self.member is None:
            return (False, False)
        if not self._loaded:
            from guankao.security.isac.models import CollectionAccess

            rows = CollectionAccess.objects.filter(member=self.member).values_list(
                "collection_id", "can_read", "can_write"
            )
            self._grants = {cid: (r, w) for cid, r, w in rows}
            self._loaded = True
        return self._grants.get(collection.pk, (False, False))

    def can_read(self, collection) -> bool:
        return self.operator or self._grant(collection)[0]

    def can_write(self, collection) -> bool:
        return self.operator or self._grant(collection)[1]

    def sees(self, collection) -> bool:
        return self.operator or any(self._grant(collection))

    @property
    def name(self) -> str:
        if self.member is not None:
            return self.member.name
        return self.user.get_username() if self.user is not None else ""


def principal_for_user(user) -> Principal:
    """The principal a signed-in user (session or API token) acts as."""
    if security_access.is_ciso(user):
        return Principal(user=user, operator=True)
    if security_access.is_security_officer(user):
        agency = security_access.agency_of(user)
        member = getattr(agency, "isac_member", None) if agency is not None else None
        if member is not None and member.active:
            return Principal(member=member, user=user)
    return Principal(user=user)


def sees_pages(user) -> bool:
    return security_access.works_here(user)


def can_manage(user) -> bool:
    return security_access.is_ciso(user)
