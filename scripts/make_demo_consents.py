"""Record the demo consents of the territoire apprenant map, as a trainer would.

Each entry of ``PLAN`` picks a demo award by issuer, badge and rank (awards of that badge by
that issuer, oldest first, revoked and expired ones skipped), so the plan survives a new run of
``scripts/make_demo_awards.py``. The consents go through the same checks as
``badgeons consent add`` and are written to ``issuers/<issuer>/consents.yaml`` with fixed ids
(``demo-01``...): running the script again replaces them, dated from today, for 24 months (the
longest a consent may last), so the demo map stays populated.

    .venv/bin/python scripts/make_demo_consents.py
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from build_tools import consent_records, consents  # noqa: E402
from build_tools.diagnostics import format_text  # noqa: E402
from build_tools.model import Site  # noqa: E402
from build_tools.pipeline import load_site  # noqa: E402

#: (issuer, badges as (slug, rank), commune name, postcode, display name, contact allowed).
#: An award whose page shows a name (holders.yaml) is shown on the map with that name or not
#: at all, so the map never puts a name and a commune together that the holder kept apart.
PLAN: tuple[tuple[str, tuple[tuple[str, int], ...], str, str, str | None, bool], ...] = (
    (
        "atelier-numerique-bas-berry",
        (("premiers-pas-smartphone", 1),),
        "La Châtre",
        "36400",
        "Josiane",
        True,
    ),
    (
        "atelier-numerique-bas-berry",
        (("premiers-pas-smartphone", 0),),
        "Montgivray",
        "36400",
        None,
        True,
    ),
    (
        "atelier-numerique-bas-berry",
        (("premiers-pas-smartphone", 2),),
        "Neuvy-Saint-Sépulchre",
        "36230",
        "Bernard",
        True,
    ),
    (
        "atelier-numerique-bas-berry",
        (("premiers-pas-smartphone", 3), ("demarches-en-ligne", 0)),
        "La Châtre",
        "36400",
        "Marcel",
        False,
    ),
    (
        "app-demo-indre",
        (("apprenant-agile", 0), ("accueillir-un-public-je-fais", 0)),
        "Châteauroux",
        "36000",
        "Sébastien G.",
        True,
    ),
    ("app-demo-indre", (("apprenant-agile", 1),), "Déols", "36130", None, True),
    ("centre-ressources-demo-indre", (("demarches-en-ligne", 0),), "Issoudun", "36100", None, True),
    (
        "tiers-lieu-demo-argenton",
        (("me-deplacer-en-ville", 0),),
        "Argenton-sur-Creuse",
        "36200",
        "Lucie",
        True,
    ),
    ("app-demo-touraine", (("apprenant-agile", 0),), "Tours", "37000", "Inès", True),
    (
        "app-demo-touraine",
        (("accueillir-un-public-je-transmets", 0),),
        "Joué-lès-Tours",
        "37300",
        None,
        True,
    ),
    (
        "campus-demo-touraine",
        (("accueillir-un-public-je-fais", 0),),
        "Tours",
        "37000",
        "Noah",
        True,
    ),
    ("atelier-demo-blois", (("activite-logistique-je-fais", 0),), "Blois", "41000", None, True),
    (
        "atelier-demo-blois",
        (("activite-logistique-je-pilote", 0),),
        "Vineuil",
        "41350",
        "Yasmine",
        True,
    ),
    (
        "info-jeunesse-demo-vendome",
        (("benevole-forum-jobs-ete", 1),),
        "Vendôme",
        "41100",
        None,
        True,
    ),
    (
        "info-jeunesse-demo-vendome",
        (("activite-logistique-je-transmets", 0),),
        "Montoire-sur-le-Loir",
        "41800",
        "Théo",
        True,
    ),
    ("regie-demo-la-rochelle", (("passeur-de-langues", 0),), "Aytré", "17440", None, True),
    (
        "of-demo-montpellier",
        (("organiser-recherche-emploi", 0),),
        "Montpellier",
        "34000",
        "Karim",
        True,
    ),
    ("institut-demo-garonne", (("decouverte-marche-emploi", 0),), "Colomiers", "31770", None, True),
)
MONTHS = consents.MAX_MONTHS


def pick(site: Site, issuer: str, badge: str, rank: int, today: date) -> str:
    """The id of the rank-th award of a badge by an issuer that may still be shown."""
    usable = sorted(
        (
            a
            for a in site.awards.values()
            if a.issuer == issuer
            and a.badge == badge
            and a.id not in site.revocations
            and (a.expires is None or a.expires[:10] > today.isoformat())
        ),
        key=lambda a: (a.issued_on, a.id),
    )
    if rank >= len(usable):
        raise SystemExit(f"{issuer} has no award #{rank} of {badge} that may be shown")
    return usable[rank].id


def load(root: Path) -> Site:
    site, report = load_site(root, check_signatures=False)
    if site is None:
        raise SystemExit(format_text(report.sorted()))
    return site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="repository (default: this one)")
    root = parser.parse_args().root.resolve()
    today = datetime.now(UTC).date()
    for entry in consent_records.recorded(root):
        if entry.id.startswith("demo-"):
            consent_records.withdraw(root, entry.id)
    for number, (issuer, badges, commune, postcode, name, contact) in enumerate(PLAN, 1):
        site = load(root)
        request = consent_records.NewConsent(
            assertions=tuple(pick(site, issuer, slug, rank, today) for slug, rank in badges),
            commune={"name": commune, "postcode": postcode},
            given=today,
            until=consents.add_months(today, MONTHS),
            display_name=name,
            contact=contact,
            id=f"demo-{number:02d}",
        )
        try:
            path, item, place, warnings = consent_records.add(site, request, today)
        except consent_records.ConsentError as exc:
            raise SystemExit(f"{exc}\n{format_text(exc.problems)}") from None
        if warnings:
            raise SystemExit(format_text(list(warnings)))
        print(f"{item['id']}: {place.label}, {len(badges)} badge(s) -> {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
