"""One diagnostics type for every stage: ``path:line:col: level: field: message``.

Every stage of the pipeline returns its output together with the diagnostics it found, instead
of raising at the first problem, so that one run reports every problem at once.
"""

from __future__ import annotations

import enum
import errno
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field


class Level(enum.StrEnum):
    """How serious a diagnostic is. Errors stop the build; warnings do not (unless strict)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located in a file (line and column count from 1; 0 means unknown)."""

    path: str
    line: int
    col: int
    level: Level
    field: str
    message: str

    def __str__(self) -> str:
        location = self.path
        if self.line:
            location += f":{self.line}:{self.col or 1}"
        subject = f"{self.field}: " if self.field else ""
        return f"{location}: {self.level.value}: {subject}{self.message}"


@dataclass(frozen=True)
class Position:
    """Where a value stands in its source file (1-based; 0 when unknown)."""

    path: str
    line: int = 0
    col: int = 0

    def error(self, field: str, message: str) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, Level.ERROR, field, message)

    def warning(self, field: str, message: str) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, Level.WARNING, field, message)


@dataclass
class Report:
    """An ordered collection of diagnostics that stages append to."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level is Level.WARNING]

    def has_errors(self, strict: bool = False) -> bool:
        """True when the build must stop; with ``strict``, warnings count as errors."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics in a stable order: by file, then position, then text."""
        return sorted(set(self.items))


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    """One diagnostic per line, in the ``path:line:col: level: field: message`` form."""
    return "\n".join(str(d) for d in diagnostics)


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    """The diagnostics as a JSON document, for editors and CI annotations."""
    items = [asdict(d) | {"level": d.level.value} for d in diagnostics]
    errors = sum(1 for d in items if d["level"] == Level.ERROR.value)
    summary = {"errors": errors, "warnings": len(items) - errors, "diagnostics": items}
    return json.dumps(summary, ensure_ascii=False, indent=2)


# The reasons a file cannot be read or written that people meet, in French: Python gives the C
# library's English text (it does not set the locale's messages).
_OS_REASONS = {
    errno.ENOENT: "fichier introuvable",
    errno.EACCES: "droits insuffisants",
    errno.EPERM: "opération interdite",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "disque plein",
    errno.EROFS: "disque en lecture seule",
    errno.ENAMETOOLONG: "nom trop long",
    errno.ELOOP: "trop de liens symboliques",
    errno.EIO: "erreur de lecture ou d'écriture du disque",
}


def os_reason(error: OSError) -> str:
    """Why a file operation failed, in French (the system's own text when it is a rare case)."""
    return _OS_REASONS.get(error.errno or 0, error.strerror or str(error))


def unreadable_file(error: OSError) -> str:
    """The French message for a file that could not be read."""
    if error.errno == errno.ENOENT:
        return "fichier introuvable"
    return f"fichier illisible : {os_reason(error)}"
