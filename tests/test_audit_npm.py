"""npm sources against a stand-in registry on 127.0.0.1: resolve, verify, cache, refuse."""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nim_scrape.audit.npm import parse_spec, registry_url
from nim_scrape.audit.sdk import read_sdk
from nim_scrape.catalogue.store import catalogue_json
from nim_scrape.cli import cli
from nim_scrape.errors import FetchError, UsageError

from .sdk_support import NODE_NIM, WEB_SDK, pack, small_catalogue


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(httpserver, monkeypatch, tmp_path):
    """``publish(name, folder, version)`` serves the package's metadata and tarball."""
    monkeypatch.setenv("npm_config_registry", httpserver.url_for("/"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def publish(name, folder, version, *, integrity=None, dist=None, tags=None):
        data = pack(folder)
        tarball = f"/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"
        dist = dist or {
            "tarball": httpserver.url_for(tarball),
            "integrity": integrity or sri(data),
            "shasum": hashlib.sha1(data).hexdigest(),
        }
        document = {
            "name": name,
            "dist-tags": tags or {"latest": version},
            "versions": {version: {"name": name, "version": version, "dist": dist}},
        }
        httpserver.expect_request(f"/{name}").respond_with_json(document)
        httpserver.expect_request(tarball).respond_with_data(
            data, content_type="application/octet-stream"
        )
        return data

    return publish


def paths(httpserver):
    return [request.path for request, _ in httpserver.log]


def test_latest_is_resolved_downloaded_and_read(registry, httpserver):
    registry("node-nim", NODE_NIM, "10.9.80")
    sdk = read_sdk("npm:node-nim@latest")
    assert (sdk.label, sdk.source, len(sdk.codes)) == ("node-nim@10.9.80", "npm:node-nim@latest", 9)
    assert paths(httpserver) == ["/node-nim", "/node-nim/-/node-nim-10.9.80.tgz"]


def test_a_second_run_of_an_exact_version_never_asks_the_registry(registry, httpserver):
    registry("node-nim", NODE_NIM, "10.9.80")
    first = read_sdk("npm:node-nim@10.9.80")
    httpserver.clear_log()
    again = read_sdk("npm:node-nim@10.9.80")
    assert paths(httpserver) == []
    assert again.codes == first.codes


def test_a_second_run_of_a_tag_asks_for_the_metadata_only(registry, httpserver):
    registry("node-nim", NODE_NIM, "10.9.80")
    read_sdk("npm:node-nim@latest")
    httpserver.clear_log()
    read_sdk("npm:node-nim")
    assert paths(httpserver) == ["/node-nim"]


def test_the_cache_is_keyed_by_the_published_hash(registry, tmp_path):
    data = registry("node-nim", NODE_NIM, "10.9.80")
    read_sdk("npm:node-nim@10.9.80")
    name = "sha512-" + hashlib.sha512(data).hexdigest() + ".tgz"
    assert sorted(p.name for p in (tmp_path / "cache/nim-scrape/npm").iterdir()) == [
        "index.json",
        name,
    ]


def test_a_tarball_that_does_not_match_its_integrity_is_refused(registry, tmp_path):
    registry("node-nim", NODE_NIM, "10.9.80", integrity=sri(b"something else"))
    with pytest.raises(FetchError, match="does not match the registry's integrity hash"):
        read_sdk("npm:node-nim@10.9.80")
    assert list((tmp_path / "cache/nim-scrape/npm").iterdir()) == []  # nothing kept


def test_a_corrupted_cache_entry_is_downloaded_again(registry, httpserver, tmp_path):
    registry("node-nim", NODE_NIM, "10.9.80")
    read_sdk("npm:node-nim@10.9.80")
    cached = next((tmp_path / "cache/nim-scrape/npm").glob("sha512-*.tgz"))
    cached.write_bytes(b"tampered")
    httpserver.clear_log()
    assert len(read_sdk("npm:node-nim@10.9.80").codes) == 9
    assert paths(httpserver) == ["/node-nim", "/node-nim/-/node-nim-10.9.80.tgz"]


def test_sha1_shasum_is_the_fallback(registry, httpserver):
    data = pack(NODE_NIM)
    registry(
        "node-nim",
        NODE_NIM,
        "10.9.80",
        dist={
            "tarball": httpserver.url_for("/node-nim/-/node-nim-10.9.80.tgz"),
            "shasum": hashlib.sha1(data).hexdigest(),
        },
    )
    assert len(read_sdk("npm:node-nim@10.9.80").codes) == 9


def test_a_scoped_package(registry, httpserver):
    registry("@nimsdk/base", WEB_SDK, "1.0.0")
    assert read_sdk("npm:@nimsdk/base@1.0.0").label == "@nimsdk/base@1.0.0"
    assert paths(httpserver)[0] == "/@nimsdk/base"  # asked as /@nimsdk%2Fbase


def test_an_unknown_version_names_the_tags(registry):
    registry("node-nim", NODE_NIM, "10.9.80", tags={"latest": "10.9.80", "beta": "10.9.80"})
    with pytest.raises(UsageError) as info:
        read_sdk("npm:node-nim@9.9.9")
    assert str(info.value) == (
        "the npm registry has no version or tag '9.9.9' of node-nim "
        "(its dist-tags: latest=10.9.80, beta=10.9.80)"
    )


def test_an_unknown_package_is_a_usage_error(registry, httpserver):
    httpserver.expect_request("/nothing-here").respond_with_json({"error": "Not found"}, status=404)
    with pytest.raises(UsageError, match="the npm registry has no package nothing-here"):
        read_sdk("npm:nothing-here@1.0.0")


@pytest.mark.parametrize("source", ["npm:", "npm:Not A Name", "npm:a@b/c"])
def test_malformed_specs(source):
    with pytest.raises(UsageError, match="not an npm package"):
        parse_spec(source)


def test_the_registry_is_npms_own_setting():
    assert registry_url({}) == "https://registry.npmjs.org/"
    assert (
        registry_url({"npm_config_registry": "http://127.0.0.1:9/npm"}) == "http://127.0.0.1:9/npm/"
    )
    assert registry_url({"NPM_CONFIG_REGISTRY": "http://mirror/"}) == "http://mirror/"


# -- through the command line ------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A checkout with a committed catalogue in output/, as the weekly job sees it."""
    (tmp_path / "output").mkdir()
    (tmp_path / "output/nim_error_codes.json").write_text(
        catalogue_json(small_catalogue()), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


WEEKLY = [
    "audit",
    "--sdk",
    "npm:node-nim@latest",
    "--sdk",
    "npm:nim-web-sdk-ng@latest",
    "--out",
    "output",
    "--format",
    "markdown",
]


def test_the_weekly_jobs_command_line(registry, project):
    registry("node-nim", NODE_NIM, "10.9.80")
    registry("nim-web-sdk-ng", WEB_SDK, "10.8.1")
    result = CliRunner().invoke(cli, WEEKLY)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("### NIM error codes against the SDKs\n")
    assert result.stdout == (project / "output/SDK-AUDIT.md").read_text(encoding="utf-8")
    saved = json.loads((project / "output/sdk_audit.json").read_text(encoding="utf-8"))
    assert [s["label"] for s in saved["sdks"]] == ["node-nim@10.9.80", "nim-web-sdk-ng@10.8.1"]
    assert saved["counts"]["documented_not_in_sdk"] == 6


def test_an_integrity_mismatch_exits_3_and_writes_nothing(registry, project):
    registry("node-nim", NODE_NIM, "10.9.80", integrity=sri(b"other"))
    registry("nim-web-sdk-ng", WEB_SDK, "10.8.1")
    result = CliRunner().invoke(cli, WEEKLY)
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: the tarball http://")
    assert "does not match the registry's integrity hash" in result.stderr
    assert sorted(p.name for p in (project / "output").iterdir()) == ["nim_error_codes.json"]


def test_an_unreachable_registry_exits_3(monkeypatch, project, tmp_path):
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli, ["audit", "--sdk", "npm:node-nim@latest"])
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: cannot reach the npm registry http://127.0.0.1:9/")


def test_cached_tarballs_need_no_registry(registry, project, httpserver):
    registry("node-nim", NODE_NIM, "10.9.80")
    args = ["audit", "--sdk", "npm:node-nim@10.9.80", "--format", "json"]
    first = CliRunner().invoke(cli, args)
    httpserver.clear_log()
    second = CliRunner().invoke(cli, args)
    assert (first.exit_code, second.exit_code, paths(httpserver)) == (0, 0, [])
    assert second.stdout == first.stdout
    assert Path("output/sdk_audit.json").read_text(encoding="utf-8") == first.stdout


def test_an_integrity_that_is_not_base64_is_not_trusted(registry, httpserver):
    tarball = httpserver.url_for("/node-nim/-/node-nim-10.9.80.tgz")
    registry("node-nim", NODE_NIM, "10.9.80", dist={"tarball": tarball, "integrity": "sha512-!!!"})
    with pytest.raises(
        FetchError, match=r"publishes no usable integrity hash for node-nim@10\.9\.80"
    ):
        read_sdk("npm:node-nim@10.9.80")


def test_dist_tags_that_are_not_a_mapping_are_no_tags(registry):
    registry("node-nim", NODE_NIM, "10.9.80", tags=["latest"])
    with pytest.raises(
        UsageError, match=r"no version or tag 'latest' of node-nim \(its dist-tags: none\)"
    ):
        read_sdk("npm:node-nim@latest")


def test_a_registry_setting_that_is_not_a_url_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("npm_config_registry", "http://[::1")
    with pytest.raises(
        UsageError, match=r"npm_config_registry=http://\[::1 is not an http\(s\) URL"
    ):
        read_sdk("npm:node-nim@latest")
