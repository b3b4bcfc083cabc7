"""The ``badgeons`` command line.

The commands only parse their arguments and call the core; what they print is for the trainers
and collective members who run them, so it is in French.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import click

from build_tools import __version__, attestation_cli, cache, discover, scaffold
from build_tools.cli_common import (
    KEY_DIR_OPTION,
    ROOT_OPTION,
    SUBCOMMAND_METAVAR,
    ask_passphrase,
    passphrase_for_use,
    site_or_fail,
)
from build_tools.collection_cli import collection
from build_tools.consent_cli import consent
from build_tools.diagnostics import Position, format_json, format_text
from build_tools.endorse_cli import endorse
from build_tools.init_cli import init_command
from build_tools.pipeline import load_site
from build_tools.profile_cli import profile
from build_tools.urls import Urls

T = TypeVar("T")


# The build cache (build_tools/cache.py) can be turned off, to rebuild everything from scratch.
NO_CACHE_OPTION = click.option(
    "--no-cache",
    is_flag=True,
    help="Tout recalculer sans lire ni écrire le cache (.cache/badgeons/).",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    subcommand_metavar=SUBCOMMAND_METAVAR,
)
@click.version_option(__version__, prog_name="badgeons")
def main() -> None:
    """Badgeons : un dépôt git comme plateforme d'open badges."""


def run() -> None:
    """The ``badgeons`` command: :func:`main`, in a process that ends with it.

    Once the command has finished, the process ends at once (``os._exit``, as mypy does), its
    output flushed: freeing a large site object by object, then collecting what is left, would
    only delay the exit (about a seventh of a second at 10,000 awards). Every file, pool of
    workers and temporary folder is closed by the command itself. An exception that escapes
    the command ends the process the usual way, with its traceback.
    """
    try:
        main()
    except SystemExit as exc:
        status = _exit_status(exc.code)
    else:
        status = 0
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (``badgeons ... | head``) has had all it takes.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status that Python gives ``sys.exit(code)``, printing a message as it does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


@main.command()
@ROOT_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Format du rapport.",
)
@click.option("--strict", is_flag=True, help="Les avertissements comptent comme des erreurs.")
@NO_CACHE_OPTION
@click.option(
    "--base",
    metavar="REF",
    default=None,
    help="Comparer avec cette révision git (la branche cible d'une demande de fusion) : "
    "résumé des changements et règles de gouvernance.",
)
def validate(root: Path, fmt: str, strict: bool, no_cache: bool, base: str | None) -> None:
    """Vérifier tout le dépôt (badges, émetteurs, réglages) sans construire le site."""
    from build_tools import changes, review

    cache.disable(no_cache)
    site, report = load_site(root.resolve())
    try:
        summary = review.review(root.resolve(), site, report, base)
    except changes.ChangesError as exc:
        if fmt == "json":
            # A program reading the report (the CI's annotations) always gets one.
            click.echo(review.json_report(format_json(report.sorted()), base, None, str(exc)))
        raise click.ClickException(str(exc)) from None
    diagnostics = report.sorted()
    if fmt == "json":
        click.echo(review.json_report(format_json(diagnostics), base, summary))
    else:
        if base is not None and summary is not None:
            click.echo(review.summary_text(base, summary))
        if diagnostics:
            click.echo(format_text(diagnostics))
        errors, warnings = len(report.errors), len(report.warnings)
        if errors or warnings:
            click.echo(f"{errors} erreur(s), {warnings} avertissement(s).", err=True)
        else:
            click.echo("Le dépôt est valide.", err=True)
    sys.exit(1 if report.has_errors(strict) else 0)


@main.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def new() -> None:
    """Créer le squelette d'un émetteur ou d'un badge, à compléter."""


@new.command("issuer")
@click.argument("slug", metavar="IDENTIFIANT")
@click.option("--network", is_flag=True, help="Créer un réseau (collectif) plutôt qu'un organisme.")
@ROOT_OPTION
def new_issuer(slug: str, network: bool, root: Path) -> None:
    """Créer issuers/IDENTIFIANT.yaml."""
    try:
        path = scaffold.new_issuer(root, slug, network)
    except scaffold.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Créé : {path.relative_to(root).as_posix()}")
    click.echo("Complétez les champs « À COMPLÉTER », puis lancez : badgeons validate")


@new.command("badge")
@click.argument("slug", metavar="IDENTIFIANT")
@click.option(
    "--issuer",
    metavar="ORGANISME",
    required=True,
    help="Identifiant de l'émetteur ou du réseau qui le délivre.",
)
@ROOT_OPTION
def new_badge(slug: str, issuer: str, root: Path) -> None:
    """Créer badges/IDENTIFIANT.yaml et une image de départ."""
    try:
        paths = scaffold.new_badge(root, slug, issuer)
    except scaffold.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    for path in paths:
        click.echo(f"Créé : {path.relative_to(root).as_posix()}")
    click.echo("Complétez les champs « À COMPLÉTER », puis lancez : badgeons validate")


@main.command()
@ROOT_OPTION
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier de sortie (par défaut : site/ dans le dépôt).",
)
@click.option("--strict", is_flag=True, help="Les avertissements arrêtent la construction.")
@NO_CACHE_OPTION
def build(root: Path, site_dir: Path | None, strict: bool, no_cache: bool) -> None:
    """Construire le site statique (catalogue, pages de vérification, images)."""
    cache.disable(no_cache)
    _build(root.resolve(), site_dir, strict)


@main.command()
@ROOT_OPTION
@click.option(
    "--host",
    metavar="ADRESSE",
    default="127.0.0.1",
    show_default=True,
    help="Adresse d'écoute (127.0.0.1 : cet ordinateur seulement).",
)
@click.option(
    "--port", metavar="PORT", default=8000, show_default=True, type=int, help="Port d'écoute."
)
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier de sortie (par défaut : site/ dans le dépôt).",
)
def serve(root: Path, host: str, port: int, site_dir: Path | None) -> None:
    """Construire le site puis le servir localement, tel qu'un hébergeur statique le servirait."""
    from build_tools import sitebuild

    output = _build(root.resolve(), site_dir, strict=False)
    # Served below the path of site_url (/repo/ for https://org.github.io/repo/), as published.
    settings, _ = discover.load_settings(root.resolve())
    prefix = sitebuild.served_path(str(settings.source.data["site_url"])) if settings else "/"
    try:
        server = sitebuild.make_server(output, host, port, prefix)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"le port {port} est déjà utilisé ; essayez --port {port + 1}"
            ) from None
        raise click.ClickException(
            f"impossible d'écouter sur {host}:{port} ({exc.strerror})"
        ) from None
    click.echo(f"Site servi sur http://{host}:{server.server_port}{prefix} (Ctrl+C pour arrêter)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("\nArrêt du serveur.")
    finally:
        server.server_close()


def _now() -> datetime:
    return datetime.now(UTC)


@main.command()
@click.argument("issuer", metavar="ORGANISME")
@ROOT_OPTION
@KEY_DIR_OPTION
@click.option(
    "--passphrase/--no-passphrase",
    default=True,
    show_default=True,
    help="Chiffrer les clés privées avec une phrase de passe (demandée, ou $BADGEONS_KEY_PASSPHRASE).",
)
def keygen(issuer: str, root: Path, key_dir: Path | None, passphrase: bool) -> None:
    """Créer les clés de signature d'un émetteur (Ed25519 et RSA-2048).

    Les clés privées sont rangées hors du dépôt ; seules les clés publiques sont ajoutées au
    profil issuers/ORGANISME.yaml. Relancer la commande ajoute de nouvelles clés (rotation) : les
    badges signés avec les anciennes restent valides.
    """
    from build_tools import keygen as keygen_module
    from build_tools import keys, statements

    secret = ask_passphrase(confirm=True) if passphrase else None
    now = _now()
    try:
        # An issuer that already has keys signs the change with its current key (rotation).
        before = statements.profile_keys(root.resolve(), issuer)
        signer = statements.load_rsa_signer(root.resolve(), issuer, key_dir, ask_passphrase, secret)
        made = keygen_module.generate(
            root.resolve(), issuer, passphrase=secret, key_dir=key_dir, now=now
        )
        if signer is not None:
            after = statements.profile_keys(root.resolve(), issuer)
            path = statements.record(root.resolve(), issuer, before, after, *signer, now)
            click.echo(f"Déclaration signée par {signer[0]} : {path.relative_to(root.resolve())}")
    except (keygen_module.KeygenError, keys.KeyStoreError, statements.StatementError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Clés ajoutées au profil issuers/{issuer}.yaml : {made.ed25519_id}, {made.rsa_id}")
    for path in made.private_files:
        click.echo(f"Clé privée (à sauvegarder, ne jamais partager) : {path}")


@main.command()
@click.argument("issuer", metavar="ORGANISME")
@click.argument("key", metavar="CLÉ")
@click.option(
    "--since",
    metavar="DATE",
    required=True,
    help="Date (AAAA-MM-JJ) ou date et heure depuis laquelle la clé est compromise.",
)
@ROOT_OPTION
@KEY_DIR_OPTION
def compromise(issuer: str, key: str, since: str, root: Path, key_dir: Path | None) -> None:
    """Déclarer une clé compromise : les signatures faites depuis cette date sont refusées."""
    from build_tools import issuing, statements
    from build_tools import keygen as keygen_module

    try:
        when = issuing.parse_when(since)
        before = statements.profile_keys(root.resolve(), issuer)
        unsigned: str | None = None
        try:
            signer = statements.load_rsa_signer(root.resolve(), issuer, key_dir, ask_passphrase)
        except statements.StatementError as exc:
            # A stolen or lost key must still be marked; the collective approves it by hand.
            signer, unsigned = None, str(exc)
        # The keys of the same type that stay valid, newest last (the signer is always RSA).
        kind = next(
            (k.get("type") for k in before if isinstance(k, dict) and k.get("id") == key), None
        )
        left = sorted(
            (str(k.get("created")), str(k.get("id")))
            for k in before
            if isinstance(k, dict)
            and k.get("type") == kind
            and not k.get("compromised")
            and k.get("id") != key
        )
        if signer is not None and signer[0] == key and not left:
            # Its private key is at hand: new keys must come first, signed by it, since no
            # statement signed by a compromised key is accepted (docs/gouvernance.md).
            raise click.ClickException(
                f"« {key} » est la dernière clé RSA valide de « {issuer} » : créez d'abord de "
                f"nouvelles clés (badgeons keygen {issuer}), signées par elle, puis déclarez les "
                "anciennes compromises ; sans cela, l'organisme ne pourrait plus signer de "
                "déclaration, ni donc créer de clés"
            )
        keygen_module.mark_compromised(root.resolve(), issuer, key, when)
        if unsigned is not None:
            click.echo(
                f"Attention : pas de déclaration signée ({unsigned}). La CI refusera ce "
                "changement du profil tant qu'un responsable du dépôt ne l'aura pas accepté "
                "(docs/gouvernance.md).",
                err=True,
            )
        if signer is not None:
            after = statements.profile_keys(root.resolve(), issuer)
            path = statements.record(root.resolve(), issuer, before, after, *signer, _now())
            click.echo(f"Déclaration signée par {signer[0]} : {path.relative_to(root.resolve())}")
    except (keygen_module.KeygenError, issuing.IssuingError, statements.StatementError) as exc:
        raise click.ClickException(str(exc)) from None
    following = (
        f"La clé {left[-1][1]} reste valide."
        if left
        else f"Créez-en une nouvelle : badgeons keygen {issuer}"
    )
    click.echo(f"Clé {key} marquée compromise depuis le {since}. {following}")


@main.command()
@click.argument("badge", metavar="BADGE")
@click.option(
    "--issuer", metavar="ORGANISME", required=True, help="Organisme qui délivre le badge."
)
@click.option(
    "--recipient",
    metavar="EMAIL",
    help="Adresse e-mail de la personne (jamais enregistrée : seule une empreinte l'est).",
)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Fichier CSV d'un groupe : une ligne par personne (voir docs/guide-formateurs.md).",
)
@click.option(
    "--request",
    "request_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Demande acceptée (demande-BADGE.json, envoyée par la personne ; à garder hors du dépôt).",
)
@click.option(
    "--name",
    metavar="NOM",
    help="Nom à afficher sur la page du badge, avec l'accord de la personne.",
)
@click.option("--name-consent", is_flag=True, help="La personne a accepté que ce nom soit affiché.")
@click.option(
    "--evidence",
    "evidence_urls",
    metavar="URL",
    multiple=True,
    help="Adresse d'une preuve (répétable).",
)
@click.option(
    "--narrative",
    metavar="TEXTE",
    help="Ce que la personne a montré (texte public, sans donnée personnelle).",
)
@click.option(
    "--issued-on", metavar="DATE", help="Date d'attribution (AAAA-MM-JJ ; par défaut : maintenant)."
)
@click.option(
    "--expires",
    metavar="DATE",
    help="Date d'expiration (par défaut : d'après la validité du badge).",
)
@click.option(
    "--attestations",
    "attestations_file",
    type=click.Path(dir_okay=False, path_type=Path),
    is_flag=False,
    flag_value="attestations.html",
    metavar="[FICHIER]",
    help="Écrire aussi les attestations à imprimer, dans l'ordre du tableur, dans FICHIER "
    "(par défaut : attestations.html ; voir badgeons attestations).",
)
@click.option(
    "--dry-run", is_flag=True, help="Montrer ce qui serait délivré, sans rien signer ni écrire."
)
@ROOT_OPTION
@KEY_DIR_OPTION
def award(
    badge: str,
    issuer: str,
    recipient: str | None,
    csv_file: Path | None,
    request_file: Path | None,
    name: str | None,
    name_consent: bool,
    evidence_urls: tuple[str, ...],
    narrative: str | None,
    issued_on: str | None,
    expires: str | None,
    attestations_file: Path | None,
    dry_run: bool,
    root: Path,
    key_dir: Path | None,
) -> None:
    """Délivrer un badge à une personne (--recipient) ou à un groupe (--csv)."""
    from build_tools import groupfile, issuing, requests_file

    root = root.resolve()
    if [recipient, csv_file, request_file].count(None) != 2:
        raise click.ClickException(
            "indiquez soit --recipient EMAIL, soit --csv FICHIER, soit --request DEMANDE.json"
        )
    site = site_or_fail(root, check_signatures=False)
    warning = issuing.example_site_warning(site.settings.site_url)
    if warning is not None:
        click.echo(warning, err=True)
    try:
        profile, badge_class = issuing.check_allowed(site, issuer, badge)
        now = _now()
        when = issuing.parse_when(issued_on) if issued_on else now
        until = issuing.parse_when(expires, end_of_day=True) if expires else None
        if csv_file is not None:
            requests, problems = groupfile.read_group(csv_file, str(csv_file), when)
        elif request_file is not None:
            # A learner's request (build_tools/requests_file.py), awarded like --recipient.
            asked = requests_file.read_request(request_file, badge, issuer)
            click.echo("\n".join(requests_file.summary(asked, name_consent)))
            request = requests_file.award_request(
                asked, issued_on=when, expires=until, name_consent=name_consent, narrative=narrative
            )
            requests, problems = [request], []
        else:
            assert recipient is not None
            request = issuing.AwardRequest(
                email=issuing.normalise(recipient),
                issued_on=when,
                expires=until,
                name=name,
                name_consent=name_consent,
                evidence=tuple(issuing.Evidence(url=u) for u in evidence_urls),
                narrative=narrative,
            )
            requests, problems = [request], []
    except (issuing.IssuingError, ValueError, requests_file.RequestFileError) as exc:
        raise click.ClickException(str(exc)) from None
    problems += issuing.request_problems(requests)
    if problems:
        click.echo(format_text(sorted(problems)), err=True)
        raise click.ClickException(f"{len(problems)} erreur(s) : aucun badge n'a été délivré")
    if not requests:
        raise click.ClickException("aucune personne à qui délivrer le badge")
    if attestations_file is not None and not attestations_file.absolute().parent.is_dir():
        # Checked before anything is signed: the awards and their attestations go together.
        raise click.ClickException(
            f"impossible d'écrire {attestations_file} : "
            f"le dossier {attestations_file.absolute().parent} n'existe pas"
        )
    if dry_run:
        for r in requests:
            shown = f" — nom affiché : {r.name}" if r.name else ""
            click.echo(
                f"[essai] {badge} pour {r.email} le {issuing.format_time(r.issued_on)}{shown}"
            )
        click.echo(
            f"[essai] {len(requests)} badge(s) seraient délivrés par {issuer} ; rien n'a été écrit."
        )
        if attestations_file is not None:
            click.echo(f"[essai] leurs attestations seraient écrites dans {attestations_file}.")
        return
    try:
        signer = issuing.load_signer(
            profile, passphrase_for_use(profile, key_dir, now), key_dir, now
        )
    except issuing.IssuingError as exc:
        raise click.ClickException(str(exc)) from None
    signed = [
        issuing.sign_award(site, profile, badge_class, r, signer)
        for r in _progress(requests, "Signature")
    ]
    paths = issuing.write_awards(root, issuer, signed, now.date())
    urls = Urls(site.settings.site_url)
    # Each line names the person (as the issuer typed it; it is never stored), so that a group's
    # trainer knows which page to give to whom.
    for item, path in zip(signed, paths, strict=True):
        page = urls.absolute(urls.assertion_page(item.assertion_id))
        click.echo(
            f"Délivré à {item.request.email} : {page}  ({path.relative_to(root).as_posix()})"
        )
    click.echo(
        f"{len(signed)} badge(s) délivré(s). Enregistrez-les dans git (git add issuers/{issuer}), puis publiez le site."
    )
    if attestations_file is not None:
        # The repository now holds the new awards: it is read again to print them.
        awarded = site_or_fail(root, check_signatures=False)
        ids = [item.assertion_id for item in signed]
        try:
            attestation_cli.write(awarded, [awarded.awards[i] for i in ids], attestations_file)
        except click.ClickException as exc:
            raise click.ClickException(
                f"{exc.message}. Les badges sont délivrés ; pour leurs attestations : "
                f"badgeons attestations {' '.join(ids)} --output FICHIER"
            ) from None


def _progress(items: list[T], label: str) -> Iterator[T]:
    """A progress bar on a terminal for long runs; silent in CI and in pipes."""
    from build_tools import progress

    return progress.track(items, label)


@main.command()
@click.argument("assertion", metavar="IDENTIFIANT")
@click.option(
    "--reason", metavar="MOTIF", required=True, help="Motif, public (sans donnée personnelle)."
)
@ROOT_OPTION
def revoke(assertion: str, reason: str, root: Path) -> None:
    """Révoquer un badge délivré ; la page du badge et les listes de révocation le montreront."""
    from build_tools import issuing

    site = site_or_fail(root.resolve(), check_signatures=False)
    try:
        path = issuing.revoke(site, assertion, reason, _now())
    except issuing.IssuingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Badge {assertion} révoqué ({path.relative_to(root.resolve()).as_posix()}). Publiez le site pour que la révocation soit visible."
    )


@main.command("verify")
@click.argument("target", metavar="CIBLE")
@click.option(
    "--recipient",
    metavar="EMAIL",
    help="Vérifier aussi que le badge a été délivré à cette adresse e-mail.",
)
@click.option(
    "--offline",
    "site_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Site construit où lire les documents de ce dépôt, sans réseau.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Format du verdict (json : pour un autre programme).",
)
@ROOT_OPTION
def verify_command(
    target: str, recipient: str | None, site_dir: Path | None, fmt: str, root: Path
) -> None:
    """Vérifier un badge : fichier JSON, JWS/JWT, image PNG ou SVG, ou adresse web.

    Vérifie la signature, l'émetteur et sa clé, la validité, la révocation et, avec
    --recipient, le destinataire. Code de sortie 0 si le badge est valide, 1 sinon.
    """
    import json as json_module

    from build_tools import checker
    from build_tools.fetching import Fetcher

    site_url = None
    if site_dir is not None:
        settings, _ = discover.load_settings(root.resolve())
        if settings is None:
            raise click.ClickException(
                "--offline lit site_url dans badgeons.yml : lancez la commande depuis le dépôt (ou --root)"
            )
        site_url = str(settings.source.data["site_url"])
    fetcher = Fetcher(site_url=site_url, site_dir=site_dir, offline=site_dir is not None)
    report = checker.verify(target, fetcher=fetcher, recipient=recipient)
    if fmt == "json":
        click.echo(json_module.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.as_text())
    sys.exit(0 if report.valid else 1)


def _build(root: Path, site_dir: Path | None, strict: bool) -> Path:
    """Validate, then build through MkDocs; on any error the previous site stays as it was."""
    from mkdocs.exceptions import MkDocsException

    from build_tools import sitebuild

    output = (site_dir or root / "site").absolute()
    # The previous site is checked against its manifest on the other core while the
    # repository loads (sitebuild.start_sync).
    with sitebuild.start_sync(root, output) as sync:
        site, report = load_site(root)
        # MkDocs would name a missing configuration only once the repository is checked, in
        # English: it is reported here with the repository's own errors, in one run.
        if not (root / sitebuild.CONFIG_FILE).is_file():
            report.add(
                Position(sitebuild.CONFIG_FILE).error(
                    "",
                    "configuration du site absente : copiez le mkdocs.yml du dépôt de "
                    "démonstration (badgeons init crée un dépôt complet)",
                )
            )
        if report.sorted():
            click.echo(format_text(report.sorted()), err=True)
        if report.has_errors(strict):
            raise click.ClickException(
                "le dépôt contient des erreurs : le site n'a pas été modifié"
            )
        try:
            sitebuild.build(root, output, strict=strict, site=site, sync=sync)
        except MkDocsException as exc:
            raise click.ClickException(
                f"échec de la construction ({exc}) : le site n'a pas été modifié"
            ) from None
    click.echo(f"Site construit dans {output}")
    return output


# Holders' consents to appear on the map of the territoire apprenant (build_tools/consent_cli.py).
main.add_command(consent)

# Endorsements by employers, tutors and professional branches (build_tools/endorse_cli.py).
main.add_command(endorse)

# Holders' "sacs à badges" (build_tools/collection_cli.py).
main.add_command(collection)

# A group's attestations, printed in one go (build_tools/attestation_cli.py).
main.add_command(attestation_cli.attestations_command)

# An issuer's signed statement of its own profile change (build_tools/profile_cli.py).
main.add_command(profile)

# A collective's own repository, started from the demonstration (build_tools/init_cli.py).
main.add_command(init_command)
