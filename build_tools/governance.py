"""The rules a pull request must respect, checked by ``badgeons validate --base REF``.

Git is the collective's meeting table, but a repository that many members write to must not let
one of them issue or alter badges in another's name. Comparing the change with its base:

- signed records (awarded badges, endorsements, key-change statements) are append-only: an
  existing one is never edited or deleted; revocation, through ``revocations.yaml``, is the only
  change, and a revocation is never withdrawn;
- a new award is signed by a key that its issuer already held at the base;
- once an issuer has keys, its profile (keys included) changes only with a key-change statement
  signed by one of the keys it held (see :mod:`build_tools.statements`; ``badgeons profile
  sign`` writes one);
- a new badge class arrives as proposed (or draft); another pull request approves it;
- the criteria of a version under which badges were awarded never change (the awards embed
  them), and an approved badge whose criteria change gets a new version.

What the rules do not check rests on the reviewers: a badge's self-declared ``approval``, a
network's ``requires_approval``, who is added to a badge's ``issuers:``, a new issuer.

Each refusal is a diagnostic naming the file and the rule.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from build_tools import keys, ob3, signing, statements
from build_tools.changes import Snapshot, revoked_ids
from build_tools.diagnostics import Diagnostic, Position
from build_tools.model import Site
from build_tools.yamlsource import load_yaml_text

#: Kinds of signed records, each under ``issuers/<slug>/<kind>/``.
SIGNED = {
    "assertions": "badge signé",
    "endorsements": "recommandation signée",
    statements.FOLDER: "déclaration signée",
}
RULE_APPEND_ONLY = "règle : les enregistrements signés ne sont jamais modifiés ni supprimés"
RULE_REVOCATIONS = "règle : une révocation n'est jamais retirée"
RULE_HELD_KEY = "règle : un nouveau badge est signé par une clé que l'émetteur détenait déjà"
RULE_STATEMENT = (
    "règle : le profil d'un émetteur qui a des clés ne change qu'avec une déclaration "
    "signée par l'une de ses clés"
)
RULE_VERSION = "règle : changer les critères d'un badge approuvé crée une nouvelle version"
RULE_FROZEN = "règle : les critères d'une version déjà délivrée ne changent plus"
RULE_NEW_BADGE = (
    "règle : un nouveau badge arrive au statut proposé ; une autre demande de fusion l'approuve"
)


def check(base: Snapshot, head: Snapshot, ref: str, site: Site | None = None) -> list[Diagnostic]:
    """Every violation of the rules by the change from ``base`` to ``head`` (named ``ref``).

    ``site`` is the head's linked model, whose awards say which criteria each awarded version
    froze; without it (the head has errors of its own) that rule is left to the next run.
    """
    problems = _append_only(base, head)
    problems += _revocations_kept(base, head)
    problems += _new_awards(base, head, ref)
    for path in sorted(set(base.files) | set(head.files)):
        slug = _profile_slug(path)
        if slug is not None:
            problems += _profile(base, head, slug, ref)
    problems += _new_badges(base, head)
    problems += _criteria_versions(base, head, site)
    return problems


def _at(path: str) -> Position:
    return Position(path, 1, 1)


def _signed_kind(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == "issuers" and parts[2] in SIGNED:
        return parts[2]
    return None


def _profile_slug(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "issuers" and parts[1].endswith(".yaml"):
        return parts[1][: -len(".yaml")]
    return None


def _append_only(base: Snapshot, head: Snapshot) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for path, data in sorted(base.files.items()):
        kind = _signed_kind(path)
        if kind is None:
            continue
        what = SIGNED[kind]
        hint = " ; pour annuler un badge, utilisez badgeons revoke" if kind == "assertions" else ""
        if path not in head.files:
            problems.append(_at(path).error(kind, f"{what} supprimé ({RULE_APPEND_ONLY}{hint})"))
        elif head.files[path] != data:
            problems.append(_at(path).error(kind, f"{what} modifié ({RULE_APPEND_ONLY}{hint})"))
    return problems


def _revocations_kept(base: Snapshot, head: Snapshot) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for path in sorted(base.files):
        parts = path.split("/")
        if len(parts) != 3 or parts[0] != "issuers" or parts[2] != "revocations.yaml":
            continue
        kept = revoked_ids(head, parts[1])
        for assertion in revoked_ids(base, parts[1]):
            if assertion not in kept:
                problems.append(
                    _at(path).error(
                        "revocations",
                        f"révocation du badge « {assertion} » retirée ({RULE_REVOCATIONS})",
                    )
                )
    return problems


def _key_entries(snapshot: Snapshot, issuer: str) -> dict[str, Mapping[str, Any]]:
    data = snapshot.yaml(f"issuers/{issuer}.yaml")
    entries = data.get("keys") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        return {}
    return {str(k.get("id")): k for k in entries if isinstance(k, Mapping)}


def _header_kid(token: object) -> str | None:
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    segment = token.split(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def signing_key_ids(record: Mapping[str, Any]) -> list[str]:
    """The ids of the keys a record's three forms name as their signers."""
    found: list[str] = []
    proof = (record.get("ob3") or {}).get("proof") if isinstance(record.get("ob3"), dict) else None
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if isinstance(method, str):
        found.append(method.rsplit("#", 1)[-1])
    for name, suffix in (("ob3_jwt", ".jwk.json"), ("ob2_jws", ".json")):
        kid = _header_kid(record.get(name))
        if kid is not None:
            last = kid.rsplit("/", 1)[-1]
            found.append(last[: -len(suffix)] if last.endswith(suffix) else last)
    return list(dict.fromkeys(found))


def _new_awards(base: Snapshot, head: Snapshot, ref: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for path in sorted(head.files):
        if _signed_kind(path) != "assertions" or path in base.files:
            continue
        issuer = path.split("/")[1]
        try:
            record = json.loads(head.files[path])
        except (ValueError, UnicodeDecodeError):
            continue  # The ordinary validation reports an unreadable record.
        if not isinstance(record, dict):
            continue
        held, now = _key_entries(base, issuer), _key_entries(head, issuer)
        foreign = [
            kid
            for kid in signing_key_ids(record)
            if kid not in held
            or held[kid].get("compromised")
            or kid not in now
            or statements.key_fingerprint(held[kid]) != statements.key_fingerprint(now[kid])
        ]
        if foreign:
            names = ", ".join(f"« {k} »" for k in foreign)
            # Keys made in this very request: the usual case is a first award right after
            # keygen, which only needs the keys merged first.
            fresh = all(k in now and k not in held for k in foreign)
            hint = (
                " ; faites d'abord fusionner la demande qui ajoute ces clés, puis délivrez dans "
                "une autre"
                if fresh
                else ""
            )
            problems.append(
                _at(path).error(
                    "signature",
                    f"signé avec {'la clé' if len(foreign) == 1 else 'les clés'} {names} que "
                    f"« {issuer} » ne détenait pas sur {ref}{hint} ({RULE_HELD_KEY})",
                )
            )
    return problems


def _rsa_key(entry: Mapping[str, Any] | None) -> Any:
    if entry is None or entry.get("type") != "RSA" or entry.get("compromised"):
        return None
    try:
        return keys.rsa_public_key_from_jwk(entry.get("public_key_jwk") or {})
    except (keys.KeyStoreError, ValueError):
        return None


def _profile(base: Snapshot, head: Snapshot, slug: str, ref: str) -> list[Diagnostic]:
    path = f"issuers/{slug}.yaml"
    held = _key_entries(base, slug)
    if not held:
        return []  # A new issuer, or one without keys yet: the reviewers approve it.
    if path not in head.files:
        return [
            _at(path).error(
                "keys", f"émetteur « {slug} » supprimé alors qu'il a des clés ({RULE_STATEMENT})"
            )
        ]
    problems: list[Diagnostic] = []
    now = _key_entries(head, slug)
    trusted = dict(held)
    accepted: dict[str, Any] | None = None
    folder = f"issuers/{slug}/{statements.FOLDER}/"
    made = [p for p in head.under(folder) if p not in base.files]
    for statement in sorted(made, key=statements.statement_order):
        where = _at(statement)
        try:
            token = head.files[statement].decode("utf-8")
            kid, content = statements.read(token)
        except (statements.StatementError, UnicodeDecodeError) as exc:
            problems.append(
                where.error("statement", f"déclaration illisible : {exc} ({RULE_STATEMENT})")
            )
            continue
        key = _rsa_key(trusted.get(kid))
        if key is None:
            problems.append(
                where.error(
                    "statement",
                    f"déclaration signée avec la clé « {kid} » que « {slug} » ne détenait pas "
                    f"sur {ref} ({RULE_STATEMENT})",
                )
            )
            continue
        try:
            statements.verify(token, key)
        except signing.VerificationError as exc:
            problems.append(
                where.error("statement", f"signature refusée : {exc} ({RULE_STATEMENT})")
            )
            continue
        if content.get("issuer") != slug:
            problems.append(
                where.error(
                    "statement",
                    f"déclaration faite pour « {content.get('issuer')} » et non « {slug} »",
                )
            )
            continue
        listed = {str(k.get("id")): k for k in content.get("keys") or [] if isinstance(k, dict)}
        # The keys this statement leaves usable, as it lists them: a key it lists as not
        # compromised may sign the next statement, even if a later one marks it compromised
        # (after a theft: compromise the keys, then make new ones, in one merge request).
        trusted = {
            kid: {k: v for k, v in entry.items() if k != "compromised"}
            for kid, entry in now.items()
            if kid in listed
            and not listed[kid].get("compromised")
            and listed[kid].get("sha256") == statements.key_fingerprint(entry)
        }
        accepted = content
    if head.files[path] == base.files.get(path):
        return problems
    sign = f"signez-le avec : badgeons profile sign {slug}"
    if accepted is None:
        before, after = base.yaml(path), head.yaml(path)
        keys_changed = not isinstance(after, Mapping) or held != now
        if keys_changed:
            where = _locate(head, path, "keys")
            field, what = "keys", f"clés de « {slug} » modifiées"
            hint = (
                f"les clés changent avec badgeons keygen {slug} ou badgeons compromise {slug} "
                "CLÉ, qui écrivent la déclaration"
            )
        else:
            assert isinstance(before, Mapping) and isinstance(after, Mapping)
            fields = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            # The first changed field that the new profile still has is the one pointed at.
            where = next(
                (_locate(head, path, f) for f in fields if f in after), _locate(head, path, "")
            )
            field, what = (
                "profile",
                f"profil de « {slug} » modifié ({', '.join(fields) or 'mise en forme'})",
            )
            hint = sign
        problems.append(
            where.error(
                field,
                f"{what} sans déclaration signée par l'une de ses clés ; {hint} ({RULE_STATEMENT})",
            )
        )
    elif accepted.get("profile_sha256") != statements.profile_digest(head.files[path]):
        problems.append(
            _at(path).error(
                "profile",
                f"le profil de « {slug} » a changé depuis sa dernière déclaration signée ; "
                f"{sign} de nouveau ({RULE_STATEMENT})",
            )
        )
    return problems


def _locate(snapshot: Snapshot, path: str, field: str) -> Position:
    """The position of a top-level field in a YAML file of the snapshot (else line 1)."""
    try:
        source, _ = load_yaml_text(snapshot.files[path].decode("utf-8"), path)
    except UnicodeDecodeError:
        return _at(path)
    if source is None:
        return _at(path)
    return source.locate((field,) if field else ())


def _badge_slug(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "badges" and parts[1].endswith(".yaml"):
        return parts[1][: -len(".yaml")]
    return None


def _new_badges(base: Snapshot, head: Snapshot) -> list[Diagnostic]:
    """A new badge class arrives as proposed or draft (docs/gouvernance.md, section 1)."""
    problems: list[Diagnostic] = []
    for path in sorted(head.files):
        if _badge_slug(path) is None or path in base.files:
            continue
        data = head.yaml(path)
        if not isinstance(data, Mapping):
            continue  # The ordinary validation reports it.
        status = data.get("status", "approved")
        if status != "approved":
            continue
        said = "status: approved" if "status" in data else "sans status, il serait approuvé"
        problems.append(
            _locate(head, path, "status" if "status" in data else "").error(
                "status",
                f"nouveau badge déjà approuvé ({said}) : un nouveau badge arrive au statut "
                "proposé (status: proposed) ou brouillon (status: draft) ; une fois le badge "
                f"accepté, une autre demande de fusion le passe à status: approved ({RULE_NEW_BADGE})",
            )
        )
    return problems


def _criteria_digest(site: Site, slug: str) -> str:
    """The digest of the criteria a badge's awards would embed now (see awards.criteria_digest)."""
    narrative = ob3.achievement(site, site.badges[slug])["criteria"]["narrative"]
    return hashlib.sha256(narrative.encode("utf-8")).hexdigest()


def _frozen(site: Site | None, slug: str, version: object) -> int:
    """How many awards of the badge's ``version`` embed criteria other than its current ones."""
    if site is None or slug not in site.badges or site.badges[slug].version != str(version):
        return 0
    awarded = [a for a in site.awards_by_badge.get(slug, ()) if a.badge_version == str(version)]
    if not awarded:
        return 0
    current = _criteria_digest(site, slug)
    return sum(1 for a in awarded if a.criteria_digest != current)


def _unused_version(site: Site, slug: str, before: object) -> str:
    """A version number that neither the awards nor the base used: the next major one."""
    used = [site.badges[slug].version, str(before)]
    used += [a.badge_version for a in site.awards_by_badge.get(slug, ())]
    majors = [int(v.split(".")[0]) for v in used if v.split(".")[0].isdigit()]
    return f"{max(majors, default=0) + 1}.0"


def _criteria_versions(base: Snapshot, head: Snapshot, site: Site | None) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for path in sorted(head.files):
        slug = _badge_slug(path)
        if slug is None:
            continue
        old, new = base.yaml(path), head.yaml(path)
        if not isinstance(new, Mapping):
            continue
        if isinstance(old, Mapping) and (old.get("criteria"), old.get("version")) == (
            new.get("criteria"),
            new.get("version"),
        ):
            continue
        # Whatever the badge's status: once awarded under a version, its criteria are frozen.
        frozen = _frozen(site, slug, new.get("version"))
        if frozen:
            assert site is not None
            before = old.get("version") if isinstance(old, Mapping) else None
            unused = _unused_version(site, slug, before)
            problems.append(
                _locate(head, path, "version").error(
                    "version",
                    f"{frozen} badge(s) déjà délivré(s) sous la version « {new.get('version')} » "
                    "ont d'autres critères : les badges délivrés gardent leurs critères ; "
                    f"donnez à ces critères une version jamais délivrée, par exemple "
                    f'version: "{unused}" ({RULE_FROZEN})',
                )
            )
            continue
        if not isinstance(old, Mapping):
            continue
        if old.get("status", "approved") != "approved" or old.get("criteria") == new.get(
            "criteria"
        ):
            continue
        if old.get("version") == new.get("version"):
            problems.append(
                _locate(head, path, "version").error(
                    "version",
                    f"critères modifiés sans nouvelle version (toujours « {new.get('version')} ») : "
                    f"les badges déjà délivrés gardent leurs critères ; augmentez version "
                    f"({RULE_VERSION})",
                )
            )
    return problems
