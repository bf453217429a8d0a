"""Every write to departments, staff, tokens and notifications. Checked and audited."""

import datetime as dt
import re
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core import access, audit, notices, validation
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import (
    ApiToken,
    AuditEntry,
    Department,
    DepartmentKind,
    Notification,
    OutboundMail,
    Role,
    RoleAssignment,
    User,
)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{1,150}$")
DEPARTMENT_FIELDS = ["code", "name", "name_en", "kind", "parent", "sort_order", "active"]
STAFF_FIELDS = ["username", "display_name", "title", "email", "phone", "department", "is_active"]
A = AuditEntry.Action


def _check_version(before: dict, expected: str | None) -> None:
    if expected and audit.version(before) != expected:
        raise ServiceError.field(
            "version",
            _(
                "This record was changed by someone else after you opened the form; "
                "reload it and make your change again."
            ),
        )


def _identifier(field, value, pattern, rule, same, instance, *, max_length: int) -> str:
    """A code or username: text, of the allowed characters, not taken by another record."""
    value = validation.text(field, value, max_length=max_length)
    if not pattern.match(value):
        raise ServiceError.field(field, rule)
    clash = same(value)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ServiceError.field(field, _("%(value)s is already taken") % {"value": value})
    return value


# Departments ------------------------------------------------------------------------------


def _clean_department(data: dict, *, instance: Department | None) -> dict:
    out = {}
    if "code" in data:
        out["code"] = _identifier(
            "code",
            data["code"],
            CODE_RE,
            _("use letters, digits, '.', '_' or '-' (at most 20 characters)"),
            lambda code: Department.objects.filter(code__iexact=code),
            instance,
            max_length=20,
        )
    if "name" in data:
        out["name"] = validation.text("name", data["name"], max_length=100)
    if "name_en" in data:
        out["name_en"] = validation.text("name_en", data["name_en"], max_length=150, required=False)
    if "kind" in data:
        if data["kind"] not in DepartmentKind.values:
            raise ServiceError.field(
                "kind", _("must be one of: %(v)s") % {"v": ", ".join(DepartmentKind.values)}
            )
        out["kind"] = data["kind"]
    if "sort_order" in data:
        order = data["sort_order"]
        if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 2**31 - 1:
            raise ServiceError.field("sort_order", _("must be a whole number, 0 or more"))
        out["sort_order"] = order
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ServiceError.field("active", _("must be true or false"))
        out["active"] = data["active"]
    if "parent" in data:
        parent = data["parent"]
        if parent is not None and instance is not None and parent.is_within(instance):
            raise ServiceError.field(
                "parent", _("a department cannot sit under itself or its own sub-unit")
            )
        out["parent"] = parent
    return out


def _rebuild_paths(department: Department) -> None:
    parent_path = department.parent.path if department.parent_id else "/"
    old_path = department.path
    department.path = f"{parent_path}{department.pk}/"
    Department.objects.filter(pk=department.pk).update(path=department.path)
    if old_path not in ("/", department.path):
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
            child.path = department.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])


@transaction.atomic
def department_create(*, actor, **data) -> Department:
    validation.require(access.can_manage_departments(actor))
    for required in ("code", "name", "kind"):
        data.setdefault(required, "")
    clean = _clean_department(data, instance=None)
    department = Department.objects.create(**clean)
    _rebuild_paths(department)
    audit.record(
        actor=actor,
        action=A.CREATE,
        obj=department,
        department=department,
        changes=audit.diff({}, audit.snapshot(department, DEPARTMENT_FIELDS)),
    )
    return department


@transaction.atomic
def department_update(
    *, actor, department: Department, expected_version: str | None = None, **data
) -> Department:
    validation.require(access.can_manage_departments(actor))
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = audit.snapshot(department, DEPARTMENT_FIELDS)
    _check_version(before, expected_version)
    clean = _clean_department(data, instance=department)
    for key, value in clean.items():
        setattr(department, key, value)
    department.save()
    if "parent" in clean:
        _rebuild_paths(department)
    changes = audit.diff(before, audit.snapshot(department, DEPARTMENT_FIELDS))
    if changes:
        audit.record(
            actor=actor, action=A.UPDATE, obj=department, department=department, changes=changes
        )
    return department


# Staff -----------------------------------------------------------------------------------


def _clean_staff(actor, data: dict, *, instance: User | None) -> dict:
    out = {}
    if "username" in data:
        out["username"] = _identifier(
            "username",
            data["username"],
            USERNAME_RE,
            _("use letters, digits and @ . + - _ only, no spaces"),
            lambda name: User.objects.filter(username__iexact=name),
            instance,
            max_length=150,
        )
    if "display_name" in data:
        out["display_name"] = validation.text("display_name", data["display_name"], max_length=100)
    if "title" in data:
        out["title"] = validation.text("title", data["title"], max_length=100, required=False)
    if "phone" in data:
        phone = validation.text("phone", data["phone"], max_length=40, required=False)
        if phone and not re.fullmatch(r"[0-9+()#\- ]{3,40}", phone):
            raise ServiceError.field("phone", _("use digits, spaces and + ( ) - # only"))
        out["phone"] = phone
    if "email" in data:
        email = validation.text("email", data["email"], max_length=254, required=False)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ServiceError.field("email", _("is not a valid e-mail address")) from None
        out["email"] = email
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            raise ServiceError.field("is_active", _("must be true or false"))
        out["is_active"] = data["is_active"]
    if "department" in data:
        department = data["department"]
        allowed = (
            actor.is_admin if department is None else access.can_manage_staff_in(actor, department)
        )
        if not allowed:
            raise ServiceError.field("department", _("unknown department or not yours to manage"))
        out["department"] = department
    return out


def _clean_roles(actor, roles) -> set[str]:
    if isinstance(roles, str) or not all(isinstance(r, str) for r in roles):
        raise ServiceError.field("roles", _("must be a list of role names"))
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ServiceError.field(
            "roles",
            _("unknown role %(r)s; use %(v)s")
            % {"r": ", ".join(sorted(unknown)), "v": ", ".join(Role.values)},
        )
    if not wanted <= access.grantable_roles(actor):
        raise ServiceError.field("roles", _("you may not grant these roles"))
    return wanted


def _set_roles(user: User, roles: set[str]) -> None:
    RoleAssignment.objects.filter(user=user).exclude(role__in=roles).delete()
    have = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles - have])
    user._role_cache = frozenset(roles)


def department_version(department: Department) -> str:
    return audit.version(audit.snapshot(department, DEPARTMENT_FIELDS))


def staff_version(user: User) -> str:
    return audit.version(_staff_snapshot(user))


def _staff_snapshot(user: User) -> dict:
    data = audit.snapshot(user, STAFF_FIELDS)
    data["roles"] = sorted(user.role_set)
    return data


@transaction.atomic
def staff_create(*, actor, roles=(), password: str | None = None, **data) -> User:
    validation.require(bool(access.grantable_roles(actor)))
    for required in ("username", "display_name"):
        data.setdefault(required, "")
    data.setdefault("department", None)
    clean = _clean_staff(actor, data, instance=None)
    wanted = _clean_roles(actor, roles)
    user = User(**clean)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError.field("password", " ".join(exc.messages)) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    _set_roles(user, wanted)
    audit.record(
        actor=actor,
        action=A.CREATE,
        obj=user,
        department=user.department,
        changes=audit.diff({}, _staff_snapshot(user)),
    )
    return user


@transaction.atomic
def staff_update(
    *, actor, user: User, roles=None, expected_version: str | None = None, **data
) -> User:
    user = User.objects.select_for_update(of=("self",)).select_related("department").get(pk=user.pk)
    if not access.can_manage_staff_in(actor, user.department):
        raise NotFound
    if not access.can_manage_person(actor, user):
        raise NotAllowed(_("You may change only staff whose role ranks below yours."))
    before = _staff_snapshot(user)
    _check_version(before, expected_version)
    clean = _clean_staff(actor, data, instance=user)
    if roles is not None:
        wanted = _clean_roles(actor, roles)
        # A head may not take away roles they could not have granted.
        if not (set(before["roles"]) - wanted) <= access.grantable_roles(actor):
            raise ServiceError.field("roles", _("you may not remove these roles"))
    for key, value in clean.items():
        setattr(user, key, value)
    user.save()
    if roles is not None:
        _set_roles(user, wanted)
    changes = audit.diff(before, _staff_snapshot(user))
    if changes:
        audit.record(
            actor=actor, action=A.UPDATE, obj=user, department=user.department, changes=changes
        )
    return user


def staff_personal_data(*, actor, user: User) -> dict:
    """The whole e-mail and phone of a person; viewing them is an audit entry."""
    if not access.can_view_personal(actor, user):
        raise NotAllowed(_("You may not see this person's personal data."))
    audit.record(
        actor=actor,
        action=A.VIEW_PERSONAL,
        obj=user,
        department=user.department,
        note="email, phone",
    )
    return {"email": user.email, "phone": user.phone}


@transaction.atomic
def password_changed(*, actor) -> None:
    """Audit a password change and revoke the person's API tokens: whoever knew the old
    password may have made one."""
    revoked = ApiToken.objects.filter(user=actor, revoked_at=None).update(revoked_at=timezone.now())
    note = "password changed" + (f"; {revoked} API token(s) revoked" if revoked else "")
    audit.record(actor=actor, action=A.SECURITY, obj=actor, note=note)


# API tokens ------------------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token, valid `days` (at most, and by default, GUANKAO_API_TOKEN_DAYS).

    Only a signed-in person creates tokens: a token cannot make another, or a leaked token
    would outlive its expiry and its revocation."""
    validation.require(actor.is_authenticated and actor.is_active)
    if getattr(actor, "api_token", None) is not None:
        raise NotAllowed(_("API tokens cannot create tokens; sign in to create one."))
    name = validation.text("name", name, max_length=100)
    longest = settings.GUANKAO_API_TOKEN_DAYS
    if days is None:
        days = longest
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
        raise ServiceError.field(
            "days", _("must be a whole number of days from 1 to %(n)d") % {"n": longest}
        )
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        digest=ApiToken.digest_of(raw),
        hint=raw[:8],
        expires_at=timezone.now() + dt.timedelta(days=days),
        password_stamp=actor.get_session_auth_hash(),
    )
    audit.record(actor=actor, action=A.SECURITY, obj=token, note="API token created")
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at=None).first()
    if token is None:
        raise NotFound
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action=A.SECURITY, obj=token, note="API token revoked")
    return token


@transaction.atomic
def _revoke_stale(token: ApiToken, now) -> None:
    """The owner's password changed without the pages (an administrator, the shell)."""
    if ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now):
        audit.record(
            actor=token.user,
            action=A.SECURITY,
            obj=token,
            note="API token revoked: the password changed",
        )


def token_authenticate(raw: str) -> User | None:
    """The token's owner, or None for an unknown, revoked or expired token. NotAllowed when
    the owner must use two-factor sign-in and has not set it up: a token is no way round it."""
    if not raw or not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    # Whether the owner has a TOTP device comes with the token (one query fewer a request).
    device = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
    token = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(
            digest=ApiToken.digest_of(raw),
            revoked_at=None,
            expires_at__gt=now,
            user__is_active=True,
        )
        .annotate(has_device=Exists(device))
        .first()
    )
    if token is None:
        return None
    user = token.user
    if token.password_stamp and token.password_stamp != user.get_session_auth_hash():
        _revoke_stale(token, now)
        return None
    if access.needs_two_factor(user) and not token.has_device:
        raise NotAllowed(_("Set up two-factor sign-in before using API tokens."))
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user.api_token = token
    return user


# Notifications ---------------------------------------------------------------------------


def notify(
    *, recipients, subject: str, body: str = "", url: str = "", email: bool = True, task: str = ""
):
    """The one way to notice someone: an in-app notice for each recipient and, for those
    with an address, an e-mail sent after the transaction commits. A send that fails is
    retried by the worker (core.notices) and is never marked sent.

    `task` names the work the notice asks for (e.g. "plans.review:12:2026:3");
    `notices_done(task=...)` marks its notices done once the work is done."""
    now = timezone.now()
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient=r,
                subject=subject[:200],
                body=body,
                url=url,
                task_key=task,
                created_at=now,
                email_due_at=now if email and r.email else None,
            )
            for r in recipients
        ]
    )
    owed = [n.pk for n in notes if n.email_due_at is not None]
    if owed:
        transaction.on_commit(lambda: notices.email_send_many(owed))
    return notes


def mail_outside(*, address: str, subject: str, body: str, url: str = "", about: str = ""):
    """E-mail someone outside the staff (a petitioner): kept as an OutboundMail, sent after
    the transaction commits and retried by the worker like a notice's e-mail. Compose it
    inside the transaction that makes what it tells (a survey link is only known there)."""
    mail = OutboundMail.objects.create(
        address=address,
        subject=subject[:200],
        body=body,
        url=url[:300],
        about=about[:100],
        email_due_at=timezone.now(),
    )
    transaction.on_commit(lambda: notices.outbound.send(mail.pk))
    return mail


def notices_done(*, task: str) -> int:
    """The work a notice asked for is done: its notices are marked done (and read)."""
    if not task:
        return 0
    now = timezone.now()
    rows = Notification.objects.filter(task_key=task, done_at=None)
    rows.filter(read_at=None).update(read_at=now)
    return rows.update(done_at=now)


def notify_roles(
    *, departments, roles, subject: str, body: str = "", url: str = "", task: str = ""
):
    """Notify the active staff holding `roles` in each of `departments` (not sub-units)."""
    recipients = (
        User.objects.filter(
            is_active=True, department__in=departments, role_assignments__role__in=roles
        )
        .distinct()
        .order_by("pk")
    )
    return notify(recipients=list(recipients), subject=subject, body=body, url=url, task=task)


def notification_mark_read(*, actor, notification_id: int | None = None) -> int:
    rows = Notification.objects.filter(recipient=actor, read_at=None)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())
