"""What the SDK audit tests share: the SDK fixtures, a small page that goes with them, tarballs."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from nim_scrape.catalogue.models import Catalogue, Record, Section

from .support import FIXTURES

SDK = FIXTURES / "sdk"
NODE_NIM = SDK / "node-nim"
WEB_SDK = SDK / "nim-web-sdk-ng"
PAGE_URL = "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client"

# section, code, message: a few rows of the page, in page order, with its two conflicts.
ROWS = [
    ("通用错误码", 191001, "misuse"),
    ("通用错误码", 191002, "cancelled"),
    ("连接错误码", 192003, "disconnected"),
    ("登录错误码", 102404, "%s not exist"),
    ("登录错误码", 102422, "account banned"),
    ("账号错误码", 102404, "account not exist"),
    ("账号错误码", 102421, "account chat banned"),
    ("用户资料错误码", 103451, "user profile hit antispam"),
    ("好友错误码", 103451, "friend application not exist"),
    ("消息错误码", 107305, "ACK message should be high-priority."),
    ("群定向消息错误码", 107338, "One-way deletion is not allowed for target messages"),
    ("全局错误码", 400, "incorrect request method"),
]


def url(section: str) -> str:
    return f"{PAGE_URL}#{section}"


def small_catalogue() -> Catalogue:
    titles = list(dict.fromkeys(section for section, _, _ in ROWS))
    records = tuple(
        Record(
            section=section,
            code=code,
            message=message,
            description=f"{message} 的说明。",
            section_anchor=section,
        )
        for section, code, message in ROWS
    )
    sections = tuple(
        Section(
            title=title,
            anchor=title,
            url=url(title),
            headers=("code", "desc", "说明"),
            record_count=sum(1 for r in records if r.section == title),
        )
        for title in titles
    )
    return Catalogue.build(sections=sections, records=records, page_url=PAGE_URL)


def pack(folder: Path, *, top: str = "package") -> bytes:
    """``folder`` as npm packs it: a gzipped tar with every file under ``package/``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=f"{top}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()
