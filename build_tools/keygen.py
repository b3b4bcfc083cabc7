"""``badgeons keygen``: make an issuer's signing keys, and mark a key compromised.

The private keys go to the key directory, outside the repository (see :mod:`build_tools.keys`);
only the public parts are added to the issuer's profile, by editing its text so that the
comments and layout that members wrote stay as they were. A new key is added beside the old
ones: assertions signed by an older key stay valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from build_tools import keys
from build_tools.writer import write_text_atomically
from build_tools.yamlsource import load_yaml, load_yaml_text

_TOP_LEVEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:")
_KEYS_LINE = re.compile(r"^keys\s*:\s*(\[\s*\])?\s*(#.*)?$")
_ITEM = re.compile(r"^( *)- ")


class KeygenError(Exception):
    """The keys cannot be made or recorded; the message is for the issuer, in French."""


@dataclass(frozen=True)
class NewKeys:
    ed25519_id: str
    rsa_id: str
    private_files: tuple[Path, ...]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def key_entries(
    ed_id: str, ed_public: str, rsa_id: str, rsa_jwk: dict[str, str], created: datetime
) -> str:
    """The YAML text of two new entries of a ``keys:`` list."""
    when = json.dumps(_stamp(created))
    return (
        f"  - id: {ed_id}\n    type: Ed25519\n    created: {when}\n    public_key_multibase: {ed_public}\n"
        f"  - id: {rsa_id}\n    type: RSA\n    created: {when}\n    public_key_jwk:\n"
        f"      kty: RSA\n      n: {rsa_jwk['n']}\n      e: {rsa_jwk['e']}\n"
    )


def insert_key_entries(text: str, entries: str) -> str:
    """The profile text with ``entries`` appended to its ``keys:`` list (created if absent).

    ``entries`` are indented by two spaces, as :func:`key_entries` writes them; they take the
    indentation of the list's existing items. A comment on the ``keys:`` line is kept.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if _KEYS_LINE.match(line.rstrip("\n"))), None)
    if start is None:
        return "".join(lines) + "\nkeys:\n" + entries
    match = _KEYS_LINE.match(lines[start].rstrip("\n"))
    assert match is not None
    lines[start] = f"keys:  {match.group(2)}\n" if match.group(2) else "keys:\n"
    end = start + 1
    while end < len(lines) and not _TOP_LEVEL.match(lines[end]):
        end += 1
    # Trailing blank lines and comments belong to what follows the list, not to the list.
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    item = next((m for m in map(_ITEM.match, lines[start + 1 : end]) if m), None)
    if item is not None and len(item.group(1)) != 2:
        indent = item.group(1)
        entries = "".join(indent + line[2:] for line in entries.splitlines(keepends=True))
    return "".join(lines[:end]) + entries + "".join(lines[end:])


def _checked(text: str, issuer: str, holds: Callable[[list[Any]], bool], action: str) -> str:
    """The edited profile text, if it still loads and its keys are as ``holds`` expects."""
    source, problems = load_yaml_text(text, f"issuers/{issuer}.yaml")
    data = source.data if source is not None and not problems else None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("keys"), list)
        or not holds(data["keys"])
    ):
        raise KeygenError(
            f"impossible {action} issuers/{issuer}.yaml sans le réécrire : "
            "écrivez la liste « keys: » une clé par ligne (- id: ...), puis relancez"
        )
    return text


def generate(
    root: Path,
    issuer: str,
    *,
    passphrase: str | None,
    key_dir: Path | None,
    now: datetime,
) -> NewKeys:
    """Make an Ed25519 and an RSA-2048 key, store them privately and publish their public parts."""
    profile = root / "issuers" / f"{issuer}.yaml"
    if not profile.is_file():
        raise KeygenError(f"émetteur inconnu « {issuer} » : issuers/{issuer}.yaml n'existe pas")
    source, problems = load_yaml(profile, f"issuers/{issuer}.yaml")
    if source is None or problems or not isinstance(source.data, dict):
        raise KeygenError(
            f"issuers/{issuer}.yaml est invalide : corrigez-le d'abord (badgeons validate)"
        )
    if source.data.get("type") == "network":
        raise KeygenError(
            f"« {issuer} » est un réseau : les clés appartiennent aux organismes qui délivrent"
        )
    taken = {str(k.get("id")) for k in source.data.get("keys") or [] if isinstance(k, dict)}
    taken |= set(keys.existing_key_ids(issuer, key_dir))
    ed_id = keys.new_key_id("ed25519", now.date(), taken)
    rsa_id = keys.new_key_id("rsa", now.date(), taken | {ed_id})
    ed_key, rsa_key = keys.generate_ed25519_key(), keys.generate_rsa_key()
    written: list[Path] = []
    try:
        for key, key_id in ((ed_key, ed_id), (rsa_key, rsa_id)):
            written.append(
                keys.save_private_key(
                    key, issuer, key_id, repo_root=root, passphrase=passphrase, key_dir=key_dir
                )
            )
        entries = key_entries(
            ed_id,
            keys.ed25519_public_key_to_multibase(ed_key.public_key()),
            rsa_id,
            keys.rsa_public_key_to_jwk(rsa_key.public_key()),
            now,
        )
        text = insert_key_entries(profile.read_text(encoding="utf-8"), entries)
        old = [k.get("id") for k in source.data.get("keys") or [] if isinstance(k, dict)]
        expected = [*old, ed_id, rsa_id]
        write_text_atomically(
            profile,
            _checked(
                text,
                issuer,
                lambda found: [k.get("id") for k in found] == expected,
                "d'ajouter les clés à",
            ),
        )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return NewKeys(ed_id, rsa_id, tuple(written))


def mark_compromised(root: Path, issuer: str, key_id: str, since: datetime) -> None:
    """Add ``compromised: <since>`` to one key of the issuer's profile."""
    profile = root / "issuers" / f"{issuer}.yaml"
    source, problems = load_yaml(profile, f"issuers/{issuer}.yaml")
    if source is None or problems or not isinstance(source.data, dict):
        raise KeygenError(f"issuers/{issuer}.yaml est introuvable ou invalide")
    entries = source.data.get("keys") or []
    index = next(
        (i for i, k in enumerate(entries) if isinstance(k, dict) and k.get("id") == key_id), None
    )
    if index is None:
        raise KeygenError(f"aucune clé « {key_id} » dans issuers/{issuer}.yaml")
    if "compromised" in entries[index]:
        raise KeygenError(f"la clé « {key_id} » est déjà marquée compromise")
    where = source.locate((("keys"), index, "id"))
    lines = profile.read_text(encoding="utf-8").splitlines(keepends=True)
    indent = " " * (where.col - 1)
    stamp = _stamp(since)
    lines.insert(where.line, f"{indent}compromised: {json.dumps(stamp)}\n")
    text = _checked(
        "".join(lines),
        issuer,
        lambda found: len(found) == len(entries) and found[index].get("compromised") == stamp,
        "de marquer la clé compromise dans",
    )
    write_text_atomically(profile, text)
