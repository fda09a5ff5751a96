"""``nim-scrape history``: each code's changes through the git history of the catalogue (#13).

The repository is a real one (``history_repo`` in conftest): two refreshes committed, the
2024-03-13 edition and then the 2024-10-31 one.
"""

import json
import shutil

from nim_scrape.outputs.history import Version, build_history

from .conftest import git
from .support import run


def catalogue_of(repo):
    return str(repo / "X" / "nim_error_codes.json")


def test_history_of_a_code_names_the_edition_that_added_it(history_repo):
    commit = git(history_repo, "rev-parse", "HEAD").strip()
    result = run("history", "107341", "--catalogue", catalogue_of(history_repo))
    assert result.exit_code == 0
    assert result.stdout == (
        f"2024-10-31 15:38:33+08:00  107341  added  消息错误码  (commit {commit[:12]})\n"
        "    modify msg function disabled  更新消息功能未开通。\n"
    )


def test_history_of_a_code_changed_in_the_later_edition(history_repo):
    result = run("history", "101304", "--catalogue", catalogue_of(history_repo), "--format", "json")
    assert result.exit_code == 0
    events = json.loads(result.stdout)["events"]
    assert [(e["kind"], e["section"], e["updated_at"]) for e in events] == [
        ("added", "应用错误", "2024-03-13T14:40:07+08:00"),
        ("added", "登录错误", "2024-03-13T14:40:07+08:00"),
        ("changed", "应用错误码", "2024-10-31T15:38:33+08:00"),
        ("changed", "登录错误码", "2024-10-31T15:38:33+08:00"),
    ]
    change = events[2]
    assert change["commit"] == git(history_repo, "rev-parse", "HEAD").strip()
    assert change["fields"] == ["description"]
    assert change["cosmetic"] is True  # only a final 。 was added
    assert change["before"]["description"] + "。" == change["after"]["description"]


def test_history_shows_a_substantive_change_before_and_after(history_repo):
    result = run("history", "101301", "--catalogue", catalogue_of(history_repo))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[4:7] == [
        lines[4],
        "    description: IM 未开通。请至云信控制台开通 IM 服务,开通步骤参见开始使用 IM 产品",
        "               → IM 未开通。请前往 网易云信控制台开通 IM 服务,开通步骤参考 开始使用 IM 产品",
    ]
    assert lines[4].startswith("2024-10-31 15:38:33+08:00  101301  changed  应用错误码")


def test_history_without_a_code_summarises_each_edition_newest_first(history_repo):
    commits = git(history_repo, "log", "--format=%h", "--abbrev=12").split()
    result = run("history", "--catalogue", catalogue_of(history_repo))
    assert result.exit_code == 0
    assert result.stdout == (
        f"2024-10-31 15:38:33+08:00  {commits[0]}  20 added, 2 changed, 248 cosmetic; "
        "2 sections added, 22 sections renamed, 2 column headers renamed\n"
        f"2024-03-13 14:40:07+08:00  {commits[1]}  new catalogue: 254 records in 24 sections\n"
    )


def test_history_of_an_unknown_code_says_so(history_repo):
    result = run("history", "999999", "--catalogue", catalogue_of(history_repo))
    assert result.exit_code == 0
    assert result.stdout == (
        f"code 999999 appears in none of the 2 editions of {catalogue_of(history_repo)}\n"
    )


def test_history_outside_a_git_repository_is_a_usage_error(refreshed):
    catalogue = refreshed("2024-10-31") / "nim_error_codes.json"
    result = run("history", "107341", "--catalogue", str(catalogue))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {catalogue} is not in a git repository, so it has no history to read "
        "(history reads the commits of the catalogue file; run it in a clone)\n"
    )


def test_history_of_a_file_never_committed_is_a_usage_error(history_repo, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(history_repo, repo)
    (repo / "Y").mkdir()
    shutil.copy(repo / "X" / "nim_error_codes.json", repo / "Y" / "codes.json")
    result = run("history", "--catalogue", str(repo / "Y" / "codes.json"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {repo / 'Y' / 'codes.json'} has no committed versions in its git repository "
        "(commit the catalogue after each refresh to build its history)"
    ]


def test_a_commit_that_is_not_a_catalogue_is_passed_over(history_repo, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(history_repo, repo)
    path = repo / "X" / "nim_error_codes.json"
    good = path.read_bytes()
    path.write_text("{ half a file")
    git(repo, "commit", "--quiet", "-am", "a broken hand edit")
    path.write_bytes(good)
    git(repo, "commit", "--quiet", "-am", "put it back")
    result = run("history", "107341", "--catalogue", str(path), "--format", "json")
    assert result.exit_code == 0
    history = json.loads(result.stdout)
    # Put back as it was: nothing changed between the two readable versions around the bad one.
    assert [e["kind"] for e in history["events"]] == ["added"]
    assert len(history["editions"]) == 2
    assert len(history["passed_over"]) == 1
    assert history["passed_over"][0].startswith(f"{path} at ")
    summary = run("history", "--catalogue", str(path)).stdout.splitlines()
    assert len(summary) == 3
    assert summary[2].startswith("passed over: ")


def test_build_history_of_one_version_adds_every_record(history_repo):
    path = history_repo / "X" / "nim_error_codes.json"
    commit = git(history_repo, "rev-list", "--max-parents=0", "HEAD").strip()
    data = git(history_repo, "show", f"{commit}:X/nim_error_codes.json").encode()
    from datetime import datetime

    history = build_history([Version(commit, datetime(2024, 3, 14), data)], name=str(path))
    assert len(history.editions) == 1
    assert history.editions[0].created is True
    assert {event.kind for event in history.events} == {"added"}
    assert len(history.events) == 254
