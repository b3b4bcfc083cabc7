"""Badgeons: a git repository as the whole Open Badges platform."""

from __future__ import annotations

__version__ = "0.1.0"
