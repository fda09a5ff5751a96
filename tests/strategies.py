"""Hypothesis strategies: small catalogues whose sections and codes overlap a lot."""

from __future__ import annotations

from hypothesis import strategies as st

from nim_scrape.catalogue.models import Catalogue, Record, Section

TITLES = ["通用错误码", "连接错误码", "连接错误", "消息错误码", "群组错误码", '引号 "x" \\ 错误码']
MESSAGES = ["unknown error", "unknown error.", "timeout", 'say "hi"', "%s not exist"]
DESCRIPTIONS = ["未知错误", "未知错误。", "请求超时。", "资源不存在,请重试", "资源不存在，请重试"]

rows = st.lists(
    st.tuples(
        st.integers(min_value=400, max_value=405),
        st.sampled_from(MESSAGES),
        st.sampled_from(DESCRIPTIONS),
    ),
    max_size=8,
)
layouts = st.lists(st.tuples(st.sampled_from(TITLES), rows), max_size=5, unique_by=lambda s: s[0])


def build(layout: list[tuple[str, list[tuple[int, str, str]]]]) -> Catalogue:
    """A catalogue with the given sections and rows, in the given order."""
    sections = []
    records = []
    for title, section_rows in layout:
        sections.append(
            Section(
                title=title,
                anchor=title,
                url=f"https://example.invalid/#{title}",
                headers=("code", "desc", "说明"),
                record_count=len(section_rows),
            )
        )
        for code, message, description in section_rows:
            records.append(
                Record(
                    section=title,
                    code=code,
                    message=message,
                    description=description,
                    section_anchor=title,
                )
            )
    return Catalogue.build(sections=tuple(sections), records=tuple(records))


catalogues = layouts.map(build)
