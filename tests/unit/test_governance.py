"""Scripted pull requests against a base: legitimate changes pass, attacks are refused."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from build_tools import changes, governance, issuing, keygen, statements
from build_tools.cli import main
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo
from tests.support.scripted_pr import commit_base, validate

LATER = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HELD = governance.RULE_HELD_KEY
APPEND = governance.RULE_APPEND_ONLY
STATEMENT = governance.RULE_STATEMENT
KEYS_HINT = (
    " ; les clés changent avec badgeons keygen atelier-test ou badgeons compromise atelier-test "
    "CLÉ, qui écrivent la déclaration"
)


@pytest.fixture
def pr(awarded_repo: AwardedRepo) -> AwardedRepo:
    """The awarded repository committed as the base ``main`` of a pull request."""
    commit_base(awarded_repo.root)
    return awarded_repo


def _award(repo: AwardedRepo, key_dir: Path, learner: str = "dora") -> str:
    site, _ = load_site(repo.root, check_signatures=False)
    assert site is not None
    profile, badge = issuing.check_allowed(site, "atelier-test", "telephone")
    signer = issuing.load_signer(profile, None, key_dir, LATER)
    request = issuing.AwardRequest(email=f"{learner}@example.org", issued_on=LATER)
    signed = issuing.sign_award(site, profile, badge, request, signer)
    issuing.write_awards(repo.root, "atelier-test", [signed], LATER.date())
    return signed.assertion_id


def _record(assertion_id: str) -> str:
    return f"issuers/atelier-test/assertions/{assertion_id}.json"


# Legitimate changes.


def test_unchanged_branch_says_so(pr: AwardedRepo) -> None:
    outcome = validate(pr.root)
    assert outcome.code == 0
    assert outcome.lines == ["Aucun changement de données par rapport à main."]
    assert outcome.stderr == "Le dépôt est valide.\n"


def test_new_badge_passes_with_its_summary(pr: AwardedRepo) -> None:
    text = (pr.root / "badges" / "telephone.yaml").read_text(encoding="utf-8")
    text = text.replace("Utiliser un téléphone portable", "Utiliser une tablette")
    text = text.replace("Using a mobile phone", "Using a tablet")
    (pr.root / "badges" / "tablette.yaml").write_text(text + "status: proposed\n", encoding="utf-8")
    outcome = validate(pr.root)
    assert outcome.lines == ["Changements par rapport à main :", "  - badge « tablette » : ajouté"]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")


def test_new_award_signed_with_a_held_key_passes(pr: AwardedRepo) -> None:
    _award(pr, pr.key_dir)
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - 1 badge délivré par atelier-test",
    ]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")


def test_revocation_passes(pr: AwardedRepo) -> None:
    site, _ = load_site(pr.root, check_signatures=False)
    assert site is not None
    issuing.revoke(site, pr.ids["bob"], "Attribué par erreur", LATER)
    outcome = validate(pr.root)
    assert outcome.lines == ["Changements par rapport à main :", "  - 1 révocation"]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")


def test_key_rotation_with_its_signed_statement_passes(pr: AwardedRepo) -> None:
    env = {"BADGEONS_KEY_DIR": str(pr.key_dir), "BADGEONS_KEY_PASSPHRASE": ""}
    result = CliRunner(env=env).invoke(
        main, ["keygen", "atelier-test", "--root", str(pr.root), "--no-passphrase"]
    )
    assert result.exit_code == 0, result.output
    written = sorted((pr.root / "issuers" / "atelier-test" / "key-changes").iterdir())
    assert len(written) == 1 and written[0].suffix == ".jws"
    kid, content = statements.read(written[0].read_text(encoding="utf-8"))
    assert kid == pr.keys.rsa_id
    assert len(content["added"]) == 2 and len(content["keys"]) == 4
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - émetteur « atelier-test » : 2 clés ajoutées",
        "  - 1 déclaration signée de changement",
    ]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")


def test_compromise_writes_a_statement_that_passes(pr: AwardedRepo) -> None:
    env = {"BADGEONS_KEY_DIR": str(pr.key_dir), "BADGEONS_KEY_PASSPHRASE": ""}
    result = CliRunner(env=env).invoke(
        main,
        [
            "compromise",
            "atelier-test",
            pr.keys.ed25519_id,
            "--since",
            "2026-06-01",
            "--root",
            str(pr.root),
        ],
    )
    assert result.exit_code == 0, result.output
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - émetteur « atelier-test » : clé marquée compromise",
        "  - 1 déclaration signée de changement",
    ]
    assert outcome.code == 0


def test_after_a_theft_the_keys_are_replaced_in_one_request(pr: AwardedRepo) -> None:
    """Both private keys stolen: the issuer declares them compromised and makes new ones.

    The last valid RSA key must sign the new keys' statement before it is itself declared
    compromised (``compromise`` refuses the other order), and a statement it signed while the
    request had not yet marked it compromised stays valid.
    """
    env = {"BADGEONS_KEY_DIR": str(pr.key_dir), "BADGEONS_KEY_PASSPHRASE": ""}
    root = ["--root", str(pr.root)]
    since = ["--since", "2026-06-01"]

    def run(*arguments: str) -> str:
        result = CliRunner(env=env).invoke(main, [*arguments, *root])
        assert result.exit_code == 0, result.output
        return result.output

    run("compromise", "atelier-test", pr.keys.ed25519_id, *since)
    refused = CliRunner(env=env).invoke(
        main, ["compromise", "atelier-test", pr.keys.rsa_id, *since, *root]
    )
    assert refused.exit_code == 1
    assert "créez d'abord de nouvelles clés (badgeons keygen atelier-test)" in refused.output
    run("keygen", "atelier-test", "--no-passphrase")
    assert "reste valide" in run("compromise", "atelier-test", pr.keys.rsa_id, *since)
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - émetteur « atelier-test » : 2 clés ajoutées, 2 clés marquées compromises",
        "  - 3 déclarations signées de changement",
    ]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")


def test_profile_change_with_a_statement_passes(pr: AwardedRepo) -> None:
    profile = pr.root / "issuers" / "atelier-test.yaml"
    before = statements.profile_keys(pr.root, "atelier-test")
    text = profile.read_text(encoding="utf-8")
    profile.write_text(
        text.replace("atelier.example.org/", "atelier.example.fr/"), encoding="utf-8"
    )
    signer = statements.load_rsa_signer(pr.root, "atelier-test", pr.key_dir, lambda: None)
    assert signer is not None
    statements.record(pr.root, "atelier-test", before, before, *signer, LATER)
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - émetteur « atelier-test » : profil modifié (url)",
        "  - 1 déclaration signée de changement",
    ]
    assert outcome.code == 0


def test_new_issuer_without_keys_may_be_added(pr: AwardedRepo) -> None:
    text = (pr.root / "issuers" / "atelier-test.yaml").read_text(encoding="utf-8")
    text = text.split("\nkeys:")[0].replace("Atelier de test", "Autre atelier") + "\n"
    text = text.replace("logo: atelier-test/logo.png\n", "")
    (pr.root / "issuers" / "autre-atelier.yaml").write_text(text, encoding="utf-8")
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - émetteur « autre-atelier » : ajouté",
    ]
    assert outcome.code == 0


# Attacks and careless changes.


def test_forged_assertion_signed_with_a_fresh_key_is_refused(
    pr: AwardedRepo, tmp_path: Path
) -> None:
    # The attacker adds keys of its own to another issuer's profile and signs with them.
    fresh = keygen.generate(
        pr.root, "atelier-test", passphrase=None, key_dir=tmp_path / "attacker", now=LATER
    )
    forged = _award(pr, tmp_path / "attacker")
    outcome = validate(pr.root)
    assert outcome.lines[:3] == [
        "Changements par rapport à main :",
        "  - émetteur « atelier-test » : 2 clés ajoutées",
        "  - 1 badge délivré par atelier-test",
    ]
    assert outcome.lines[3:] == [
        "issuers/atelier-test.yaml:17:1: error: keys: clés de « atelier-test » modifiées sans "
        f"déclaration signée par l'une de ses clés{KEYS_HINT} ({STATEMENT})",
        f"{_record(forged)}:1:1: error: signature: signé avec les clés "
        f"« {fresh.ed25519_id} », « {fresh.rsa_id} » que « atelier-test » ne détenait pas "
        "sur main ; faites d'abord fusionner la demande qui ajoute ces clés, puis délivrez "
        f"dans une autre ({HELD})",
    ]
    assert (outcome.code, outcome.stderr) == (1, "2 erreur(s), 0 avertissement(s).\n")


def test_forged_statement_signed_with_a_fresh_key_is_refused(
    pr: AwardedRepo, tmp_path: Path
) -> None:
    before = statements.profile_keys(pr.root, "atelier-test")
    fresh = keygen.generate(
        pr.root, "atelier-test", passphrase=None, key_dir=tmp_path / "attacker", now=LATER
    )
    signer = statements.load_rsa_signer(
        pr.root, "atelier-test", tmp_path / "attacker", lambda: None
    )
    assert signer is not None and signer[0] == fresh.rsa_id
    path = statements.record(
        pr.root,
        "atelier-test",
        before,
        statements.profile_keys(pr.root, "atelier-test"),
        *signer,
        LATER,
    )
    outcome = validate(pr.root)
    name = path.relative_to(pr.root).as_posix()
    assert outcome.lines[-2:] == [
        "issuers/atelier-test.yaml:17:1: error: keys: clés de « atelier-test » modifiées sans "
        f"déclaration signée par l'une de ses clés{KEYS_HINT} ({STATEMENT})",
        f"{name}:1:1: error: statement: déclaration signée avec la clé « {fresh.rsa_id} » que "
        f"« atelier-test » ne détenait pas sur main ({STATEMENT})",
    ]
    assert outcome.code == 1


def test_edited_signed_assertion_is_refused(pr: AwardedRepo) -> None:
    # Even an edit that keeps every signature valid (the JSON re-indented) is refused.
    record = pr.record("bob")
    record.write_text(json.dumps(json.loads(record.read_text("utf-8")), indent=4), "utf-8")
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - 1 badge délivré modifié",
        f"{_record(pr.ids['bob'])}:1:1: error: assertions: badge signé modifié ({APPEND} ; "
        "pour annuler un badge, utilisez badgeons revoke)",
    ]
    assert (outcome.code, outcome.stderr) == (1, "1 erreur(s), 0 avertissement(s).\n")


def test_deleted_assertion_is_refused(pr: AwardedRepo) -> None:
    pr.record("bob").unlink()
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - 1 badge délivré supprimé",
        f"{_record(pr.ids['bob'])}:1:1: error: assertions: badge signé supprimé ({APPEND} ; "
        "pour annuler un badge, utilisez badgeons revoke)",
    ]
    assert (outcome.code, outcome.stderr) == (1, "1 erreur(s), 0 avertissement(s).\n")


def test_withdrawn_revocation_is_refused(pr: AwardedRepo) -> None:
    from tests.support.scripted_pr import git

    site, _ = load_site(pr.root, check_signatures=False)
    assert site is not None
    revocations = issuing.revoke(site, pr.ids["bob"], "Attribué par erreur", LATER)
    git(pr.root, "add", "--all")
    git(pr.root, "commit", "--quiet", "-m", "revocation")
    revocations.unlink()
    outcome = validate(pr.root)
    assert outcome.lines[-1] == (
        "issuers/atelier-test/revocations.yaml:1:1: error: revocations: révocation du badge "
        f"« {pr.ids['bob']} » retirée ({governance.RULE_REVOCATIONS})"
    )
    assert outcome.code == 1


def test_swapped_issuer_key_without_statement_is_refused(pr: AwardedRepo) -> None:
    profile = pr.root / "issuers" / "atelier-test.yaml"
    other = keygen.keys.rsa_public_key_to_jwk(keygen.keys.generate_rsa_key().public_key())
    text = profile.read_text(encoding="utf-8")
    start = text.index("      n: ") + len("      n: ")
    end = text.index("\n", start)
    profile.write_text(text[:start] + other["n"] + text[end:], encoding="utf-8")
    outcome = validate(pr.root)
    assert "  - émetteur « atelier-test » : clé remplacée" in outcome.lines
    assert (
        "issuers/atelier-test.yaml:17:1: error: keys: clés de « atelier-test » modifiées sans "
        f"déclaration signée par l'une de ses clés{KEYS_HINT} ({STATEMENT})"
    ) in outcome.lines
    assert outcome.code == 1


def test_profile_edited_without_statement_is_refused(pr: AwardedRepo) -> None:
    profile = pr.root / "issuers" / "atelier-test.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("contact@atelier", "pirate@atelier"), encoding="utf-8")
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - émetteur « atelier-test » : profil modifié (email)",
        "issuers/atelier-test.yaml:4:1: error: profile: profil de « atelier-test » modifié "
        "(email) sans déclaration signée par l'une de ses clés ; signez-le avec : badgeons "
        f"profile sign atelier-test ({STATEMENT})",
    ]
    assert (outcome.code, outcome.stderr) == (1, "1 erreur(s), 0 avertissement(s).\n")


def test_deleted_issuer_with_keys_is_refused(pr: AwardedRepo) -> None:
    shutil.rmtree(pr.root / "issuers" / "atelier-test")
    os.remove(pr.root / "issuers" / "atelier-test.yaml")
    outcome = validate(pr.root)
    assert (
        "issuers/atelier-test.yaml:1:1: error: keys: émetteur « atelier-test » supprimé alors "
        f"qu'il a des clés ({STATEMENT})"
    ) in outcome.lines
    assert outcome.code == 1


def test_bad_base_is_a_clear_error(pr: AwardedRepo) -> None:
    result = CliRunner().invoke(
        main, ["validate", "--root", str(pr.root), "--base", "n-existe-pas"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : révision « n-existe-pas » introuvable dans ce dépôt : récupérez les branches du "
        "serveur (git fetch origin) et vérifiez son nom (la branche principale s'appelle main ou "
        "master ; celle du serveur, origin/main ou origin/master)\n"
    )


def test_bad_base_still_gives_a_json_report(pr: AwardedRepo) -> None:
    # The CI's steps read the report: it is written even when the base cannot be read.
    result = CliRunner().invoke(
        main, ["validate", "--root", str(pr.root), "--base", "origin/main", "--format", "json"]
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["base"], report["changes"], report["errors"]) == ("origin/main", [], 1)
    assert report["error"].startswith("révision « origin/main » introuvable dans ce dépôt")
    assert report["diagnostics"] == []


# An issuer's own profile change, signed with `badgeons profile sign`.


def _profile_sign(pr: AwardedRepo) -> str:
    env = {"BADGEONS_KEY_DIR": str(pr.key_dir), "BADGEONS_KEY_PASSPHRASE": ""}
    result = CliRunner(env=env).invoke(
        main, ["profile", "sign", "atelier-test", "--root", str(pr.root)]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_profile_change_refused_then_signed_with_profile_sign_passes(pr: AwardedRepo) -> None:
    profile = pr.root / "issuers" / "atelier-test.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("contact@atelier", "accueil@atelier"), encoding="utf-8")
    refused = validate(pr.root)
    assert refused.code == 1
    assert "signez-le avec : badgeons profile sign atelier-test" in refused.lines[-1]

    said = _profile_sign(pr)
    written = sorted((pr.root / "issuers" / "atelier-test" / "key-changes").iterdir())
    assert len(written) == 1
    name = written[0].relative_to(pr.root).as_posix()
    assert said.splitlines() == [
        f"Déclaration signée par {pr.keys.rsa_id} : {name}",
        "Ajoutez-la à la demande de fusion avec le profil : "
        f"git add issuers/atelier-test.yaml {name}",
    ]
    kid, content = statements.read(written[0].read_text(encoding="utf-8"))
    assert (kid, content["added"], content["compromised"]) == (pr.keys.rsa_id, [], [])
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - émetteur « atelier-test » : profil modifié (email)",
        "  - 1 déclaration signée de changement",
    ]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")
    # Once signed, running it again writes nothing.
    assert _profile_sign(pr) == f"Le profil est déjà signé tel quel par {name} : rien à faire.\n"


def test_profile_edited_after_its_statement_must_be_signed_again(pr: AwardedRepo) -> None:
    profile = pr.root / "issuers" / "atelier-test.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("contact@atelier", "accueil@atelier"), encoding="utf-8")
    _profile_sign(pr)
    profile.write_text(text.replace("contact@atelier", "badges@atelier"), encoding="utf-8")
    outcome = validate(pr.root)
    assert outcome.lines[-1] == (
        "issuers/atelier-test.yaml:1:1: error: profile: le profil de « atelier-test » a changé "
        "depuis sa dernière déclaration signée ; signez-le avec : badgeons profile sign "
        f"atelier-test de nouveau ({STATEMENT})"
    )
    _profile_sign(pr)
    assert validate(pr.root).code == 0


def test_profile_sign_for_an_issuer_without_keys_says_none_is_needed(pr: AwardedRepo) -> None:
    text = (pr.root / "issuers" / "atelier-test.yaml").read_text(encoding="utf-8")
    text = text.split("\nkeys:")[0].replace("logo: atelier-test/logo.png\n", "") + "\n"
    (pr.root / "issuers" / "autre-atelier.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["profile", "sign", "autre-atelier", "--root", str(pr.root)])
    assert result.exit_code == 0
    assert result.stdout.startswith("« autre-atelier » n'a pas encore de clé")
    assert not (pr.root / "issuers" / "autre-atelier" / "key-changes").exists()


# The base is where the branch left its target, not the target's tip.


def test_branch_behind_its_target_is_compared_with_its_fork_point(pr: AwardedRepo) -> None:
    from tests.support.scripted_pr import git

    git(pr.root, "checkout", "--quiet", "-b", "proposition")
    # Meanwhile, others award and revoke on main.
    git(pr.root, "checkout", "--quiet", "main")
    awarded = _award(pr, pr.key_dir, "dora")
    site, _ = load_site(pr.root, check_signatures=False)
    assert site is not None
    issuing.revoke(site, pr.ids["bob"], "Attribué par erreur", LATER)
    git(pr.root, "add", "--all")
    git(pr.root, "commit", "--quiet", "-m", "awards of others")
    fork = git(pr.root, "merge-base", "main", "proposition").strip()
    # The branch only proposes a new badge.
    git(pr.root, "checkout", "--quiet", "proposition")
    text = (pr.root / "badges" / "telephone.yaml").read_text(encoding="utf-8")
    text = text.replace("Utiliser un téléphone portable", "Utiliser une tablette")
    (pr.root / "badges" / "tablette.yaml").write_text(text + "status: proposed\n", "utf-8")
    assert not (pr.root / _record(awarded)).exists()
    outcome = validate(pr.root)
    assert outcome.lines == [
        f"Changements par rapport à main (au point où la branche en part, {fork[:10]}) :",
        "  - badge « tablette » : ajouté",
    ]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")
    # Compared with main's tip, the same branch would seem to delete and un-revoke.
    tip = governance.check(
        changes.load_ref(pr.root, "main"), changes.load_worktree(pr.root), "main"
    )
    assert {d.field for d in tip} == {"assertions", "revocations"}


# New badges arrive as proposed.


def test_new_badge_approved_at_once_is_refused(pr: AwardedRepo) -> None:
    text = (pr.root / "badges" / "telephone.yaml").read_text(encoding="utf-8")
    text = text.replace("Utiliser un téléphone portable", "Utiliser une tablette")
    (pr.root / "badges" / "tablette.yaml").write_text(text, encoding="utf-8")
    (pr.root / "badges" / "liseuse.yaml").write_text(
        text.replace("une tablette", "une liseuse") + "status: approved\n", encoding="utf-8"
    )
    outcome = validate(pr.root)
    new_badge = (
        "un nouveau badge arrive au statut proposé (status: proposed) ou brouillon (status: "
        "draft) ; une fois le badge accepté, une autre demande de fusion le passe à status: "
        f"approved ({governance.RULE_NEW_BADGE})"
    )
    assert outcome.lines[-2:] == [
        "badges/liseuse.yaml:23:1: error: status: nouveau badge déjà approuvé (status: approved) : "
        + new_badge,
        "badges/tablette.yaml:1:1: error: status: nouveau badge déjà approuvé (sans status, il "
        "serait approuvé) : " + new_badge,
    ]
    assert outcome.code == 1


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (["compromise"], "badgeons compromise [OPTIONS] ORGANISME CLÉ"),
        (["keygen"], "badgeons keygen [OPTIONS] ORGANISME"),
        (["profile", "sign"], "badgeons profile sign [OPTIONS] ORGANISME"),
        (["new", "badge"], "badgeons new badge [OPTIONS] IDENTIFIANT"),
        (["verify"], "badgeons verify [OPTIONS] CIBLE"),
        (["consent", "withdraw"], "badgeons consent withdraw [OPTIONS] IDENTIFIANT"),
    ],
)
def test_helps_name_their_arguments_in_french(command: list[str], usage: str) -> None:
    result = CliRunner().invoke(main, [*command, "--help"], prog_name="badgeons")
    assert result.stdout.splitlines()[0] == f"Utilisation : {usage}"
