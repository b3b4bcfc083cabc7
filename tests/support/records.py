"""Awards whose signed forms are changed, for tests: the record is written to a new file.

Awards keep only their metadata in memory and read their record when a stage needs it, so a
test that tampers with a signed form writes the tampered record beside the others.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any

from build_tools.awards import record_to_json
from build_tools.model import Award

_NUMBERS = itertools.count()
_FOLDER = Path(tempfile.mkdtemp(prefix="badgeons-test-records-"))
atexit.register(shutil.rmtree, _FOLDER, True)


def with_forms(award: Award, **changes: Any) -> Award:
    """The award with some of ``credential``, ``credential_jwt`` and ``ob2_jws`` replaced."""
    forms = {
        "credential": award.credential,
        "credential_jwt": award.credential_jwt,
        "ob2_jws": award.ob2_jws,
    }
    others = {k: v for k, v in changes.items() if k not in forms}
    forms.update({k: v for k, v in changes.items() if k in forms})
    text = record_to_json(forms["credential"], forms["credential_jwt"], forms["ob2_jws"])
    path = _FOLDER / f"{award.id}-{next(_NUMBERS)}.json"
    path.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return dataclasses.replace(award, record=path, digest=digest, **others)
