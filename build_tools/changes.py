"""What a pull request changes, in words, for the collective that reviews it.

``badgeons validate --base REF`` reads the repository as it stands at ``REF`` (the target branch)
with ``git archive``, compares it with the working tree, and prints a short summary in French:
``badge « X » : critères modifiés, niveau ajouté``, ``émetteur « Y » : clé ajoutée``,
``3 badges délivrés par Z``, ``1 révocation``. The rules the change must respect are checked by
:mod:`build_tools.governance` on the same two snapshots.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from build_tools.yamlsource import load_yaml_text

#: The parts of a repository that hold its data: what a change is compared on.
DATA_ROOTS = ("badgeons.yml", "badges/", "issuers/")


class ChangesError(Exception):
    """The base cannot be read; the message is for the member, in French."""


@dataclass(frozen=True)
class Snapshot:
    """The data files of a repository at one moment, by path relative to its root."""

    files: Mapping[str, bytes]

    def yaml(self, path: str) -> Any:
        """The parsed YAML of a file, or None when it is absent or does not parse."""
        data = self.files.get(path)
        if data is None:
            return None
        try:
            source, problems = load_yaml_text(data.decode("utf-8"), path)
        except UnicodeDecodeError:
            return None
        return source.data if source is not None and not problems else None

    def under(self, folder: str) -> dict[str, bytes]:
        return {p: d for p, d in self.files.items() if p.startswith(folder)}


def _is_data(path: str) -> bool:
    return any(path == r or (r.endswith("/") and path.startswith(r)) for r in DATA_ROOTS)


def load_worktree(root: Path) -> Snapshot:
    """The data files of the working tree."""
    files: dict[str, bytes] = {}
    for top in ("badgeons.yml", "badges", "issuers"):
        start = root / top
        paths = [start] if start.is_file() else sorted(p for p in start.rglob("*") if p.is_file())
        for path in paths:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return Snapshot(files)


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=True, timeout=300
        )
    except FileNotFoundError:
        raise ChangesError("git est introuvable : installez-le pour comparer avec --base") from None
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangesError(
            f"git {args[0]} a échoué : {message[-1] if message else exc.returncode}"
        ) from None
    return done.stdout


def _commit(root: Path, ref: str) -> str:
    """The commit a revision names, or a French error saying what to do."""
    if ref.startswith("-"):
        raise ChangesError(f"révision invalide « {ref} »")
    try:
        found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ChangesError:
        raise ChangesError(
            f"révision « {ref} » introuvable dans ce dépôt : récupérez les branches du serveur "
            "(git fetch origin) et vérifiez son nom (la branche principale s'appelle main ou "
            "master ; celle du serveur, origin/main ou origin/master)"
        ) from None
    return found.decode("ascii").strip()


@dataclass(frozen=True)
class Base:
    """What a change is compared with: the fork point of the branch from the target ``ref``."""

    ref: str
    commit: str
    #: True when the target has moved on since the branch left it (``commit`` is not its tip).
    behind: bool


def fork_point(root: Path, ref: str) -> Base:
    """The commit where the checked-out branch left ``ref``: ``git merge-base REF HEAD``.

    A pull request is judged on what it changes, not on what others merged into the target
    since it began: compared with the tip of the target, a branch that is merely behind would
    seem to delete the badges awarded and withdraw the revocations recorded there since. On
    GitHub the checkout is the merge commit of the pull request, whose fork point from the
    target is the target's tip; GitLab's merge request pipelines build the source branch
    itself, whose fork point is where it was branched (or last merged the target).
    """
    tip = _commit(root, ref)
    try:
        found = _git(root, "merge-base", tip, "HEAD").decode("ascii").strip()
    except ChangesError:
        raise ChangesError(
            f"aucun ancêtre commun entre « {ref} » et la branche en cours : l'historique est "
            "peut-être incomplet (clone superficiel) ; récupérez-le avec "
            "git fetch --unshallow origin, ou en CI demandez tout l'historique "
            "(fetch-depth: 0 sur GitHub, GIT_DEPTH: 0 sur GitLab)"
        ) from None
    return Base(ref, found, found != tip)


def load_ref(root: Path, ref: str) -> Snapshot:
    """The data files of the repository at a git revision (branch, tag or commit)."""
    _commit(root, ref)
    prefix = _git(root, "rev-parse", "--show-prefix").decode("utf-8").strip()
    archive = _git(root, "archive", "--format=tar", f"{ref}:{prefix}" if prefix else ref)
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar:
            name = PurePosixPath(member.name).as_posix()
            if member.isfile() and _is_data(name):
                handle = tar.extractfile(member)
                if handle is not None:
                    files[name] = handle.read()
    return Snapshot(files)


# The summary.


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


_BADGE_FIELDS = (
    (("name", "name_en"), "nom modifié"),
    (("description", "description_en"), "description modifiée"),
    (("criteria",), "critères modifiés"),
    (("evidence", "evidence_en"), "preuves attendues modifiées"),
    (("image",), "image modifiée"),
    (("alignments",), "référentiels modifiés"),
    (("tags", "tags_en"), "mots-clés modifiés"),
    (("validity_months",), "durée de validité modifiée"),
    (("kind",), "nature modifiée"),
)
_STATUS = {"draft": "brouillon", "proposed": "proposé", "approved": "approuvé"}


def _added_removed(old: object, new: object, what: str, feminine: bool = False) -> str | None:
    end = "e" if feminine else ""
    if old is None and new is not None:
        return f"{what} ajouté{end}"
    if old is not None and new is None:
        return f"{what} supprimé{end}"
    if old != new:
        return f"{what} modifié{end}"
    return None


def _issuers_changes(old: object, new: object) -> list[str]:
    """Who may now award a badge, and who no longer may, by name: the reviewers decide on it."""
    before = [str(i) for i in old] if isinstance(old, list) else []
    after = [str(i) for i in new] if isinstance(new, list) else []
    found: list[str] = []
    for names, one, many in (
        (
            [i for i in after if i not in before],
            "émetteur autorisé ajouté",
            "émetteurs autorisés ajoutés",
        ),
        (
            [i for i in before if i not in after],
            "émetteur autorisé retiré",
            "émetteurs autorisés retirés",
        ),
    ):
        if names:
            quoted = " et ".join(
                filter(None, [", ".join(f"« {n} »" for n in names[:-1]), f"« {names[-1]} »"])
            )
            found.append(f"{one if len(names) == 1 else many} : {quoted}")
    if not found and old != new:
        found.append("émetteurs autorisés réordonnés")
    return found


def badge_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed in one badge class, in words."""
    found = [
        label
        for names, label in _BADGE_FIELDS
        if any(old.get(name) != new.get(name) for name in names)
    ]
    found += _issuers_changes(old.get("issuers"), new.get("issuers"))
    level = _added_removed(old.get("level"), new.get("level"), "niveau")
    if level:
        found.append(level)
    if old.get("version") != new.get("version"):
        found.append(f"version {old.get('version')} → {new.get('version')}")
    old_status, new_status = old.get("status", "approved"), new.get("status", "approved")
    if old_status != new_status:
        found.append(
            f"statut {_STATUS.get(old_status, old_status)} → {_STATUS.get(new_status, new_status)}"
        )
    approval = _added_removed(old.get("approval"), new.get("approval"), "approbation", True)
    if approval:
        found.append(approval)
    known = {n for names, _ in _BADGE_FIELDS for n in names}
    known |= {"level", "version", "status", "approval", "issuers"}
    others = sorted(k for k in set(old) | set(new) if k not in known and old.get(k) != new.get(k))
    if others:
        found.append(f"autres champs modifiés ({', '.join(others)})")
    return found or ["mise en forme modifiée"]


def _keys(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(k.get("id")): k for k in data.get("keys") or [] if isinstance(k, Mapping)}


def issuer_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed in one issuer profile, in words."""
    before, after = _keys(old), _keys(new)
    found: list[str] = []
    added = [k for k in after if k not in before]
    if added:
        found.append("clé ajoutée" if len(added) == 1 else f"{len(added)} clés ajoutées")
    removed = [k for k in before if k not in after]
    if removed:
        found.append("clé supprimée" if len(removed) == 1 else f"{len(removed)} clés supprimées")
    compromised = [
        k
        for k in after
        if k in before and after[k].get("compromised") != before[k].get("compromised")
    ]
    if compromised:
        found.append(
            "clé marquée compromise"
            if len(compromised) == 1
            else f"{len(compromised)} clés marquées compromises"
        )
    swapped = [
        k
        for k in after
        if k in before
        and {f: v for f, v in after[k].items() if f != "compromised"}
        != {f: v for f, v in before[k].items() if f != "compromised"}
    ]
    if swapped:
        found.append("clé remplacée" if len(swapped) == 1 else f"{len(swapped)} clés remplacées")
    fields = sorted(k for k in set(old) | set(new) if k != "keys" and old.get(k) != new.get(k))
    if fields:
        found.append(f"profil modifié ({', '.join(fields)})")
    return found or ["mise en forme modifiée"]


def _slug(path: str, folder: str) -> str | None:
    """The slug of ``<folder>/<slug>.yaml``, or None for any other path."""
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == folder and parts[1].endswith(".yaml"):
        return parts[1][: -len(".yaml")]
    return None


def _records(snapshot: Snapshot, kind: str) -> dict[str, str]:
    """Signed records of one kind (``assertions``...) by path, mapped to their issuer."""
    found: dict[str, str] = {}
    for path in snapshot.under("issuers/"):
        parts = path.split("/")
        if len(parts) == 4 and parts[2] == kind and parts[3].endswith(".json"):
            found[path] = parts[1]
    return found


def revoked_ids(snapshot: Snapshot, issuer: str) -> dict[str, Mapping[str, Any]]:
    """Revocations recorded by an issuer, by assertion id."""
    data = snapshot.yaml(f"issuers/{issuer}/revocations.yaml")
    items = data if isinstance(data, list) else (data or {}).get("revocations", [])
    if not isinstance(items, list):
        return {}
    return {str(i.get("assertion")): i for i in items if isinstance(i, Mapping)}


def _section(base: Snapshot, head: Snapshot, folder: str, label: str, describe: Any) -> list[str]:
    lines: list[str] = []
    old = {s: p for p in base.files if (s := _slug(p, folder))}
    new = {s: p for p in head.files if (s := _slug(p, folder))}
    for slug in sorted(set(old) | set(new)):
        if slug not in old:
            lines.append(f"{label} « {slug} » : ajouté")
        elif slug not in new:
            lines.append(f"{label} « {slug} » : supprimé")
        elif base.files[old[slug]] != head.files[new[slug]]:
            before, after = base.yaml(old[slug]), head.yaml(new[slug])
            if isinstance(before, Mapping) and isinstance(after, Mapping):
                lines.append(f"{label} « {slug} » : {', '.join(describe(before, after))}")
            else:
                lines.append(f"{label} « {slug} » : fichier modifié (illisible)")
    return lines


def summarise(base: Snapshot, head: Snapshot) -> list[str]:
    """One line per thing the change adds, changes or removes, in French."""
    lines = _section(base, head, "badges", "badge", badge_changes)
    lines += _section(base, head, "issuers", "émetteur", issuer_changes)
    if base.files.get("badgeons.yml") != head.files.get("badgeons.yml"):
        lines.append("réglages du site (badgeons.yml) modifiés")
    old, new = _records(base, "assertions"), _records(head, "assertions")
    by_issuer: dict[str, int] = {}
    for path, issuer in new.items():
        if path not in old:
            by_issuer[issuer] = by_issuer.get(issuer, 0) + 1
    for issuer, count in sorted(by_issuer.items()):
        lines.append(f"{_plural(count, 'badge délivré', 'badges délivrés')} par {issuer}")
    edited = sum(1 for path in old if path in new and base.files[path] != head.files[path])
    if edited:
        lines.append(_plural(edited, "badge délivré modifié", "badges délivrés modifiés"))
    removed = sum(1 for path in old if path not in new)
    if removed:
        lines.append(_plural(removed, "badge délivré supprimé", "badges délivrés supprimés"))
    issuers = {p.split("/")[1] for p in head.under("issuers/") if p.count("/") >= 2}
    revocations = sum(
        len(set(revoked_ids(head, i)) - set(revoked_ids(base, i))) for i in sorted(issuers)
    )
    if revocations:
        lines.append(_plural(revocations, "révocation", "révocations"))
    statements = sum(
        1
        for p in head.under("issuers/")
        if p.split("/")[2:3] == ["key-changes"] and p not in base.files
    )
    if statements:
        lines.append(
            _plural(
                statements, "déclaration signée de changement", "déclarations signées de changement"
            )
        )
    return lines
