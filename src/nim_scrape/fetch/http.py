"""Fetching the page: over HTTP with httpx (retries, limits, charset), or from a local file.

The only module that imports httpx. A source that cannot be used at all (a missing file, a
folder, a malformed URL, a scheme other than http, https and file) is a ``UsageError``, which
``check_source`` raises before anything is fetched or written; every failure to fetch leaves as
a ``FetchError`` naming the URL and the reason. The HTTP client and the sleep between tries can
be injected, so callers control transport, timeouts and waiting.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import stat
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from nim_scrape.about import __version__
from nim_scrape.errors import FetchError, PageError, UsageError

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState, Retrying

__all__ = [
    "DEFAULT_MAX_BYTES",
    "USER_AGENT",
    "FetchLimits",
    "Page",
    "Received",
    "Recorder",
    "check_source",
    "decode_body",
    "fetch_page",
    "http_client",
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
    content_type: str | None = None
    rendered: bool = False  # the DOM after the page's scripts ran, not the page as served


@dataclass(frozen=True)
class Received:
    """What the server (or the file) gave, as given: the evidence a failed run keeps."""

    url: str
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes


Recorder = Callable[[Received], None]
# What a failed run keeps of an error page's body: enough to see what it is.
_ERROR_BODY_BYTES = 256 * 1024


class _Retryable(Exception):
    """A response worth another try (429, 5xx); carries the server's Retry-After if any."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.retry_after = retry_after


# A URL scheme: two characters at least, so that a Windows drive (C:) stays a path.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
_SOURCE_HINT = "pass an http(s) URL, a file: URL or a local HTML file"


def is_url(source: str) -> bool:
    """True when ``source`` is an http(s) URL, which is fetched; anything else is read locally
    or refused by ``check_source``."""
    return _scheme(source) in ("http", "https")


def check_source(source: str) -> Path | None:
    """Raise ``UsageError`` unless ``source`` can be read: a well-formed http(s) URL, or an
    existing regular file given as a path or a ``file:`` URL. Nothing is fetched or read, so a
    caller can check its configuration before it writes anything."""
    return _local_path(source)


def read_source(
    source: str | Path,
    *,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    on_received: Recorder | None = None,
) -> Page:
    """A page from an http(s) URL or a local HTML or markdown file (a path or a ``file:`` URL).

    ``on_received`` sees every answer as it came, before it is decoded or judged.
    """
    path = _local_path(source)
    if path is None:
        return fetch_page(
            str(source),
            limits=limits,
            client=client,
            etag=etag,
            last_modified=last_modified,
            on_received=on_received,
        )
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
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}", hint=_SOURCE_HINT) from exc
    if on_received:
        on_received(Received(str(path), None, (), body))
    content_type = "text/markdown" if path.suffix.lower() in (".md", ".markdown") else None
    return Page(
        url=str(path),
        text=decode_body(body, content_type, source=str(path)),
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_size=len(body),
        content_type=content_type,
    )


def _scheme(source: str) -> str | None:
    match = _SCHEME.match(source)
    return match.group(1).lower() if match else None


def _local_path(source: str | Path) -> Path | None:
    """The regular file ``source`` names, or None for a well-formed http(s) URL; a
    ``UsageError`` for anything else."""
    if isinstance(source, Path):
        return _regular_file(source, source)
    scheme = _scheme(source)
    if scheme in ("http", "https"):
        _check_url(source)
        return None
    if scheme == "file":
        return _regular_file(_file_url_path(source), source)
    if scheme is not None and not _exists(Path(source)):
        # A local file may have a colon in its name; a missing one with a scheme is a URL.
        raise UsageError(
            f"cannot read {_short(source)}: the {scheme}: scheme is not supported",
            hint=_SOURCE_HINT,
        )
    return _regular_file(Path(source), source)


def _check_url(url: str) -> None:
    import httpx  # the URL is about to be fetched: the import is paid for anyway

    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it: a port out of range is a ValueError)
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise UsageError(f"{_short(url)} is not a valid URL: {exc}", hint=_SOURCE_HINT) from exc
    if not parts.hostname:
        raise UsageError(f"{_short(url)} is not a valid URL: it names no host", hint=_SOURCE_HINT)


def _file_url_path(url: str) -> Path:
    """The path of a ``file:`` URL (``file:///tmp/x.html``, ``file:/tmp/x.html``), decoded."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise UsageError(f"{_short(url)} is not a valid URL: {exc}", hint=_SOURCE_HINT) from exc
    if parts.netloc not in ("", "localhost"):
        raise UsageError(
            f"cannot read {_short(url)}: {parts.netloc!r} is not this machine",
            hint="a local file's URL has three slashes: file:///path/to/page.html",
        )
    return Path(urllib.parse.unquote(parts.path))


def _regular_file(path: Path, given: str | Path) -> Path:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise UsageError(f"cannot read {_short(given)}: no such file", hint=_SOURCE_HINT) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        reason = getattr(exc, "strerror", None) or exc
        raise UsageError(f"cannot read {_short(given)}: {reason}", hint=_SOURCE_HINT) from exc
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise UsageError(f"cannot read {_short(given)}: it is {what}", hint=_SOURCE_HINT)
    return path


def _exists(path: Path) -> bool:
    try:
        path.stat()
    except (OSError, ValueError):
        return False
    return True


def _short(source: str | Path, limit: int = 120) -> str:
    """``source`` for a message: a data: URL can be megabytes long."""
    text = str(source)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fetch_page(
    url: str,
    *,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    sleep: Callable[[float], None] | None = None,
    on_received: Recorder | None = None,
) -> Page:
    """GET ``url`` with retries on transient faults; a 304 answer gives ``not_modified``.

    ``sleep`` waits between tries (``time.sleep`` unless given: tests pass one that records
    the waits). A malformed URL is a ``UsageError``.
    """
    import httpx  # here, not at the top: parsing a local file needs no HTTP client

    _check_url(url)
    limits = limits or FetchLimits()
    headers = _request_headers(etag, last_modified)
    tries = 0  # fewer than retries + 1 when the total time ran out first
    with http_client(client, limits) as http:
        try:
            for attempt in _retrying(limits, sleep):
                with attempt:
                    tries += 1
                    return _get_once(http, url, headers, limits, on_received)
        except (_Retryable, httpx.HTTPError) as exc:
            raise _fetch_error(exc, url, limits, tries) from exc
    raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover


@contextmanager
def http_client(
    client: httpx.Client | None, limits: FetchLimits, *, user_agent: str = USER_AGENT
) -> Iterator[httpx.Client]:
    """``client`` as given (its owner closes it), or one set up for ``limits`` and closed on
    leaving: redirects followed up to ``limits.max_redirects``, ``limits.timeout`` per request."""
    if client is not None:
        yield client
        return
    import httpx

    with httpx.Client(
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(limits.timeout),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
    ) as own:
        yield own


def _request_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """What the request accepts and, given what an earlier fetch saw, makes it conditional."""
    headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _fetch_error(exc: Exception, url: str, limits: FetchLimits, tries: int) -> FetchError:
    """The ``FetchError`` for what the last try ended with, with a hint at what to do."""
    import httpx

    if isinstance(exc, _Retryable):
        status = exc.response.status_code
        return FetchError(
            f"cannot fetch {url}: HTTP {status} {exc.response.reason_phrase} after "
            f"{_tries(tries, limits)}",
            url=url,
            status=status,
            hint="the server is failing or limiting requests; try again later",
        )
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(
            f"cannot fetch {url}: more than {limits.max_redirects} redirects", url=url
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(
            f"cannot fetch {url}: timed out after {limits.timeout:g} s ({_tries(tries, limits)})",
            url=url,
            hint="raise --timeout, or try again later",
        )
    return FetchError(
        f"cannot fetch {url}: {_describe(exc)}",
        url=url,
        hint="check the network, or pass a saved copy of the page with --source FILE",
    )


def _tries(tries: int, limits: FetchLimits) -> str:
    if tries < limits.retries + 1:
        return f"{tries} tries, when the {limits.total_time:g} s total time ran out"
    return f"{tries} tries"


def _retrying(limits: FetchLimits, sleep: Callable[[float], None] | None = None) -> Retrying:
    import httpx
    from tenacity import Retrying, retry_if_exception_type, wait_exponential
    from tenacity.nap import sleep as nap

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

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number >= limits.retries + 1:
            return True
        # Stop before a wait that would end past the total time, not after it: a Retry-After
        # of minutes must not keep an unattended run waiting beyond its bound.
        return (state.seconds_since_start or 0.0) + wait(state) >= limits.total_time

    return Retrying(
        stop=stop,
        sleep=sleep or nap,
        wait=wait,
        retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
        before_sleep=log,
        reraise=True,
    )


def _get_once(
    http: httpx.Client,
    url: str,
    headers: dict[str, str],
    limits: FetchLimits,
    on_received: Recorder | None,
) -> Page:
    with http.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if on_received and (status >= 400 or status == 429):
            on_received(_received(response, _head(response, _ERROR_BODY_BYTES)))
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
        if on_received:
            on_received(_received(response, body))
        return Page(
            url=str(response.url),
            text=decode_body(body, response.headers.get("Content-Type"), source=url),
            body_sha256=hashlib.sha256(body).hexdigest(),
            body_size=len(body),
            status=status,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            content_type=response.headers.get("Content-Type"),
        )


def _received(response: httpx.Response, body: bytes) -> Received:
    return Received(
        str(response.url), response.status_code, tuple(response.headers.multi_items()), body
    )


def _head(response: httpx.Response, limit: int) -> bytes:
    """Up to ``limit`` bytes of the body; an error page's rest is not worth reading."""
    import httpx

    kept = bytearray()
    try:
        for chunk in response.iter_bytes():
            kept += chunk
            if len(kept) >= limit:
                break
    except httpx.HTTPError:
        pass  # what arrived before the connection broke is still evidence
    return bytes(kept[:limit])


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
    # Imported here: email.utils costs every command's start-up 20 ms, for a rare header.
    from email.utils import parsedate_to_datetime

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
# The HTML standard's encoding sniffing: a byte order mark overrides the header and <meta>.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_ENCODINGS = tuple(encoding for _, encoding in _BOMS)
_NON_ASCII = bytes(range(0x80, 0x100))


@dataclass(frozen=True)
class _Failure:
    encoding: str
    offset: int
    reason: str


def decode_body(body: bytes, content_type: str | None, *, source: str = "the page") -> str:
    """The page's text, decoded strictly with the first candidate encoding that fits.

    Candidates in the order of the HTML standard's sniffing: a byte order mark (UTF-8,
    UTF-16 LE/BE), the charset of the ``Content-Type`` header, the ``<meta>`` charset, UTF-8,
    and GB18030, the legacy encoding of Chinese pages. A header that names a charset the bytes
    are not in (a real fault of misconfigured servers) falls through to the page's own
    declaration rather than producing mojibake. Nothing is ever replaced by U+FFFD: bytes that
    fit no candidate raise ``PageError`` naming the byte offset where each candidate failed.
    """
    failures: list[_Failure] = []
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            # The mark is the page's own word: a body that fails it is damaged, and no other
            # encoding would read it (the mark itself is not valid text in them) but as mojibake.
            text = _try(body, encoding, len(bom), failures)
            if text is None:
                raise _undecodable(source, failures)
            return text
    candidates: list[str] = []
    last: list[str] = []
    if content_type and (match := _HEADER_CHARSET.search(content_type)):
        declared = _encoding(match.group(1), from_header=True)
        if declared:
            (last if declared in _ANY_BYTES else candidates).append(declared)
    if meta := _META_CHARSET.search(body[:4096]):
        declared = _encoding(meta.group(1).decode("ascii"), from_header=False)
        if declared:
            candidates.append(declared)
    candidates.append("utf-8")
    for encoding in dict.fromkeys(candidates):  # each encoding once, first place kept
        text = _try(body, encoding, 0, failures)
        if text is not None:
            return text
    # A UTF-8 page with a few damaged bytes often "decodes" as GB18030 into plausible
    # Chinese mojibake: GB18030 is the fallback for pages that are not UTF-8 at all.
    if "gb18030" not in candidates and not _mostly_utf8(body):
        text = _try(body, "gb18030", 0, failures)
        if text is not None:
            return text
    for encoding in last:
        text = _try(body, encoding, 0, failures)
        if text is not None:
            return text
    raise _undecodable(source, failures)


def _undecodable(source: str, failures: list[_Failure]) -> PageError:
    """The refusal, naming where each candidate failed; the hint names the byte to look at:
    where the byte order mark's encoding failed, or else where UTF-8 did."""
    tried = "; ".join(
        dict.fromkeys(f"{f.encoding} fails at byte {f.offset} ({f.reason})" for f in failures)
    )
    at = next((f.offset for f in failures if f.encoding in ("utf-8", *_BOM_ENCODINGS)), 0)
    return PageError(
        f"{source}: the bytes decode in no candidate encoding, so nothing was parsed: {tried}",
        hint=f"the page is damaged or in an encoding it does not declare; look at byte {at}",
    )


def _try(body: bytes, encoding: str, skip: int, failures: list[_Failure]) -> str | None:
    try:
        text = body[skip:].decode(encoding) if skip else body.decode(encoding)
    except UnicodeDecodeError as exc:
        logger.info("the page is not valid %s at byte %d; trying the next", encoding, exc.start)
        failures.append(_Failure(encoding, skip + exc.start, exc.reason))
        return None
    return text


def _mostly_utf8(body: bytes) -> bool:
    """Whether more of the non-ASCII text is well-formed UTF-8 than not: a damaged UTF-8 page."""
    ascii_bytes = len(body.translate(None, _NON_ASCII))
    text = body.decode("utf-8", errors="replace")  # only counted, never kept
    broken = text.count("\ufffd")
    well_formed = len(text) - ascii_bytes - broken
    return well_formed > broken


def _encoding(label: str, *, from_header: bool) -> str | None:
    """The Python codec for a charset label, as the HTML standard reads labels."""
    name = label.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        found = codecs.lookup(name).name
    except LookupError:
        logger.info("unknown charset %r ignored", label)
        return None
    if not found.startswith("utf-16"):
        return found
    if not from_header:
        return "utf-8"  # a <meta> read from the bytes as ASCII is not in UTF-16: the standard
    return "utf-16-le" if found == "utf-16" else found  # "utf-16" without a BOM: little-endian
