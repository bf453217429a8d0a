"""One backup file holds the database and the uploaded files; restore checks it first.

The file is a tar archive, readable only by its owner (0600: it holds password hashes,
TOTP secrets and personal data):

    manifest.json       format, when, what it holds, each file's SHA-256
    database.json.gz    every row (`dumpdata`, natural keys), loadable on either engine
    files/<name>        each attachment and thumbnail, as the storage names them

A backup made with `--no-files` says so in its manifest, and restore says so again.
An older backup (the bare .json.gz) restores too, without files.
"""

import contextlib
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from guankao.core.models import Attachment
from guankao.core.validation import REFUSED

FORMAT = "guankao-backup-1"
# Rebuilt by `migrate` on the target, or not worth keeping across a restore.
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes"]


@contextlib.contextmanager
def private_files():
    """Everything created inside is readable by its owner only."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def stored_names() -> list[str]:
    names = []
    for file_name, thumb_name in Attachment.objects.values_list("file", "thumbnail"):
        names.extend(n for n in (file_name, thumb_name) if n)
    return sorted(set(names))


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def write(target: Path, *, files: bool = True) -> dict:
    """Write the backup to `target` (0600, replaced atomically); return its manifest."""
    with private_files(), tempfile.TemporaryDirectory(dir=target.parent) as work:
        dump = Path(work) / "database.json.gz"
        call_command(
            "dumpdata", natural_foreign=True, exclude=EXCLUDE, output=str(dump), verbosity=0
        )
        manifest = {
            "format": FORMAT,
            "written_at": dt.datetime.now(dt.UTC).isoformat(),
            "files_included": files,
            "files": {},
        }
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, "database.json.gz")
            for name in stored_names() if files else []:
                with default_storage.open(name, "rb") as stored:
                    data = stored.read()
                manifest["files"][name] = hashlib.sha256(data).hexdigest()
                _add(archive, f"files/{name}", data)
            _add(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return manifest


class Backup:
    """A backup file opened for restore: its rows (checked) and its files."""

    def __init__(self, path: Path):
        self.path = path
        self.archive = tarfile.open(path) if tarfile.is_tarfile(path) else None
        if self.archive is None:  # an older backup: the gzip JSON alone
            self.manifest = {"format": "dumpdata", "files_included": False, "files": {}}
            self.rows = json.loads(gzip.decompress(path.read_bytes()))
            return
        self.manifest = json.loads(self._member("manifest.json"))
        if self.manifest.get("format") != FORMAT:
            raise ValueError(f"{path}: not a Guankao backup ({self.manifest.get('format')!r})")
        self.rows = json.loads(gzip.decompress(self._member("database.json.gz")))

    def _member(self, name: str) -> bytes:
        member = self.archive.extractfile(name)
        if member is None:
            raise ValueError(f"{self.path}: {name} is missing")
        return member.read()

    def file(self, name: str) -> bytes:
        data = self._member(f"files/{name}")
        if hashlib.sha256(data).hexdigest() != self.manifest["files"].get(name):
            raise ValueError(f"{self.path}: files/{name} does not match its checksum")
        return data


def bad_text(rows: list[dict]) -> list[str]:
    """Every row holding text no field may store (NUL, control characters other than tab
    and line breaks): `model pk field`, so each can be found and fixed."""
    found = []

    def walk(value, where):
        if isinstance(value, str):
            if REFUSED[True].search(value):
                found.append(where)
        elif isinstance(value, dict):
            for key, inner in value.items():
                walk(key, where)
                walk(inner, f"{where}.{key}")
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(inner, f"{where}[{i}]")

    for row in rows:
        for field, value in row.get("fields", {}).items():
            walk(value, f"{row['model']} pk={row.get('pk')} {field}")
    return found


def fix_text(value):
    """The value with each refused character replaced by U+FFFD (restore --fix-text)."""
    if isinstance(value, str):
        return REFUSED[True].sub("\ufffd", value)
    if isinstance(value, dict):
        return {fix_text(k): fix_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fix_text(v) for v in value]
    return value


def restore_files(backup: Backup) -> tuple[int, list[str]]:
    """Put back each file a restored attachment row names; (restored, missing)."""
    restored, missing = 0, []
    for name in stored_names():
        if name not in backup.manifest["files"]:
            missing.append(name)
            continue
        data = backup.file(name)
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as present:
                if present.read() == data:
                    continue
            raise ValueError(f"{name} is already stored with other content; not overwritten")
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            raise ValueError(f"{name} was stored as {saved}")
        restored += 1
    return restored, missing
