"""The change summary of ``validate --base``, and the criteria version rule, on scripted PRs."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools import changes, governance
from build_tools.changes import Snapshot
from tests.conftest import AwardedRepo
from tests.support.scripted_pr import commit_base, validate

LEVEL = "level:\n  family: telephone\n  rank: 1\n  label: Découverte\n"


@pytest.fixture
def pr(awarded_repo: AwardedRepo) -> AwardedRepo:
    commit_base(awarded_repo.root)
    return awarded_repo


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_criteria_changed_with_a_new_version_passes(pr: AwardedRepo) -> None:
    badge = pr.root / "badges" / "telephone.yaml"
    _edit(badge, "    - Envoyer un SMS\n", "    - Envoyer un SMS\n    - Lire un SMS reçu\n")
    _edit(badge, 'version: "1.0"', 'version: "2.0"')
    badge.write_text(badge.read_text(encoding="utf-8") + LEVEL, encoding="utf-8")
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - badge « telephone » : critères modifiés, niveau ajouté, version 1.0 → 2.0",
    ]
    assert (outcome.code, outcome.stderr) == (0, "Le dépôt est valide.\n")


def test_criteria_changed_without_a_version_bump_is_refused(pr: AwardedRepo) -> None:
    badge = pr.root / "badges" / "telephone.yaml"
    _edit(badge, "    - Passer un appel\n", "    - Passer un appel vidéo\n")
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - badge « telephone » : critères modifiés",
        "badges/telephone.yaml:1:1: warning: version: les badges délivrés sous la version "
        "« 1.0 » n'ont pas tous les mêmes critères : quand les critères changent, augmentez "
        f"version ({governance.RULE_VERSION})",
        "badges/telephone.yaml:22:1: error: version: 2 badge(s) déjà délivré(s) sous la version "
        "« 1.0 » ont d'autres critères : les badges délivrés gardent leurs critères ; donnez à "
        'ces critères une version jamais délivrée, par exemple version: "2.0" '
        f"({governance.RULE_FROZEN})",
    ]
    assert (outcome.code, outcome.stderr) == (1, "1 erreur(s), 1 avertissement(s).\n")


def test_draft_badge_criteria_may_change_freely(pr: AwardedRepo) -> None:
    from tests.support.scripted_pr import git

    badge = pr.root / "badges" / "accueillir-2.yaml"
    badge.write_text(badge.read_text(encoding="utf-8") + "status: draft\n", encoding="utf-8")
    git(pr.root, "commit", "--quiet", "-am", "brouillon")
    _edit(badge, "criteria:\n  narrative: ", "criteria:\n  narrative: Nouveau. ")
    outcome = validate(pr.root)
    assert outcome.lines == [
        "Changements par rapport à main :",
        "  - badge « accueillir-2 » : critères modifiés",
    ]
    assert outcome.code == 0


def test_badge_removed_and_status_approved_are_described() -> None:
    base = Snapshot(
        {
            "badges/a.yaml": b"name: A\nversion: '1'\nstatus: proposed\n",
            "badges/b.yaml": b"name: B\n",
        }
    )
    head = Snapshot(
        {
            "badges/a.yaml": b"name: A\nversion: '1'\nstatus: approved\n"
            b"approval: {by: reseau, date: '2026-02-01'}\n"
        }
    )
    assert changes.summarise(base, head) == [
        "badge « a » : statut proposé → approuvé, approbation ajoutée",
        "badge « b » : supprimé",
    ]


def test_issuer_key_changes_are_described() -> None:
    key = "keys:\n  - {id: k1, type: Ed25519, created: x, public_key_multibase: z1}\n"
    base = Snapshot({"issuers/o.yaml": f"name: O\n{key}".encode()})
    head = Snapshot(
        {
            "issuers/o.yaml": (
                b"name: O2\nkeys:\n"
                b"  - {id: k1, type: Ed25519, created: x, public_key_multibase: z1, compromised: y}\n"
                b"  - {id: k2, type: Ed25519, created: x, public_key_multibase: z2}\n"
            )
        }
    )
    assert changes.summarise(base, head) == [
        "émetteur « o » : clé ajoutée, clé marquée compromise, profil modifié (name)"
    ]


def test_unreadable_yaml_is_reported_as_such() -> None:
    base = Snapshot({"badges/a.yaml": b"name: A\n"})
    head = Snapshot({"badges/a.yaml": b"name: [\n"})
    assert changes.summarise(base, head) == ["badge « a » : fichier modifié (illisible)"]


def test_load_ref_refuses_an_option_as_revision(tmp_path: Path) -> None:
    with pytest.raises(changes.ChangesError, match="révision invalide"):
        changes.load_ref(tmp_path, "--output=/tmp/x")


def test_load_ref_reads_the_committed_files_only(pr: AwardedRepo) -> None:
    (pr.root / "badges" / "brouillon.yaml").write_text("name: X\n", encoding="utf-8")
    base = changes.load_ref(pr.root, "main")
    head = changes.load_worktree(pr.root)
    assert "badges/brouillon.yaml" in head.files and "badges/brouillon.yaml" not in base.files
    assert base.files["badges/telephone.yaml"] == head.files["badges/telephone.yaml"]
    assert "mkdocs.yml" not in base.files


# CI: pull and merge requests are compared with their target branch.

PROJECT = Path(__file__).parent.parent.parent


def _fake_badgeons(tmp_path: Path, report: dict[str, object]) -> dict[str, str]:
    import json
    import os
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "report.json").write_text(json.dumps(report), encoding="utf-8")
    fake = bin_dir / "badgeons"
    fake.write_text(
        '#!/bin/sh\necho "$@" > "$FAKE_DIR/args"\ncat "$FAKE_DIR/report.json"\nexit 1\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PATH": path, "FAKE_DIR": str(tmp_path), "RUNNER_TEMP": str(tmp_path)}


REPORT = {
    "base": "origin/main",
    "changes": ["1 badge délivré supprimé"],
    "errors": 1,
    "warnings": 0,
    "diagnostics": [
        {
            "path": "issuers/a/assertions/x.json",
            "line": 1,
            "col": 1,
            "level": "error",
            "field": "assertions",
            "message": "badge signé supprimé",
        }
    ],
}


def test_github_workflow_validates_pull_requests_against_their_base(tmp_path: Path) -> None:
    import subprocess

    import yaml

    workflow = yaml.safe_load((PROJECT / ".github/workflows/validate.yml").read_text("utf-8"))
    steps = workflow["jobs"]["validate"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    step = next(s for s in steps if "badgeons validate" in str(s.get("run", "")))
    assert step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = _fake_badgeons(tmp_path, REPORT) | {"BASE_REF": "main"}
    done = subprocess.run(["bash", "-e", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert (tmp_path / "args").read_text("utf-8").split() == [
        "validate",
        "--format",
        "json",
        "--base",
        "origin/main",
    ]
    assert done.stdout.splitlines()[:3] == [
        "Changements par rapport à origin/main :",
        "  - 1 badge délivré supprimé",
        "issuers/a/assertions/x.json:1:1: error: assertions: badge signé supprimé",
    ]


def test_gitlab_job_fetches_the_whole_history_for_merge_requests() -> None:
    import yaml

    job = yaml.safe_load((PROJECT / ".gitlab-ci.yml").read_text("utf-8"))["validate"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    script = "\n".join(str(line) for line in job["script"])
    assert '--base "origin/$target"' in script
    assert 'target="$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"' in script


# The criteria of a version under which badges were awarded never change.


def _commit(pr: AwardedRepo, message: str) -> None:
    from tests.support.scripted_pr import git

    git(pr.root, "commit", "--quiet", "-am", message)


def test_criteria_changed_back_under_an_awarded_version_is_refused(pr: AwardedRepo) -> None:
    # Version 2.0 is merged; a later change edits the criteria and sets version back to 1.0,
    # under which awa, bob and chloe were awarded other criteria.
    badge = pr.root / "badges" / "telephone.yaml"
    _edit(badge, "    - Envoyer un SMS\n", "    - Envoyer un SMS\n    - Lire un SMS reçu\n")
    _edit(badge, 'version: "1.0"', 'version: "2.0"')
    _commit(pr, "version 2.0")
    _edit(badge, "    - Lire un SMS reçu\n", "    - Répondre à un SMS\n")
    _edit(badge, 'version: "2.0"', 'version: "1.0"')
    outcome = validate(pr.root)
    assert outcome.lines[-1] == (
        "badges/telephone.yaml:23:1: error: version: 2 badge(s) déjà délivré(s) sous la version "
        "« 1.0 » ont d'autres critères : les badges délivrés gardent leurs critères ; donnez à "
        'ces critères une version jamais délivrée, par exemple version: "3.0" '
        f"({governance.RULE_FROZEN})"
    )
    assert outcome.code == 1


def test_criteria_of_an_awarded_version_stay_frozen_through_a_draft(pr: AwardedRepo) -> None:
    # First pull request: the awarded badge goes back to draft (allowed).
    badge = pr.root / "badges" / "telephone.yaml"
    badge.write_text(badge.read_text(encoding="utf-8") + "status: draft\n", encoding="utf-8")
    assert validate(pr.root).code == 0
    _commit(pr, "brouillon")
    # Second: its criteria change while a draft, the version unchanged: refused.
    _edit(badge, "    - Passer un appel\n", "    - Passer un appel vidéo\n")
    outcome = validate(pr.root)
    assert outcome.code == 1
    assert outcome.lines[-1].startswith(
        "badges/telephone.yaml:22:1: error: version: 2 badge(s) déjà délivré(s) sous la version "
        "« 1.0 » ont d'autres critères"
    )
    # With a new version, the same change passes.
    _edit(badge, 'version: "1.0"', 'version: "1.1"')
    assert validate(pr.root).code == 0


def test_approved_badge_never_awarded_still_needs_a_new_version(pr: AwardedRepo) -> None:
    badge = pr.root / "badges" / "accueillir-2.yaml"
    _edit(badge, "criteria:\n  narrative: ", "criteria:\n  narrative: Nouveau. ")
    outcome = validate(pr.root)
    assert outcome.lines[-1] == (
        "badges/accueillir-2.yaml:14:1: error: version: critères modifiés sans nouvelle version "
        "(toujours « 1 ») : les badges déjà délivrés gardent leurs critères ; augmentez version "
        f"({governance.RULE_VERSION})"
    )


def test_who_may_award_a_badge_is_named_in_the_summary() -> None:
    base = Snapshot({"badges/a.yaml": b"name: A\nissuers: [x, y]\n"})
    head = Snapshot({"badges/a.yaml": b"name: A\nissuers: [y, z, w]\n"})
    assert changes.summarise(base, head) == [
        "badge « a » : émetteurs autorisés ajoutés : « z » et « w », émetteur autorisé retiré : "
        "« x »"
    ]


def test_github_step_survives_a_run_that_wrote_no_report(tmp_path: Path) -> None:
    import subprocess

    import yaml

    workflow = yaml.safe_load((PROJECT / ".github/workflows/validate.yml").read_text("utf-8"))
    step = next(
        s for s in workflow["jobs"]["validate"]["steps"] if "badgeons" in str(s.get("run", ""))
    )
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = _fake_badgeons(tmp_path, {}) | {"BASE_REF": "main"}
    (tmp_path / "report.json").write_text("", encoding="utf-8")
    done = subprocess.run(["bash", "-e", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines() == [
        "::error::badgeons validate n'a pas produit de rapport (voir son message ci-dessus)."
    ]
