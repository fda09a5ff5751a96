"""Packages from the npm registry: resolve ``npm:NAME@VERSION``, download, verify, cache.

The registry is npm's own setting, ``npm_config_registry``, when set, else the public one. A
tarball is accepted only when it hashes to the registry's published integrity (``dist.integrity``,
an SRI sha512; ``dist.shasum``, sha1, for old packages) and is cached under that hash, so a
second run reads the disk. An exact version is immutable on npm: once cached, it is found again
without asking the registry at all; a dist-tag (``latest``) is asked each time.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nim_scrape.about import __version__
from nim_scrape.catalogue.store import atomic_write
from nim_scrape.errors import FetchError, OutputError, UsageError
from nim_scrape.fetch.http import FetchLimits, http_client

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_REGISTRY",
    "NpmPackage",
    "NpmSpec",
    "cache_folder",
    "fetch_package",
    "parse_spec",
    "registry_url",
]

logger = logging.getLogger(__name__)

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
# The largest SDK tarball is about 2 MB; anything far larger is not one.
MAX_TARBALL_BYTES = 256 * 1024 * 1024

_NAME = re.compile(r"^(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*$", re.I)
_EXACT = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
# Strongest first: the hash an SRI string is checked with when it lists several.
_SRI_ALGORITHMS = ("sha512", "sha384", "sha256")


@dataclass(frozen=True)
class NpmSpec:
    """``npm:NAME@VERSION``: a package and an exact version or a dist-tag (default latest)."""

    name: str
    version: str = "latest"

    @property
    def exact(self) -> bool:
        return bool(_EXACT.match(self.version))


@dataclass(frozen=True)
class NpmPackage:
    """A verified tarball on disk."""

    name: str
    version: str
    integrity: str  # the hash it was checked against, ``sha512-<base64>`` or ``sha1-<hex>``
    path: Path


def parse_spec(source: str) -> NpmSpec:
    """``npm:NAME``, ``npm:NAME@VERSION`` or ``npm:@scope/name@VERSION``; UsageError otherwise."""
    body = source.removeprefix("npm:")
    at = body.rfind("@")
    name, version = (body[:at], body[at + 1 :]) if at > 0 else (body, "latest")
    if not _NAME.match(name) or not version or "/" in version or " " in version:
        raise UsageError(
            f"not an npm package: {source}", hint="write npm:NAME@VERSION, e.g. npm:node-nim@latest"
        )
    return NpmSpec(name=name, version=version)


def registry_url(env: Mapping[str, str] | None = None) -> str:
    """npm's own registry setting (``npm_config_registry``, any case), else the public one."""
    env = os.environ if env is None else env
    for key in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        if env.get(key):
            value = env[key]
            try:
                parts = urllib.parse.urlsplit(value)
                valid = parts.scheme in ("http", "https") and bool(parts.hostname)
            except ValueError:
                valid = False
            if not valid:
                raise UsageError(f"{key}={value} is not an http(s) URL of an npm registry")
            return value.rstrip("/") + "/"
    return DEFAULT_REGISTRY


def cache_folder(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/nim-scrape/npm``, or ``~/.cache/nim-scrape/npm``."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nim-scrape" / "npm"


def fetch_package(
    spec: NpmSpec,
    *,
    client: httpx.Client | None = None,
    cache_dir: Path | None = None,
    registry: str | None = None,
    limits: FetchLimits | None = None,
) -> NpmPackage:
    """The package's tarball, verified, from the cache or downloaded into it."""
    cache = _usable(cache_dir or cache_folder())
    index = _Index(cache / "index.json")
    if spec.exact and (known := index.get(spec.name, spec.version)):
        path = cache / _file_name(known)
        if path.is_file() and _verify(path, known):
            logger.info("%s@%s from the cache, %s", spec.name, spec.version, path)
            return NpmPackage(spec.name, spec.version, known, path)
    import httpx

    limits = limits or FetchLimits()
    base = (registry or registry_url()).rstrip("/") + "/"
    with http_client(client, limits, user_agent=f"nim-scrape/{__version__}") as http:
        try:
            version, dist = _resolve(http, base, spec)
            integrity = _integrity(dist, spec.name, version)
            path = cache / _file_name(integrity)
            if path.is_file() and _verify(path, integrity):
                logger.info("%s@%s from the cache, %s", spec.name, version, path)
            else:
                tarball = _tarball_url(dist, spec.name, version, base)
                _download(http, tarball, path, integrity, limits)
        except httpx.HTTPError as exc:
            raise FetchError(
                f"cannot reach the npm registry {base}: {type(exc).__name__}: {exc}",
                url=base,
                hint="check the network or npm_config_registry",
            ) from exc
    index.put(spec.name, version, integrity)
    return NpmPackage(spec.name, version, integrity, path)


def _tarball_url(dist: dict[str, Any], name: str, version: str, base: str) -> str:
    """Where the registry says the tarball is; only an http(s) URL is downloaded."""
    tarball = dist.get("tarball")
    if not isinstance(tarball, str) or not tarball.startswith(("http://", "https://")):
        raise FetchError(f"the registry gives no tarball for {name}@{version}", url=base)
    return tarball


def _usable(cache: Path) -> Path:
    """``cache``, or a folder in the temporary directory when it cannot be written."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        if os.access(cache, os.W_OK):
            return cache
    except OSError:
        pass
    fallback = Path(tempfile.gettempdir()) / f"nim-scrape-npm-{os.getuid()}"
    logger.warning("cannot write the npm cache %s; using %s", cache, fallback)
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def _resolve(http: httpx.Client, base: str, spec: NpmSpec) -> tuple[str, dict[str, Any]]:
    """The version ``spec`` names, and its ``dist`` (tarball, integrity, shasum)."""
    # A scoped name keeps its @ and escapes its /, as npm asks for it.
    url = base + quote(spec.name, safe="@")
    response = http.get(url, headers={"Accept": "application/vnd.npm.install-v1+json, */*"})
    if response.status_code == 404:
        raise UsageError(f"the npm registry has no package {spec.name}", hint=f"asked {url}")
    if response.status_code >= 400:
        raise FetchError(
            f"cannot read {spec.name} from the npm registry: HTTP {response.status_code}",
            url=url,
            status=response.status_code,
        )
    try:
        document = response.json()
        tags, versions = document.get("dist-tags") or {}, document["versions"]
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise FetchError(
            f"the npm registry's answer for {spec.name} is not package metadata", url=url
        ) from exc
    if not isinstance(tags, dict):
        tags = {}
    version = tags.get(spec.version, spec.version)
    entry = versions.get(version) if isinstance(versions, dict) else None
    dist = entry.get("dist") if isinstance(entry, dict) else None
    if not isinstance(dist, dict):
        raise UsageError(
            f"the npm registry has no version or tag {spec.version!r} of {spec.name}",
            hint=f"its dist-tags: {', '.join(f'{k}={v}' for k, v in tags.items()) or 'none'}",
        )
    return str(version), dist


def _integrity(dist: dict[str, Any], name: str, version: str) -> str:
    """The strongest hash the registry publishes for the tarball, as ``algorithm-digest``."""
    published = dist.get("integrity")
    if isinstance(published, str):
        by_algorithm: dict[str, str] = {}
        for item in published.split():
            algorithm, _, digest = item.partition("-")
            digest = digest.split("?")[0]
            if _decodes(digest):  # a hash that is not base64 verifies nothing
                by_algorithm.setdefault(algorithm, f"{algorithm}-{digest}")
        for algorithm in _SRI_ALGORITHMS:
            if algorithm in by_algorithm:
                return by_algorithm[algorithm]
    shasum = dist.get("shasum")
    if isinstance(shasum, str) and re.fullmatch(r"[0-9a-fA-F]{40}", shasum):
        return f"sha1-{shasum.lower()}"
    raise FetchError(
        f"the npm registry publishes no usable integrity hash for {name}@{version}",
        url=str(dist.get("tarball", "")),
        hint="an unverified package is not read",
    )


def _decodes(digest: str) -> bool:
    try:
        base64.b64decode(digest, validate=True)
    except ValueError:
        return False
    return True


def _digest(integrity: str) -> tuple[str, bytes]:
    algorithm, _, digest = integrity.partition("-")
    if algorithm == "sha1":
        return algorithm, bytes.fromhex(digest)
    return algorithm, base64.b64decode(digest)


def _file_name(integrity: str) -> str:
    algorithm, digest = _digest(integrity)
    return f"{algorithm}-{digest.hex()}.tgz"


def _verify(path: Path, integrity: str) -> bool:
    algorithm, expected = _digest(integrity)
    hasher = hashlib.new(algorithm)
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            hasher.update(block)
    if hasher.digest() == expected:
        return True
    logger.warning("the cached %s does not match its hash; downloading it again", path)
    return False


def _download(
    http: httpx.Client, url: str, path: Path, integrity: str, limits: FetchLimits
) -> None:
    """Stream ``url`` into ``path``, hashing as it comes; nothing is kept unless it matches."""
    algorithm, expected = _digest(integrity)
    hasher = hashlib.new(algorithm)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fp, http.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(
                    f"cannot download {url}: HTTP {response.status_code}",
                    url=url,
                    status=response.status_code,
                )
            seen = 0
            for chunk in response.iter_bytes():
                seen += len(chunk)
                if seen > MAX_TARBALL_BYTES:
                    raise FetchError(
                        f"cannot download {url}: over {MAX_TARBALL_BYTES} bytes", url=url
                    )
                hasher.update(chunk)
                fp.write(chunk)
        if hasher.digest() != expected:
            raise FetchError(
                f"the tarball {url} does not match the registry's integrity hash {integrity}",
                url=url,
                hint="the download was corrupted or tampered with; it was not used",
            )
        os.replace(tmp, path)
        logger.info("downloaded %s (%d bytes) to %s", url, seen, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


class _Index:
    """Which hash each exact version had: lets a cached exact version skip the registry."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def get(self, name: str, version: str) -> str | None:
        return self._load().get(f"{name}@{version}")

    def put(self, name: str, version: str, integrity: str) -> None:
        data = self._load()
        if data.get(f"{name}@{version}") == integrity:
            return
        data[f"{name}@{version}"] = integrity
        try:
            atomic_write(self.path, json.dumps(data, indent=2, sort_keys=True).encode() + b"\n")
        except OutputError as exc:  # a cache that cannot be written costs a download, not a run
            logger.warning("cannot update the npm cache index %s: %s", self.path, exc)
