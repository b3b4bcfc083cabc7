"""Words of the interface, in French first and in English.

The data carries its own translations (``name_en``, ``description_en``...); this module holds
only the words of the interface around them.
"""

from __future__ import annotations

from types import MappingProxyType

LANGUAGES = ("fr", "en")

_KIND_LABELS = {
    "fr": {
        "competence": "Compétence",
        "participation": "Participation",
        "Achievement": "Réussite",
        "Award": "Distinction",
        "Certificate": "Certificat",
        "CertificateOfCompletion": "Attestation de suivi",
        "Certification": "Certification",
        "CommunityService": "Engagement citoyen",
        "Competency": "Compétence",
        "Course": "Formation",
        "CoCurricular": "Activité périscolaire",
        "LearningProgram": "Parcours de formation",
        "Membership": "Adhésion",
        "MicroCredential": "Micro-certification",
        "Assessment": "Évaluation",
        "Badge": "Badge",
    },
    "en": {
        "competence": "Competence",
        "participation": "Participation",
        "CertificateOfCompletion": "Certificate of completion",
        "CommunityService": "Community service",
        "CoCurricular": "Co-curricular",
        "LearningProgram": "Learning programme",
        "MicroCredential": "Micro-credential",
    },
}

_WORDS = {
    "fr": {
        "catalogue": "Catalogue des badges",
        "badges": "Badges",
        "issuers": "Émetteurs et réseaux",
        "organisations": "Organismes",
        "networks": "Réseaux",
        "network": "Réseau",
        "organisation": "Organisme",
        "kind": "Type",
        "level": "Niveau",
        "levels_of": "Les niveaux de la compétence « {name} »",
        "this_level": "ce badge",
        "criteria": "Critères d'attribution",
        "checklist": "Tâches observées",
        "evidence": "Preuves attendues",
        "awarded_by": "Délivré par",
        "alignments": "Référentiels",
        "framework": "Référentiel",
        "code": "Code",
        "alignment_target": "Compétence ou certification visée",
        "tags": "Mots-clés",
        "version": "Version",
        "awarded": "Délivré",
        "awarded_times": "{n} fois",
        "history": "Historique des modifications",
        "history_intro": "Chaque modification de ce badge est discutée et validée par le collectif (demande de fusion dans le dépôt git).",
        "revocation_lists": "Listes de révocation",
        "identifiers": "Identifiants de vérification",
        "validity": "Validité",
        "validity_months": "{n} mois après l'attribution",
        "no_expiry": "sans limite de durée",
        "how_to_get": "Comment obtenir ce badge",
        "how_to_get_intro": "Adressez-vous à l'un des organismes qui le délivrent : ensemble, vous ferez le point sur vos expériences et les preuves à réunir.",
        "request_by_email": "Demande par e-mail",
        "request_form": "Formulaire de l'organisme",
        "website": "Site web",
        "contact": "Contact",
        "commune": "Commune",
        "members": "Membres du réseau",
        "member_of": "Membre de",
        "badges_awarded": "Badges délivrés",
        "badges_shared": "Badges partagés par le réseau",
        "no_badges": "Aucun badge pour le moment.",
        "public_keys": "Clés publiques",
        "no_keys": "Aucune clé de signature publiée pour le moment.",
        "key_created": "créée le",
        "key_compromised": "compromise depuis le",
        "all_badges": "Tous les badges",
        "badge_count": "{n} badges",
        "issuer_count": "{n} émetteurs",
        "see_badge": "Voir le badge",
        "shared_by_network": "partagé par le réseau",
        "home_intro": "Des badges numériques ouverts (Open Badges) co-construits par des organismes de formation et des réseaux du territoire, pour reconnaître les compétences acquises en formation, au travail ou dans la vie.",
        "language_name": "Français",
        "other_language": "English version",
        "verify_a_badge": "Vérifier un badge",
        "search_terms": "Autres graphies (pour la recherche)",
        "filter_label": "Filtrer les badges",
        "filter_text": "Rechercher",
        "filter_placeholder": "numérique, accueil, emploi…",
        "filter_issuer": "Émetteur ou réseau",
        "filter_kind": "Type",
        "filter_level": "Niveau",
        "filter_tag": "Mot-clé",
        "filter_framework": "Référentiel",
        "filter_all": "Tous",
        "filter_reset": "Effacer les filtres",
        "count_one": "1 badge",
        "count_many": "{n} badges",
        "count_none": "Aucun badge ne correspond : essayez un autre mot ou effacez les filtres.",
    },
    "en": {
        "catalogue": "Badge catalogue",
        "badges": "Badges",
        "issuers": "Issuers and networks",
        "organisations": "Organisations",
        "networks": "Networks",
        "network": "Network",
        "organisation": "Organisation",
        "kind": "Kind",
        "level": "Level",
        "levels_of": "Levels of the competence “{name}”",
        "this_level": "this badge",
        "criteria": "Criteria",
        "checklist": "Observed tasks",
        "evidence": "Expected evidence",
        "awarded_by": "Awarded by",
        "alignments": "Frameworks",
        "framework": "Framework",
        "code": "Code",
        "alignment_target": "Targeted competence or certification",
        "tags": "Tags",
        "version": "Version",
        "awarded": "Times awarded",
        "awarded_times": "{n}",
        "history": "Change history",
        "history_intro": "Every change to this badge is discussed and approved by the collective (a merge request in the git repository).",
        "revocation_lists": "Revocation lists",
        "identifiers": "Verification identifiers",
        "validity": "Validity",
        "validity_months": "{n} months after the award",
        "no_expiry": "no expiry",
        "how_to_get": "How to earn this badge",
        "how_to_get_intro": "Contact one of the organisations that award it: together you will review your experience and the evidence to gather.",
        "request_by_email": "Request by email",
        "request_form": "The organisation's form",
        "website": "Website",
        "contact": "Contact",
        "commune": "Town",
        "members": "Members of the network",
        "member_of": "Member of",
        "badges_awarded": "Badges awarded",
        "badges_shared": "Badges shared by the network",
        "no_badges": "No badge yet.",
        "public_keys": "Public keys",
        "no_keys": "No signing key published yet.",
        "key_created": "created on",
        "key_compromised": "compromised since",
        "all_badges": "All badges",
        "badge_count": "{n} badges",
        "issuer_count": "{n} issuers",
        "see_badge": "See the badge",
        "shared_by_network": "shared by the network",
        "home_intro": "Open digital badges (Open Badges) co-designed by training bodies and networks of the territory, to recognise skills gained in training, at work or in life.",
        "language_name": "English",
        "other_language": "Version française",
        "verify_a_badge": "Verify a badge",
        "search_terms": "Other spellings (for the search)",
        "filter_label": "Filter badges",
        "filter_text": "Search",
        "filter_placeholder": "digital, welcome, job…",
        "filter_issuer": "Issuer or network",
        "filter_kind": "Kind",
        "filter_level": "Level",
        "filter_tag": "Tag",
        "filter_framework": "Framework",
        "filter_all": "All",
        "filter_reset": "Clear filters",
        "count_one": "1 badge",
        "count_many": "{n} badges",
        "count_none": "No badge matches: try another word or clear the filters.",
    },
}

WORDS = MappingProxyType({lang: MappingProxyType(words) for lang, words in _WORDS.items()})


def kind_label(kind: str, lang: str) -> str:
    """A reader's name for a badge kind or Open Badges 3.0 achievement type."""
    return _KIND_LABELS.get(lang, {}).get(kind, kind)


_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def long_date(value: str, lang: str = "fr") -> str:
    """A day as people write it: « 1er décembre 2026 », "1 December 2026".

    ``value`` starts with an ISO 8601 day (``2026-12-01``, or a date and time, read in UTC as
    written); anything else is returned as it is.
    """
    try:
        year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
    except ValueError:
        return value
    if value[4:5] != "-" or value[7:8] != "-" or not (1 <= month <= 12 and 1 <= day <= 31):
        return value
    name = _MONTHS[lang][month - 1]
    shown = "1er" if day == 1 and lang == "fr" else str(day)
    return f"{shown} {name} {year}"
