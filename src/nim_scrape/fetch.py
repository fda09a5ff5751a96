"""Fetching the page: over HTTP with httpx (retries, limits, charset), or from a local file.

The only module that imports httpx. Every failure leaves as a ``FetchError`` naming the URL and
the reason; the HTTP client can be injected, so callers control transport and timeouts.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import FetchError

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx
    from tenacity import RetryCallState, Retrying

__all__ = [
    "DEFAULT_MAX_BYTES",
    "USER_AGENT",
    "FetchLimits",
    "Page",
    "decode_body",
    "fetch_page",
    "is_url",
    "read_source",
]

logger = logging.getLogger(__name__)

USER_AGENT = (
    f"nim-scrape/{__version__} (+https://pypi.org/project/nim-scrape/; "
    "keeps a catalogue of NIM SDK error codes)"
)
# The real page is about 0.3 MB; anything this large is not it, and must not fill memory.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class FetchLimits:
    """How long and how hard to try. The defaults suit a daily unattended run."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 60.0
    total_time: float = 300.0
    max_redirects: int = 5
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Page:
    """A fetched page: its text, and what a later conditional fetch needs."""

    url: str
    text: str
    body_sha256: str
    body_size: int
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class _Retryable(Exception):
    """A response worth another try (429, 5xx); carries the server's Retry-After if any."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.retry_after = retry_after


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_source(
    source: str | Path,
    *,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Page:
    """A page from an http(s) URL or a local HTML file."""
    if isinstance(source, str) and is_url(source):
        return fetch_page(
            source, limits=limits, client=client, etag=etag, last_modified=last_modified
        )
    path = Path(source)
    limits = limits or FetchLimits()
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise FetchError(
                f"cannot read {path}: {size} bytes is over the {limits.max_bytes}-byte limit",
                url=str(path),
            )
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}", url=str(path)) from exc
    return Page(
        url=str(path),
        text=decode_body(body, None),
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_size=len(body),
    )


def fetch_page(
    url: str,
    *,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Page:
    """GET ``url`` with retries on transient faults; a 304 answer gives ``not_modified``."""
    import httpx  # here, not at the top: parsing a local file needs no HTTP client (#6)

    limits = limits or FetchLimits()
    headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own = client is None
    http = client or httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(limits.timeout),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
    )
    tries = 0  # fewer than retries + 1 when the total time ran out first
    try:
        for attempt in _retrying(limits):
            with attempt:
                tries += 1
                return _get_once(http, url, headers, limits)
    except _Retryable as exc:
        status = exc.response.status_code
        raise FetchError(
            f"cannot fetch {url}: HTTP {status} {exc.response.reason_phrase} after {tries} tries",
            url=url,
            status=status,
            hint="the server is failing or limiting requests; try again later",
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(
            f"cannot fetch {url}: more than {limits.max_redirects} redirects", url=url
        ) from exc
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"cannot fetch {url}: timed out after {limits.timeout:g} s ({tries} tries)",
            url=url,
            hint="raise --timeout, or try again later",
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchError(
            f"cannot fetch {url}: {_describe(exc)}",
            url=url,
            hint="check the network, or pass a saved copy of the page with --source FILE",
        ) from exc
    finally:
        if own:
            http.close()
    raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover


def _retrying(limits: FetchLimits) -> Retrying:
    import httpx
    from tenacity import (
        Retrying,
        retry_if_exception_type,
        stop_after_attempt,
        stop_after_delay,
        wait_exponential,
    )

    backoff = wait_exponential(multiplier=limits.backoff, max=limits.max_retry_after)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, limits.max_retry_after)
        return float(backoff(state))

    def log(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        logger.info("fetch failed (%s); retrying in %.1f s", _describe(exc), delay)

    return Retrying(
        stop=stop_after_attempt(limits.retries + 1) | stop_after_delay(limits.total_time),
        wait=wait,
        retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
        before_sleep=log,
        reraise=True,
    )


def _get_once(http: httpx.Client, url: str, headers: dict[str, str], limits: FetchLimits) -> Page:
    with http.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(response, _retry_after(response.headers.get("Retry-After")))
        if status == 304:
            return Page(
                url=str(response.url),
                text="",
                body_sha256="",
                body_size=0,
                status=304,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                not_modified=True,
            )
        if status >= 400:
            raise FetchError(
                f"cannot fetch {url}: HTTP {status} {response.reason_phrase}",
                url=url,
                status=status,
                hint="check the URL; the page may have moved",
            )
        body = b"".join(_capped(response, url, limits.max_bytes))
        return Page(
            url=str(response.url),
            text=decode_body(body, response.headers.get("Content-Type")),
            body_sha256=hashlib.sha256(body).hexdigest(),
            body_size=len(body),
            status=status,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def _capped(response: httpx.Response, url: str, max_bytes: int) -> Iterator[bytes]:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            f"cannot fetch {url}: the body is {int(declared)} bytes, over the {max_bytes}-byte "
            "limit",
            url=url,
            hint="this is not the error-code page; raise --max-bytes only if it really is",
        )
    seen = 0
    for chunk in response.iter_bytes():
        seen += len(chunk)
        if seen > max_bytes:
            raise FetchError(
                f"cannot fetch {url}: the body passed the {max_bytes}-byte limit",
                url=url,
                hint="this is not the error-code page; raise --max-bytes only if it really is",
            )
        yield chunk


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _describe(exc: BaseException | None) -> str:
    import httpx

    if isinstance(exc, _Retryable):
        return str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection broke off ({exc})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    return f"{type(exc).__name__}: {exc}" if exc else "unknown error"


# -- charset -----------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# GBK and GB2312 pages use GB18030 characters in practice; it is their strict superset.
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030"}
# Single-byte charsets decode any bytes at all, so a header naming one is trusted last.
_ANY_BYTES = {"iso8859-1", "cp1252", "iso8859-15"}


def decode_body(body: bytes, content_type: str | None) -> str:
    """Decode with the first charset that fits: HTTP header, BOM, ``<meta>``, UTF-8, GB18030.

    A header that names a charset the bytes are not in (a real fault of misconfigured servers)
    falls through to the page's own declaration rather than producing mojibake.
    """
    candidates: list[str] = []
    last: list[str] = []
    if content_type and (match := _HEADER_CHARSET.search(content_type)):
        declared = match.group(1)
        (last if _encoding(declared) in _ANY_BYTES else candidates).append(declared)
    if body.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8-sig")
    if meta := _META_CHARSET.search(body[:4096]):
        candidates.append(meta.group(1).decode("ascii"))
    candidates += ["utf-8", "gb18030", *last]
    for name in candidates:
        encoding = _encoding(name)
        if encoding is None:
            continue
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            logger.info("the page is not valid %s; trying the next charset", name)
            continue
        return text.removeprefix("\ufeff")
    logger.warning("the page fits no charset it declares; undecodable bytes are replaced")
    return body.decode("utf-8", errors="replace")


def _encoding(name: str) -> str | None:
    name = name.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
