"""STIX 2.1 checks and reading, with the OASIS `stix2` and `stix2-patterns` libraries.

`check(obj)` says why one posted object cannot be stored (or returns what we keep of it):
every object must be STIX 2.1 as the library reads it, with no custom types or properties.
"""

import datetime as dt
import ipaddress
import json
from dataclasses import dataclass, field

import stix2
from django.utils.translation import gettext as _
from stix2.exceptions import STIXError
from stix2patterns.pattern import ParseException, Pattern

# TLP 1.0 markings as STIX 2.1 defines them, and TLP 2.0's (the OASIS extension's ids).
TLP_MARKINGS = {
    stix2.TLP_WHITE.id: "clear",
    stix2.TLP_GREEN.id: "green",
    stix2.TLP_AMBER.id: "amber",
    stix2.TLP_RED.id: "red",
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
}
# The markings we put on what we publish (STIX 2.1's own TLP objects).
MARKING_OF = {
    "clear": stix2.TLP_WHITE.id,
    "green": stix2.TLP_GREEN.id,
    "amber": stix2.TLP_AMBER.id,
    "red": stix2.TLP_RED.id,
}
TLP_ORDER = ["", "clear", "green", "amber", "amber+strict", "red"]
# Objects without spec_version: STIX 2.1 makes it optional on cyber-observables only.
SCO_TYPES = {
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr",
    "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
    "network-traffic", "process", "software", "url", "user-account",
    "windows-registry-key", "x509-certificate",
}  # fmt: skip
HASHES = {"MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH"}
MEDIA_TYPE_STIX = "application/stix+json;version=2.1"


@dataclass
class Checked:
    stix_id: str
    type: str
    version: dt.datetime | None  # None: the object has no modified/created (an SCO)
    tlp: str
    body: str
    obj: dict
    parsed: object = None  # the stix2 library's object
    values: list[tuple[str, str]] = field(default_factory=list)


class Refused(Exception):
    def __init__(self, message: str, stix_id: str = "", version: str = ""):
        super().__init__(message)
        self.message, self.stix_id, self.version = message, stix_id, version


def parse_timestamp(value: str) -> dt.datetime:
    """A STIX/TAXII timestamp (RFC 3339, UTC, `Z`) as an aware datetime; ValueError if not."""
    if not isinstance(value, str) or not value.endswith("Z") or "T" not in value:
        raise ValueError(value)
    parsed = dt.datetime.fromisoformat(value[:-1] + "+00:00")
    if not 1900 <= parsed.year <= 9999:
        raise ValueError(value)
    return parsed


def timestamp(value: dt.datetime) -> str:
    """TAXII's form of a timestamp: UTC with microseconds and `Z`."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def tlp_of(obj: dict) -> str:
    found = [TLP_MARKINGS[m] for m in obj.get("object_marking_refs") or () if m in TLP_MARKINGS]
    return max(found, key=TLP_ORDER.index) if found else ""


def check(obj) -> Checked:
    """The object as we store it, or Refused with the reason (one line, for the status)."""
    if not isinstance(obj, dict):
        raise Refused(_("not a JSON object"))
    stix_id, kind = obj.get("id"), obj.get("type")
    if not isinstance(stix_id, str) or not isinstance(kind, str):
        raise Refused(_("id and type are required"))
    raw_version = obj.get("modified") or obj.get("created") or ""
    version = str(raw_version)
    spec = obj.get("spec_version")
    if spec is None and kind not in SCO_TYPES:
        raise Refused(_("spec_version is required and must be 2.1"), stix_id, version)
    if spec is not None and spec != "2.1":
        raise Refused(
            _("spec_version %(v)s is not accepted: only STIX 2.1") % {"v": str(spec)[:10]},
            stix_id,
            version,
        )
    if kind == "bundle":
        raise Refused(_("a bundle inside the envelope is not accepted"), stix_id, version)
    try:
        parsed = stix2.parse(obj, allow_custom=False, version="2.1")
    except (STIXError, ValueError, TypeError, KeyError) as exc:
        raise Refused(str(exc)[:500], stix_id, version) from None
    # the library's reading of the timestamps (aware datetimes), whatever their spelling
    stamp = parsed.get("modified") or parsed.get("created")
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    checked = Checked(stix_id, kind, stamp, tlp_of(obj), body, obj, parsed)
    if kind == "indicator" and parsed.get("pattern_type") == "stix":
        checked.values = pattern_values(parsed["pattern"])
    return checked


def _literal(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    return ""


def pattern_values(pattern: str) -> list[tuple[str, str]]:
    """(kind, value) a firewall can block: the `=` comparisons of the pattern on addresses,
    domains, URLs and file hashes. Other comparisons (ranges, `!=`, MATCHES) give nothing."""
    try:
        comparisons = Pattern(pattern).inspect().comparisons
    except ParseException:
        return []
    out = []
    for object_type, tests in comparisons.items():
        for path, op, raw in tests:
            value = _literal(raw)
            if op != "=" or not value:
                continue
            kind = _kind(object_type, path, value)
            if kind:
                out.append((kind, value.lower() if kind in ("domain", "hash") else value))
    return list(dict.fromkeys(out))


def _kind(object_type: str, path: list, value: str) -> str:
    if object_type in ("ipv4-addr", "ipv6-addr") and path == ["value"]:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return ""
        return "ipv4" if object_type == "ipv4-addr" else "ipv6"
    if object_type == "domain-name" and path == ["value"]:
        return "domain"
    if object_type == "url" and path == ["value"]:
        return "url"
    if object_type == "file" and len(path) == 2 and path[0] == "hashes" and path[1] in HASHES:
        return "hash"
    return ""


PATTERN_OF = {
    "ipv4": "ipv4-addr:value",
    "ipv6": "ipv6-addr:value",
    "domain": "domain-name:value",
    "url": "url:value",
}


def guess_kind(value: str) -> tuple[str, str] | None:
    """(kind, STIX comparison) of a value typed on the publish form, or None."""
    value = value.strip()
    try:
        address = ipaddress.ip_network(value, strict=False)
    except ValueError:
        pass
    else:
        kind = "ipv4" if address.version == 4 else "ipv6"
        return kind, f"[{PATTERN_OF[kind]} = '{value}']"
    lowered = value.lower()
    if lowered.startswith(("http://", "https://")):
        return "url", f"[url:value = '{_escape(value)}']"
    hex_names = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
    if len(value) in hex_names and all(c in "0123456789abcdef" for c in lowered):
        return "hash", f"[file:hashes.'{hex_names[len(value)]}' = '{lowered}']"
    labels = lowered.rstrip(".").split(".")
    if len(labels) >= 2 and all(
        label and len(label) <= 63 and all(c.isalnum() or c == "-" for c in label)
        for label in labels
    ):
        return "domain", f"[domain-name:value = '{lowered.rstrip('.')}']"
    return None


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
