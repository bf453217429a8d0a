"""Secrets the ISAC must be able to read back (an upstream server's password, sent to it on
every poll), encrypted at rest with Fernet (AES-128-CBC and HMAC-SHA256, `cryptography`).

The keys: `GUANKAO_SECRETS_KEY`, one or more Fernet keys separated by commas; the first
encrypts, all decrypt, so a new key put in front rotates (the worker re-encrypts each
upstream's password with it on its next poll, after which the old key can go). After them,
always, a key derived from SECRET_KEY by HKDF-SHA256 (and one from each of Django's
SECRET_KEY_FALLBACKS), which encrypts when GUANKAO_SECRETS_KEY is unset: changing
SECRET_KEY then makes the stored passwords unreadable, which the pages and the poller say
(crypto.Unreadable) instead of failing.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

INFO = b"guankao.isac.secrets"
SALT = b"guankao-secrets-v1"


class Unreadable(Exception):
    """A stored value no configured key decrypts (the key changed, or the value is not ours)."""


def derive(secret_key: str) -> bytes:
    """The Fernet key HKDF-SHA256 derives from a Django SECRET_KEY."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def _configured() -> list[bytes]:
    keys = [k.strip() for k in getattr(settings, "GUANKAO_SECRETS_KEY", []) if k.strip()]
    for n, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"GUANKAO_SECRETS_KEY: key {n} is not a Fernet key (32 bytes in url-safe "
                "base64, e.g. from python3 -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from None
    # the keys derived from SECRET_KEY (and its fallbacks) always decrypt: setting
    # GUANKAO_SECRETS_KEY later re-encrypts what they encrypted instead of losing it
    fallbacks = getattr(settings, "SECRET_KEY_FALLBACKS", [])
    derived = [derive(settings.SECRET_KEY), *(derive(k) for k in fallbacks)]
    return [k.encode() for k in keys] + derived


@functools.cache
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(_configured()))


def encrypt(text: str) -> str:
    """The token stored for `text` ("" stays "": nothing to hide)."""
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text behind a stored token; Unreadable if no key opens it."""
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise Unreadable from None


def rotated(token: str) -> str | None:
    """The token re-encrypted with the first key, or None if it already is (or is empty)."""
    if not token:
        return None
    keys = _configured()
    try:
        Fernet(keys[0]).decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        pass
    else:
        return None
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise Unreadable from None


def readable(token: str) -> bool:
    try:
        decrypt(token)
    except Unreadable:
        return False
    return True
