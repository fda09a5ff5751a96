"""The GitHub Actions workflow is valid against GitHub's published schema, checked offline."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).parents[1] / ".github" / "workflows" / "nim-scrape.yml"


def check_jsonschema() -> str:
    beside = Path(sys.executable).with_name("check-jsonschema")
    found = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    assert found, "check-jsonschema is a test dependency: pip install -e '.[test]'"
    return found


def test_workflow_matches_githubs_schema():
    done = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  refresh:\n    steps: 3\n")
    done = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1


def test_workflow_runs_daily_and_on_demand_and_keeps_itself_alive():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["schedule"] == [{"cron": "17 1 * * *"}]
    assert "workflow_dispatch" in triggers
    steps = {step.get("name"): step for step in workflow["jobs"]["refresh"]["steps"]}
    assert "--exit-code" in steps["Refresh the catalogue"]["run"]
    assert "GITHUB_STEP_SUMMARY" in steps["Refresh the catalogue"]["run"]
    assert (
        steps["Refresh the catalogue"]["env"]["NIM_SCRAPE_NOTIFY"]
        == "${{ secrets.NIM_SCRAPE_NOTIFY }}"
    )
    assert "/enable" in steps["Keep the schedule alive"]["run"]
    assert workflow["permissions"]["actions"] == "write"
