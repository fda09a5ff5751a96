"""The compilers and parsers the typed-code tests use, found once. Without one a test skips with
the reason; under CI=true it fails instead, so a CI machine missing a tool cannot pass quietly."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def needed(reason: str) -> None:
    """Skip the calling test for ``reason``; fail instead under CI=true."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs this: {reason}")
    pytest.skip(reason)


def require_tool(name: str, install: str) -> str:
    """The path of the command ``name``; skips (fails under CI) when it is not on PATH."""
    found = shutil.which(name)
    if found is None:
        needed(f"{name} not found ({install})")
    assert found
    return found


def require_module(name: str, install: str) -> None:
    """Skip (fail under CI) when the Python module ``name`` cannot be imported."""
    if importlib.util.find_spec(name) is None:
        needed(f"the Python module {name} is not installed ({install})")
