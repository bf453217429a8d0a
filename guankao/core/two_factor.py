"""Turning on TOTP two-factor sign-in without writing anything until it is confirmed.

The page shows a new secret kept in the person's session (a GET writes no device); the
device is saved only when a code from the app proves the secret was copied right.
"""

import time
from base64 import b32encode

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from guankao.core import audit
from guankao.core.models import AuditEntry

SESSION_KEY = "totp_pending_key"


def pending_key(session) -> str:
    """The secret waiting for confirmation in this session (hex), made on first need."""
    key = session.get(SESSION_KEY)
    if not key:
        key = session[SESSION_KEY] = default_key()
    return key


def unsaved_device(user, key: str) -> TOTPDevice:
    return TOTPDevice(user=user, name="default", key=key, confirmed=True)


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it by hand: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _verify(device: TOTPDevice, token: str) -> bool:
    if not token.isdigit():
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(token), device.tolerance):
        return False
    device.last_t, device.drift = totp.t(), totp.drift  # the code cannot be used again
    return True


@transaction.atomic
def confirm(*, actor, session, token: str) -> TOTPDevice | None:
    """Save the session's pending secret as the person's one device if `token` matches it."""
    device = unsaved_device(actor, pending_key(session))
    if not _verify(device, token):
        return None
    TOTPDevice.objects.filter(user=actor).delete()
    device.save()
    del session[SESSION_KEY]
    audit.record(actor=actor, action=AuditEntry.Action.SECURITY, obj=actor, note="TOTP on")
    return device
