"""Print pip constraints that pin each dependency of pyproject.toml to its lower bound.

``make test-lower`` installs the package with these constraints into a throwaway venv and runs
the suite there, so a range's lower bound is a version that was tested, not a guess. A bound
``>=0.27`` becomes ``httpx==0.27.*`` (its patch releases are the same version for our purposes),
``>=5`` becomes ``lxml==5.0.*``.

    python tests/lower_bounds.py [EXTRA ...]   # the runtime dependencies and those of EXTRA
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli is what tomllib was before 3.11
    import tomli as tomllib  # type: ignore[no-redef]

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"
# Test tools whose newest release needs more than our lower bounds while claiming not to:
# check-jsonschema 0.38 subscripts click.ParamType, which click 8.4 made generic.
TOOL_CAPS = ("check-jsonschema<0.38",)
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?P<spec>.*)$")


def lower_bound(requirement: str) -> str | None:
    """``name==X.Y.*`` for a requirement with a ``>=X.Y`` bound; None when it has none."""
    match = _REQUIREMENT.match(requirement.split(";")[0].strip())
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    for clause in match["spec"].split(","):
        clause = clause.strip()
        if clause.startswith(">="):
            version = clause[2:].strip().split(".")
            if len(version) == 1:
                version.append("0")
            return f"{match['name']}=={'.'.join(version[:2])}.*"
    return None


def constraints(extras: list[str], pyproject: Path = PYPROJECT) -> list[str]:
    """The pins for the runtime dependencies and those of ``extras``, in pyproject's order."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = [pin for pin in map(lower_bound, requirements) if pin is not None]
    return list(dict.fromkeys(pins))  # an extra may repeat a requirement


if __name__ == "__main__":
    print("\n".join([*constraints(sys.argv[1:]), *TOOL_CAPS]))
