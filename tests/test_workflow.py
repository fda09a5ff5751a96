"""The GitHub Actions workflow, checked offline: against GitHub's published schema (vendored in
check-jsonschema), by its structure, and by running its scripts and shell steps with fakes."""

import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .sdk_support import NODE_NIM

ROOT = Path(__file__).parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "nim-scrape.yml"
SCRIPTS = ROOT / ".github" / "scripts"
README = ROOT / "README.md"

# The majors whose action.yml says `using: node24` (or composite actions that only call such), as
# read from each action's repository (#9). A new action must be added here after that check.
NODE24_MAJORS = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/cache/restore": "v5",
    "actions/cache/save": "v5",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "actions/upload-pages-artifact": "v5",
    "actions/configure-pages": "v6",
    "actions/deploy-pages": "v5",
    "peter-evans/create-pull-request": "v8",
}
# Each action runs from a commit, named with its release in a comment (`@<sha> # v7.0.1`), so a
# tag moved later cannot change what runs. The commits are those of the releases' tags.
PINS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/cache/restore": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/cache/save": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    "actions/upload-pages-artifact": ("fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"),
    "actions/configure-pages": ("45bfe0192ca1faeb007ade9deae92b16b8254a0d", "v6.0.0"),
    "actions/deploy-pages": ("cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
    "peter-evans/create-pull-request": ("5f6978faf089d4d20b00c7766989d076bb2fc7f1", "v8.1.1"),
}
PR_BODY_LIMIT = 65_536


def load_workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workflow() -> dict:
    return load_workflow()


def job(workflow: dict, name: str) -> dict:
    return workflow["jobs"][name]


def step(job_: dict, name: str) -> dict:
    found = [s for s in job_["steps"] if s.get("name") == name]
    assert len(found) == 1, f"one step named {name!r}"
    return found[0]


def steps_using(job_: dict, action: str) -> list[dict]:
    return [s for s in job_["steps"] if s.get("uses", "").split("@")[0] == action]


def index_of(job_: dict, wanted: dict) -> int:
    return next(i for i, s in enumerate(job_["steps"]) if s is wanted)


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


cut_markdown = load_script("cut_markdown")


def run_shell_step(script: str, *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a step's `run:` as the runner does when no shell is named: `bash -e {file}`."""
    path = cwd / ".step.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", str(path)],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def fake_command(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


# --- the schema -------------------------------------------------------------------------------


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


# --- triggers ---------------------------------------------------------------------------------


def _days(cron: str) -> set[int]:
    days: set[int] = set()
    for part in cron.split()[4].split(","):
        first, _, last = part.partition("-")
        days |= set(range(int(first), int(last or first) + 1))
    return days


def test_workflow_runs_once_a_day_and_on_demand(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert all(cron.startswith("17 1 ") for cron in crons)  # 09:17 in Beijing
    every_day = [day for cron in crons for day in sorted(_days(cron))]
    assert sorted(every_day) == list(range(7))  # each day once: never two runs on one day
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert inputs["force"]["type"] == "boolean"
    assert inputs["audit"]["type"] == "boolean"


# --- trust (#9) -------------------------------------------------------------------------------


def test_every_action_is_pinned_to_a_commit_of_its_node24_major(workflow):
    used = {s["uses"] for j in workflow["jobs"].values() for s in j.get("steps", []) if "uses" in s}
    assert used, "the workflow uses actions"
    # The release each commit is of is only in the comment, which YAML drops: read the lines.
    lines = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", WORKFLOW.read_text(), flags=re.M)
    assert {uses for uses, _ in lines} == used
    for uses, comment in lines:
        action, _, ref = uses.partition("@")
        assert action in NODE24_MAJORS, f"{action}: check its node24 major, then add it here"
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{uses}: pin a commit, not a tag"
        sha, release = PINS[action]
        assert (ref, comment) == (sha, f" # {release}"), f"{uses}: the commit of {release}"
        major = NODE24_MAJORS[action]
        assert release.startswith(f"{major}."), f"{uses}: node24 runs from {major}"


def zizmor() -> str:
    beside = Path(sys.executable).with_name("zizmor")
    found = str(beside) if beside.exists() else shutil.which("zizmor")
    if found is None:
        reason = "zizmor not found (pip install -e '.[lint]')"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def run_zizmor(path: Path) -> subprocess.CompletedProcess:
    # --offline: the audits that ask GitHub (impostor commits, known-vulnerable actions) need
    # a network this check must not depend on.
    return subprocess.run(
        [zizmor(), "--offline", "--no-progress", "--format", "plain", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_zizmor_finds_nothing_in_the_workflow():
    done = run_zizmor(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_catches_an_action_run_from_a_tag(tmp_path):
    text = WORKFLOW.read_text(encoding="utf-8")
    sha, release = PINS["actions/checkout"]
    broken = tmp_path / "broken.yml"
    broken.write_text(text.replace(f"checkout@{sha} # {release}", "checkout@v7", 1))
    done = run_zizmor(broken)
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout


def test_permissions_are_granted_per_job_and_no_more(workflow):
    assert workflow["permissions"] == {}
    assert {name: j.get("permissions") for name, j in workflow["jobs"].items()} == {
        "refresh": {"contents": "read"},
        "propose": {"contents": "write", "pull-requests": "write"},
        "deploy": {"pages": "write", "id-token": "write"},
        "keepalive": {"actions": "write"},
    }


def test_no_git_credentials_are_kept_where_nothing_is_pushed(workflow):
    for name, j in workflow["jobs"].items():
        for checkout in steps_using(j, "actions/checkout"):
            persist = checkout.get("with", {}).get("persist-credentials", True)
            if j["permissions"].get("contents") == "write":
                # create-pull-request brings its own token; only `git push` needs them.
                assert persist == "${{ env.COMMIT_MODE == 'direct' }}", name
                assert "git push" in step(j, "Commit directly")["run"]
                assert step(j, "Commit directly")["if"] == "env.COMMIT_MODE == 'direct'"
            else:
                assert persist is False, f"{name} pushes nothing, so keeps no credentials"


def test_nothing_that_fetches_the_page_can_write_to_the_repository(workflow):
    refresh = job(workflow, "refresh")
    assert refresh["permissions"] == {"contents": "read"}
    propose = job(workflow, "propose")
    assert not [s for s in propose["steps"] if "nim-scrape" in s.get("run", "")]
    assert not [s for s in propose["steps"] if "pip install" in s.get("run", "")]


def test_no_step_swallows_an_exit_status(workflow):
    for name, j in workflow["jobs"].items():
        assert "continue-on-error" not in j, name
        for s in j["steps"]:
            assert "continue-on-error" not in s, (name, s.get("name"))
            run = s.get("run", "")
            assert "set +e" not in run, (name, s.get("name"))
            assert "|| true" not in run, (name, s.get("name"))


def test_the_refresh_step_goes_through_the_exit_status_script(workflow):
    refresh = step(job(workflow, "refresh"), "Refresh the catalogue")
    assert "python .github/scripts/run_step.py refresh" in refresh["run"]
    assert "nim-scrape refresh --format markdown --exit-code $FORCE $RENDER" in refresh["run"]
    assert refresh["env"]["NIM_SCRAPE_NOTIFY"] == "${{ secrets.NIM_SCRAPE_NOTIFY }}"
    assert refresh["env"]["FORCE"] == "${{ inputs.force && '--force' || '' }}"


FAKE_NIM_SCRAPE = """
import os, sys
from pathlib import Path
Path(os.environ["ARGS_FILE"]).write_text(" ".join(sys.argv[1:]))
status = int(os.environ["FAKE_STATUS"])
row = "| 消息错误码 | 107341 | modify msg function disabled | 更新消息功能未开通。 |\\n"
sys.stdout.buffer.write((row * int(os.environ.get("FAKE_ROWS", "0"))).encode())
print("### NIM error codes: 1 added" if status in (1, 6) else "no change")
print("nim-scrape: warning: a warning before the error", file=sys.stderr)
if status not in (0, 1):
    sys.stderr.buffer.write(os.environ.get("FAKE_ERROR", "Error: something (do this)").encode())
sys.exit(status)
"""


@pytest.mark.parametrize(
    ("status", "step_fails"),
    [(0, False), (1, False), (6, False), (2, True), (3, True), (4, True), (5, True), (7, True),
     (70, True), (9, True), (127, True)],
)  # fmt: skip
def test_the_refresh_step_fails_on_every_status_but_0_1_and_6(
    workflow, tmp_path, status, step_fails
):
    shutil.copytree(SCRIPTS, tmp_path / ".github" / "scripts")
    fake_command(tmp_path / "bin", "nim-scrape", FAKE_NIM_SCRAPE)
    refresh = step(job(workflow, "refresh"), "Refresh the catalogue")
    env = {
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "RUN_DIR": "nim-scrape-run",
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "ARGS_FILE": str(tmp_path / "args.txt"),
        "FAKE_STATUS": str(status),
        "FORCE": "--force",
        "RENDER": "",
    }
    done = run_shell_step(refresh["run"], cwd=tmp_path, env=env)
    assert (done.returncode != 0) is step_fails, done.stdout + done.stderr
    assert (tmp_path / "args.txt").read_text() == "refresh --format markdown --exit-code --force"
    assert outputs(tmp_path / "output.txt") == {
        "status": str(status),
        "changed": "true" if status in (1, 6) else "false",
        "notify_failed": "true" if status == 6 else "false",
    }
    summary = (tmp_path / "summary.md").read_text()
    if step_fails:
        assert f"nim-scrape refresh failed: exit {status}" in summary
        assert "Error: something (do this)" in summary
        assert "**What to do:**" in summary
        assert "::error title=" in done.stdout
    else:
        assert summary.startswith("### NIM error codes: 1 added" if status else "no change")


def run_step(tmp_path: Path, status: int, **env: str) -> subprocess.CompletedProcess:
    fake = fake_command(tmp_path / "bin", "nim-scrape", FAKE_NIM_SCRAPE)
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "run_step.py"), "refresh", "--report", "run/r.md", "--",
         str(fake), "refresh"],
        cwd=tmp_path,
        env={**os.environ, "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
             "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
             "ARGS_FILE": str(tmp_path / "args.txt"), "FAKE_STATUS": str(status), **env},
        capture_output=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("status", [3, 4, 5])
def test_a_failed_fetch_says_what_happened_and_where_the_page_is(tmp_path, status):
    error = "Error: https://doc.yunxin.163.com/x answered 503 (retry later)"
    done = run_step(tmp_path, status, FAKE_ERROR=error)
    assert done.returncode == status
    summary = (tmp_path / "summary.md").read_text()
    assert f"```\n{error}\n```" in summary  # the error line, not the warning before it
    assert "`output/.nim-scrape/last-failure/`" in summary
    assert "the artifact `nim-scrape-failure` of this run" in summary
    stderr = (tmp_path / "run" / "refresh.stderr.txt").read_text()
    assert stderr == f"nim-scrape: warning: a warning before the error\n{error}"


def test_a_failed_audit_points_to_its_log(tmp_path):
    fake = fake_command(tmp_path / "bin", "nim-scrape", FAKE_NIM_SCRAPE)
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
           "ARGS_FILE": str(tmp_path / "args.txt"), "FAKE_STATUS": "3"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "run_step.py"), "audit", "--report", "a.md", "--",
         str(fake), "audit"],
        cwd=tmp_path, env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 3
    summary = (tmp_path / "summary.md").read_text()
    assert "### nim-scrape audit failed: exit 3" in summary
    assert "**Evidence:** the step's log has the whole message." in summary


def test_a_failed_notification_with_page_text_in_its_error_goes_on_on_any_locale(tmp_path):
    error = "Error: 钉钉 dingtalk://****@robot/ answered 发送失败 (check the URL)"
    done = run_step(tmp_path, 6, FAKE_ERROR=error, PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert f"> **A notification failed** (exit 6): {error}" in summary


def test_a_report_too_big_for_the_job_summary_is_cut(tmp_path):
    done = run_step(tmp_path, 1, FAKE_ROWS="20000")  # 2 MB
    assert done.returncode == 0, done.stderr
    assert len((tmp_path / "run" / "r.md").read_bytes()) > 1_048_576  # the report is whole
    summary = (tmp_path / "summary.md").read_bytes()
    assert 1_000_000 < len(summary) <= 1_048_576
    assert summary.decode("utf-8").endswith("output/CHANGELOG.md.\n")


def test_a_crash_by_a_signal_fails_the_step(tmp_path):
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "run_step.py"), "refresh", "--report", "r.md", "--",
         sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 128 + 9
    assert (
        "exit 137, SIGKILL (an exit status nim-scrape does not document"
        in (tmp_path / "summary.md").read_text()
    )


def test_a_failed_notification_fails_the_run_after_the_change_is_proposed(workflow):
    propose = job(workflow, "propose")
    last = propose["steps"][-1]
    assert last["if"] == "needs.refresh.outputs.status == '6'"
    assert "exit 6" in last["run"]
    for earlier in ("Open or update the pull request", "Commit directly"):
        assert index_of(propose, step(propose, earlier)) < len(propose["steps"]) - 1
    # Nothing to propose (a re-delivery that failed): the refresh job fails instead.
    refresh = job(workflow, "refresh")
    fail = step(refresh, "Fail when a notification was not delivered")
    assert fail["if"] == (
        "steps.refresh.outputs.status == '6' && steps.proposal.outputs.propose == 'false'"
    )
    assert "exit 6" in fail["run"]


def test_run_state_is_saved_only_when_the_change_is_in_the_repository(workflow):
    refresh, propose = job(workflow, "refresh"), job(workflow, "propose")
    (restore,) = steps_using(refresh, "actions/cache/restore")
    saves = {
        name: steps_using(job(workflow, name), "actions/cache/save") for name in workflow["jobs"]
    }
    assert {name: len(found) for name, found in saves.items()} == {
        "refresh": 1, "propose": 1, "deploy": 0, "keepalive": 0,
    }  # fmt: skip
    for found in (saves["refresh"][0], saves["propose"][0]):
        assert found["with"] == {"path": restore["with"]["path"], "key": restore["with"]["key"]}
        assert "always()" not in found["if"]
        assert "success()" in found["if"]
    # In the refresh job only when there is nothing to propose,
    assert saves["refresh"][0]["if"] == (
        "${{ success() && steps.proposal.outputs.propose == 'false' }}"
    )
    # in the propose job only after the pull request or the commit.
    save_at = index_of(propose, saves["propose"][0])
    assert index_of(propose, step(propose, "Open or update the pull request")) < save_at
    assert index_of(propose, step(propose, "Commit directly")) < save_at
    # The state handed over with the change is what gets saved there.
    assert workflow["env"]["RUN_STATE"] == "output/**/.nim-scrape/*.json"  # every page of a job
    (handover,) = steps_using(refresh, "actions/upload-artifact")[:1]
    assert handover["with"]["include-hidden-files"] is True
    assert handover["with"]["path"].splitlines()[0] == "output/"


def test_the_run_state_cache_key_is_new_for_each_attempt(workflow):
    (restore,) = steps_using(job(workflow, "refresh"), "actions/cache/restore")
    key = restore["with"]["key"]
    assert "${{ github.run_id }}" in key
    assert "${{ github.run_attempt }}" in key
    assert key.startswith(restore["with"]["restore-keys"])


# --- page shapes (#10) ------------------------------------------------------------------------


def test_a_failed_run_uploads_what_it_fetched(workflow):
    refresh = job(workflow, "refresh")
    upload = step(refresh, "Upload what the failed run fetched")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["if"] == "${{ failure() }}"
    assert upload["with"]["include-hidden-files"] is True  # output/.nim-scrape/ is hidden
    assert "output/**/.nim-scrape/last-failure/" in upload["with"]["path"].splitlines()
    # the name the job summary points to
    assert upload["with"]["name"] == load_script("run_step").build_parser().get_default("artifact")


def test_render_is_turned_on_by_a_repository_variable(workflow, tmp_path):
    refresh = job(workflow, "refresh")
    install = step(refresh, "Install nim-scrape")
    assert (
        install["env"]["PACKAGE"] == "${{ vars.NIM_SCRAPE_RENDER == 'true' && '.[render]' || '.' }}"
    )
    assert '"$PACKAGE"' in install["run"]
    run = step(refresh, "Refresh the catalogue")
    assert run["env"]["RENDER"] == "${{ vars.NIM_SCRAPE_RENDER == 'true' && '--render' || '' }}"
    assert "$RENDER" in run["run"]


# --- audit (#12) ------------------------------------------------------------------------------


def test_the_sdk_audit_runs_weekly_after_the_refresh_and_a_change_is_no_failure(workflow):
    refresh = job(workflow, "refresh")
    audit = step(refresh, "Audit the SDKs' error codes")
    crons = [entry["cron"] for entry in workflow[True]["schedule"]]
    assert workflow["env"]["WEEKLY_CRON"] in crons
    assert audit["if"] == "github.event.schedule == env.WEEKLY_CRON || inputs.audit"
    assert index_of(refresh, step(refresh, "Refresh the catalogue")) < index_of(refresh, audit)
    command = " ".join(audit["run"].replace("\\\n", " ").split())
    assert "python .github/scripts/run_step.py audit" in command  # exit 1 goes on, 2+ fails
    assert (
        "nim-scrape audit --sdk npm:node-nim@latest --sdk npm:nim-web-sdk-ng@latest "
        "--catalogue output/nim_error_codes.json --out output --format markdown --exit-code"
    ) in command


def _proposal_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "output").mkdir(parents=True)
    shutil.copytree(SCRIPTS, repo / ".github" / "scripts")
    (repo / "output" / "nim_error_codes.json").write_text("{}\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=repo, check=True)
    (repo / "nim-scrape-run").mkdir()
    (repo / "nim-scrape-run" / "refresh.md").write_text("### NIM error codes: 1 added\n")
    (repo / "nim-scrape-run" / "audit.md").write_text("### SDK audit: 2 findings\n")
    return repo


@pytest.mark.parametrize(
    ("changed", "refresh_changed", "audit_changed", "title", "body"),
    [
        (False, "false", "", None, None),
        (True, "true", "", "NIM error codes changed", ["### NIM error codes: 1 added"]),
        (True, "false", "true", "NIM SDK audit changed", ["### SDK audit: 2 findings"]),
        (True, "true", "true", "NIM error codes changed; the SDK audit too",
         ["### NIM error codes: 1 added", "### SDK audit: 2 findings"]),
    ],
)  # fmt: skip
def test_the_proposal_holds_what_changed(
    workflow, tmp_path, changed, refresh_changed, audit_changed, title, body
):
    repo = _proposal_repo(tmp_path)
    if changed:
        (repo / "output" / "SDK-AUDIT.md").write_text("new\n")
    # run state is ignored by git, as nim-scrape writes it: never a reason to propose
    (repo / "output" / ".nim-scrape").mkdir()
    (repo / "output" / ".nim-scrape" / ".gitignore").write_text("*\n")
    (repo / "output" / ".nim-scrape" / "state.json").write_text("{}\n")
    prepare = step(job(workflow, "refresh"), "Prepare the proposal")
    env = {
        "RUN_DIR": "nim-scrape-run",
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "REFRESH_CHANGED": refresh_changed,
        "AUDIT_CHANGED": audit_changed,
    }
    done = run_shell_step(prepare["run"], cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    got = outputs(tmp_path / "output.txt")
    if not changed:
        assert got == {"propose": "false"}
        return
    assert got == {"propose": "true", "title": title}
    assert (repo / "nim-scrape-run" / "pr-body.md").read_text() == "\n\n".join(body) + "\n"


def python_on_path(folder: Path) -> str:
    """A PATH whose python and python3 are this test's interpreter (a runner has both)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        if not (folder / name).exists():
            (folder / name).symlink_to(sys.executable)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def put_in_place(workflow, tmp_path: Path, handed_files: list[str], exports: str = ""):
    """Run the propose job's "Put the change in place" on an artifact holding ``handed_files``."""
    propose = job(workflow, "propose")
    (download,) = steps_using(propose, "actions/download-artifact")
    assert download["with"]["path"] == "${{ runner.temp }}/proposal"  # not the work tree
    handed = tmp_path / "temp" / "proposal"
    for name in handed_files:
        (handed / name).parent.mkdir(parents=True, exist_ok=True)
        (handed / name).write_text(name)
    work = tmp_path / "work"
    (work / "output").mkdir(parents=True)
    (work / "output" / "CHANGELOG.md").write_text("kept")
    shutil.copytree(SCRIPTS, work / ".github" / "scripts")
    place = step(propose, "Put the change in place")
    env = {"RUNNER_TEMP": str(tmp_path / "temp"), "RUN_DIR": "nim-scrape-run",
           "GITHUB_OUTPUT": str(tmp_path / "output.txt"), "EXPORTS": exports,
           "PATH": python_on_path(tmp_path / "bin")}  # fmt: skip
    done = run_shell_step(place["run"], cwd=work, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    files = sorted(
        str(p.relative_to(work))
        for p in work.rglob("*")
        if p.is_file() and p.parts[len(work.parts) : len(work.parts) + 2] != (".github", "scripts")
    )
    return files, multiline_outputs(tmp_path / "output.txt")


def multiline_outputs(path: Path) -> dict[str, str]:
    """Step outputs written as ``name<<DELIMITER`` … ``DELIMITER``."""
    found, lines = {}, path.read_text().splitlines()
    while lines:
        line = lines.pop(0)
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter)
            found[name], lines = "\n".join(lines[:end]), lines[end + 1 :]
    return found


def test_only_output_is_taken_from_the_refresh_job(workflow, tmp_path):
    files, got = put_in_place(
        workflow,
        tmp_path,
        ["output/nim_error_codes.json", "output/.nim-scrape/state.json",
         "nim-scrape-run/pr-body.md", ".git/hooks/pre-commit"],
    )  # fmt: skip
    assert files == [
        ".step.sh",
        "output/.nim-scrape/state.json",
        "output/CHANGELOG.md",
        "output/nim_error_codes.json",
    ]
    assert got == {"add-paths": "output/\n"}


# --- typed code exports kept in the repository ------------------------------------------------


def test_the_listed_exports_are_taken_and_nothing_else(workflow, tmp_path):
    files, got = put_in_place(
        workflow,
        tmp_path,
        ["output/nim_error_codes.json", "nim-scrape-run/exports/app/im/NimErrorCodes.kt",
         "nim-scrape-run/exports/ios/NimErrorCode.swift",
         "nim-scrape-run/exports/.github/workflows/evil.yml",  # handed over, never listed
         "nim-scrape-run/exports/app/im/Other.kt"],
        exports="app/im/NimErrorCodes.kt\nios/NimErrorCode.swift web/missing.ts",
    )  # fmt: skip
    assert files == [
        ".step.sh",
        "app/im/NimErrorCodes.kt",
        "ios/NimErrorCode.swift",
        "output/CHANGELOG.md",
        "output/nim_error_codes.json",
    ]
    # what create-pull-request (or the direct commit) adds: output/ and the listed files
    assert got["add-paths"].split() == [
        "output/", "app/im/NimErrorCodes.kt", "ios/NimErrorCode.swift", "web/missing.ts",
    ]  # fmt: skip
    pull = step(job(workflow, "propose"), "Open or update the pull request")
    assert pull["with"]["add-paths"] == "${{ steps.place.outputs.add-paths }}"
    assert (
        "git --literal-pathspecs add output/ $EXPORTS"
        in step(job(workflow, "propose"), "Commit directly")["run"]
    )


@pytest.mark.parametrize(
    "bad", ["../elsewhere/X.kt", "/etc/passwd", ".github/workflows/nim-scrape.yml", ".git/config",
            "app/../../X.kt", "C:\\x.kt"],
)  # fmt: skip
def test_an_export_outside_the_repository_or_into_git_is_refused(bad):
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "export_paths.py")],
        env={**os.environ, "EXPORTS": f"app/ok.kt {bad}"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=nim-scrape export::the export")
    assert "app/ok.kt" not in done.stdout.splitlines()


def test_exports_are_a_repository_variable_none_by_default(workflow):
    assert workflow["env"]["EXPORTS"] == "${{ vars.NIM_SCRAPE_EXPORTS }}"
    assert workflow["env"]["EXPORT_SDKS"] == "${{ vars.NIM_SCRAPE_EXPORT_SDKS }}"
    refresh = job(workflow, "refresh")
    regenerate = step(refresh, "Regenerate the exported files")
    assert "env.EXPORTS != ''" in regenerate["if"]
    assert index_of(refresh, step(refresh, "Refresh the catalogue")) < index_of(refresh, regenerate)
    assert index_of(refresh, regenerate) < index_of(refresh, step(refresh, "Prepare the proposal"))
    handover = step(refresh, "Hand the change to the propose job")
    assert "${{ env.RUN_DIR }}/exports/" in handover["with"]["path"].splitlines()


def test_the_exports_are_regenerated_by_the_real_command_and_handed_over(workflow, tmp_path):
    repo = _proposal_repo(tmp_path)
    shutil.copy(ROOT / "output" / "nim_error_codes.json", repo / "output" / "nim_error_codes.json")
    (repo / "setup.py").write_text("kept\n")  # what the pattern *.py would match
    bin_dir = tmp_path / "bin"
    path = python_on_path(bin_dir)
    (bin_dir / "nim-scrape").symlink_to(Path(sys.executable).with_name("nim-scrape"))
    regenerate = step(job(workflow, "refresh"), "Regenerate the exported files")
    env = {"PATH": path, "RUN_DIR": "nim-scrape-run", "EXPORT_SDKS": str(NODE_NIM),
           "EXPORTS": "android/im/NimErrorCodes.kt go/nim-errors/codes.go *.py"}  # fmt: skip
    done = run_shell_step(regenerate["run"], cwd=repo, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    kotlin = (repo / "android/im/NimErrorCodes.kt").read_text(encoding="utf-8")
    assert "const val V2NIM_ERROR_CODE_MISUSE: Int = 191001" in kotlin  # named by the SDK
    assert "package nimerrors" in (repo / "go/nim-errors/codes.go").read_text(encoding="utf-8")
    assert (repo / "*.py").exists()  # a name, never a pattern
    assert (repo / "setup.py").read_text() == "kept\n"
    for name in ("android/im/NimErrorCodes.kt", "go/nim-errors/codes.go", "*.py"):
        assert (repo / "nim-scrape-run/exports" / name).read_bytes() == (repo / name).read_bytes()
    # Only an export changed: that is a change to propose.
    prepare = step(job(workflow, "refresh"), "Prepare the proposal")
    subprocess.run(["git", "checkout", "-q", "--", "output/"], cwd=repo, check=True)
    done = run_shell_step(
        prepare["run"],
        cwd=repo,
        env={**env, "GITHUB_OUTPUT": str(tmp_path / "out.txt"), "REFRESH_CHANGED": "false",
             "AUDIT_CHANGED": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert outputs(tmp_path / "out.txt")["propose"] == "true"


def test_the_change_is_proposed_with_the_cut_body(workflow):
    refresh, propose = job(workflow, "refresh"), job(workflow, "propose")
    prepare = step(refresh, "Prepare the proposal")
    limit = int(re.search(r"cut_markdown\.py --limit (\d+)", prepare["run"]).group(1))
    assert limit <= PR_BODY_LIMIT
    assert '> "$RUN_DIR/pr-body.md"' in prepare["run"]
    handover = step(refresh, "Hand the change to the propose job")
    assert "${{ env.RUN_DIR }}/pr-body.md" in handover["with"]["path"].splitlines()
    (download,) = steps_using(propose, "actions/download-artifact")
    assert download["with"]["name"] == handover["with"]["name"]
    pull = step(propose, "Open or update the pull request")
    assert pull["with"]["body-path"] == "${{ runner.temp }}/proposal/${{ env.RUN_DIR }}/pr-body.md"
    assert pull["with"]["add-paths"] == "${{ steps.place.outputs.add-paths }}"
    assert pull["with"]["token"] == "${{ secrets.NIM_SCRAPE_PR_TOKEN || github.token }}"
    assert propose["if"] == "${{ !cancelled() && needs.refresh.outputs.propose == 'true' }}"


# --- site (#13) -------------------------------------------------------------------------------


def test_the_search_page_is_built_after_a_change_and_published_to_pages(workflow):
    refresh, deploy = job(workflow, "refresh"), job(workflow, "deploy")
    build = step(refresh, "Build the search page")
    assert "nim-scrape site --out site" in build["run"]  # every page of a job, or the one
    assert "steps.refresh.outputs.changed == 'true'" in build["if"]
    assert "github.event_name == 'workflow_dispatch'" in build["if"]
    (upload,) = steps_using(refresh, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site/"
    assert deploy["needs"] == "refresh"
    assert deploy["if"] == "${{ !cancelled() && needs.refresh.outputs.site == 'true' }}"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    (publish,) = steps_using(deploy, "actions/deploy-pages")
    assert publish["id"] == "deployment"
    assert "checkout" not in str(deploy["steps"])


# --- keepalive --------------------------------------------------------------------------------


def test_the_schedule_keeps_itself_alive(workflow, tmp_path):
    keepalive = job(workflow, "keepalive")
    assert keepalive["if"] == "github.event_name == 'schedule'"
    assert "needs" not in keepalive  # it runs even when the refresh fails
    fake_command(tmp_path / "bin", "gh", "import sys\nprint(' '.join(sys.argv[1:]))\n")
    done = run_shell_step(
        step(keepalive, "Keep the schedule alive")["run"],
        cwd=tmp_path,
        env={
            "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_REPOSITORY": "team/errors",
            "GITHUB_WORKFLOW_REF": "team/errors/.github/workflows/nim-scrape.yml@refs/heads/main",
        },
    )
    assert done.stdout == (
        "api --method PUT repos/team/errors/actions/workflows/nim-scrape.yml/enable\n"
    )


# --- the pull-request body cutter -------------------------------------------------------------

ROW = "| 消息错误码 | {code} | modify msg function disabled 🚫 | 更新消息功能未开通。 |"


def report(rows: int) -> str:
    lines = [
        "### NIM error codes: many added",
        "",
        "#### Added",
        "",
        "| section | code | message | 说明 |",
        "| --- | --- | --- | --- |",
        *(ROW.format(code=107000 + i) for i in range(rows)),
        "",
        "<details><summary>cosmetic</summary>",
        "",
        *(ROW.format(code=108000 + i) for i in range(rows)),
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


def test_a_body_that_fits_is_left_as_it_is():
    text = report(10)
    assert cut_markdown.cut(text, PR_BODY_LIMIT) == text


@pytest.mark.parametrize("limit", [1_000, 1_001, 1_002, 1_003, 4_999, 65_536])
def test_a_long_body_is_cut_after_a_whole_line_within_the_limit(limit):
    text = report(2_000)
    body = cut_markdown.cut(text, limit)
    # GitHub counts UTF-16 code units: the emoji in each row counts twice
    assert cut_markdown.utf16_units(body) <= limit
    assert cut_markdown.utf16_units(body) > limit - 300  # and nearly all of it is used
    kept, _, ending = body.partition("\n\n> **Cut to fit:**")
    assert text.startswith(kept.rstrip("\n").rsplit("\n</details>", 1)[0])
    kept_lines = kept.rstrip("\n").splitlines()
    assert all(line in text.splitlines() for line in kept_lines)
    table_rows = [line for line in kept_lines if line.startswith("|")]
    assert table_rows
    assert all(line.endswith(" |") for line in table_rows)
    assert "The full report is in" in ending


def test_the_note_is_never_read_as_a_table_row():
    body = cut_markdown.cut(report(500), 2_000)
    lines = body.splitlines()
    note = next(i for i, line in enumerate(lines) if line.startswith("> **Cut to fit:**"))
    assert lines[note - 1] == ""
    assert f"of {len(report(500).splitlines())} lines are shown here" in lines[note]


def test_a_cut_inside_a_details_block_or_a_code_fence_closes_it():
    text = report(300)
    inside_details = cut_markdown.cut(text, len(text) - 2_000)
    assert inside_details.count("<details>") == 1 == inside_details.count("</details>")
    assert inside_details.index("</details>") < inside_details.index("> **Cut to fit:**")
    fenced = "intro\n\n```text\n" + "行 🚫 line\n" * 2_000 + "```\n"
    body = cut_markdown.cut(fenced, 3_000)
    assert body.count("```") == 2
    assert body.index("```", body.index("```text") + 1) < body.index("> **Cut to fit:**")


def test_the_job_summary_is_cut_in_bytes():
    text = "行" * 100 + "\n"  # 3 bytes each in UTF-8
    body = cut_markdown.cut(text * 100, 10_000, measure=cut_markdown.utf8_bytes)
    assert len(body.encode("utf-8")) <= 10_000
    assert body.startswith(text * 10)


def test_the_cutter_joins_reports_and_writes_utf8(tmp_path):
    (tmp_path / "a.md").write_text(report(3000), encoding="utf-8")
    (tmp_path / "b.md").write_text("### SDK audit\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_REPOSITORY": "team/errors", "GITHUB_RUN_ID": "42"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "cut_markdown.py"), "--limit", "65536",
         str(tmp_path / "a.md"), str(tmp_path / "missing.md"), str(tmp_path / "b.md")],
        env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = done.stdout.decode("utf-8")
    assert cut_markdown.utf16_units(body) <= 65536
    assert body.startswith("### NIM error codes: many added\n")
    assert ROW.format(code=107000) in body  # UTF-8 whatever the locale
    assert "[job summary of this run](https://github.com/team/errors/actions/runs/42)" in body
    assert "output/CHANGELOG.md" in body
    none = subprocess.run(
        [sys.executable, str(SCRIPTS / "cut_markdown.py"), str(tmp_path / "missing.md"),
         "--empty", "nothing to say"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert none.stdout == "nothing to say\n"


# --- README -----------------------------------------------------------------------------------


def test_readme_names_the_settings_the_workflow_needs():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### GitHub Actions") : text.index("### GitLab CI")]
    for needed in (
        "Allow GitHub Actions to create and approve pull requests",
        "Settings → Pages",
        "GitHub Actions",
        "https://<owner>.github.io/<repo>/",
        "NIM_SCRAPE_PR_TOKEN",
        "NIM_SCRAPE_RENDER",
        "nim-scrape-failure",
    ):
        assert needed in section, needed
