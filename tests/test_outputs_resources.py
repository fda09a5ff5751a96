"""``nim-scrape export`` to string resources: Android strings.xml, gettext .po, Flutter .arb and
an Apple String Catalog, each read back through its own toolchain's rules (aapt2, msgfmt and
Python's gettext, Flutter's ICU lexer) and compared with the catalogue's text."""

from __future__ import annotations

import gettext
import json
import re
import subprocess
from pathlib import Path

import pytest

from nim_scrape.catalogue.models import Catalogue, Record, Section
from nim_scrape.catalogue.store import catalogue_json, read_catalogue
from nim_scrape.outputs.localized import JOINER, entries, record_text

from .support import run
from .toolchain import require_tool

REPO = Path(__file__).parent.parent
REAL_FILE = REPO / "output" / "nim_error_codes.json"
REAL = read_catalogue(REAL_FILE)

NASTY = (
    "@start ?start 'single' \"double\" \\backslash & < > %s %d %1$s %% {name} ${x} #{y} "
    "line\nbreak 中文 emoji 😀"
)


def hostile_catalogue() -> Catalogue:
    """The recorded page plus rows no format may mangle, and one whose 说明 is empty."""
    extra = (
        Record(section="测试", code=190097, message=NASTY, description=NASTY, section_anchor="t"),
        Record(
            section="测试", code=190098, message="@string/app_name", description="@中文",
            section_anchor="t",
        ),
        Record(
            section="测试", code=190099, message="?attr/colour", description="?问号",
            section_anchor="t",
        ),
        Record(
            section="测试", code=190100, message=" two  spaces ", description="",
            section_anchor="t",
        ),
    )  # fmt: skip
    section = Section(
        title="测试", anchor="t", url=f"{REAL.page_url}#t", headers=("code", "desc", "说明"),
        record_count=len(extra),
    )  # fmt: skip
    return REAL.model_copy(
        update={"records": REAL.records + extra, "sections": (*REAL.sections, section)}
    )


HOSTILE = hostile_catalogue()


def expected(catalogue: Catalogue, lang: str) -> dict[int, str]:
    """Each code's text in ``lang`` as the README says: the distinct texts in page order, joined
    with " / ", an empty column standing in for by the other."""
    texts: dict[int, list[str]] = {}
    for record in catalogue.records:
        text = record.message if lang == "en" else record.description
        text = text or (record.description if lang == "en" else record.message)
        seen = texts.setdefault(record.code, [])
        if text not in seen:
            seen.append(text)
    return {code: " / ".join(seen) for code, seen in texts.items()}


def export(catalogue: Catalogue, path: Path, *args: str) -> Path:
    """Write ``catalogue`` to a file and export it to ``path`` through the command line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = path.parent.parent / f"{path.name}.catalogue.json"
    source.write_text(catalogue_json(catalogue), encoding="utf-8")
    result = run("export", "--catalogue", str(source), *args, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {path}\n"
    source.unlink()
    return path


def test_one_entry_per_distinct_code_with_every_meaning_joined_in_page_order():
    by_code = {entry.code: entry for entry in entries(REAL)}
    assert len(by_code) == len({r.code for r in REAL.records}) == 232
    assert by_code[103451].text("en") == "user profile hit antispam / friend application not exist"
    assert by_code[102404].text("zh") == "用户不存在。 / 用户(网易云信 IM 账号)不存在。"
    assert by_code[403].text("en").split(JOINER)[:3] == [
        "forbidden",
        "request header for authentication missing",
        "invalid AppKey",
    ]
    assert len(by_code[403].text("en").split(JOINER)) == 7
    assert len(by_code[403].meanings()) == 8  # forbidden twice, in two sections
    assert expected(REAL, "en") == {e.code: e.text("en") for e in entries(REAL)}


def test_an_empty_column_falls_back_to_the_other_language():
    record = HOSTILE.records[-1]
    assert record_text(record, "zh") == " two  spaces "


# Android ------------------------------------------------------------------------------------


def aapt2_read_back(xml: Path, tmp: Path) -> dict[str, str]:
    """Compile ``xml`` with aapt2 (it must sit in res/values/) and read each string back as
    aapt2 stored it, after its own unescaping (``aapt2 dump apc`` of the compiled table)."""
    aapt2 = require_tool("aapt2", "apt-get install aapt")
    flat = tmp / "flat"
    flat.mkdir()
    done = subprocess.run(
        [aapt2, "compile", "-o", str(flat), str(xml)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warning either (a non-positional format string warns)
    (compiled,) = flat.iterdir()
    dump = subprocess.run(
        [aapt2, "dump", "apc", str(compiled)], capture_output=True, text=True, check=True
    ).stdout
    strings = {}
    for chunk in re.split(r"\n\s+resource 0x[0-9a-f]+ ", dump)[1:]:
        head, _, rest = chunk.partition("\n")
        assert head.startswith("string/"), head
        indent = rest[: len(rest) - len(rest.lstrip(" "))]
        value, _, _ = rest.removeprefix(f'{indent}() "').rpartition('" src=')
        # The dump indents each line of a value as deep as its first: that is the dump's own.
        strings[head.removeprefix("string/")] = value.replace(f"\n{indent}", "\n")
    return strings


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_android_strings_compile_with_aapt2_and_read_back_as_the_page_says(lang, tmp_path):
    xml = export(HOSTILE, tmp_path / "res" / "values" / "strings.xml", "--lang", lang)
    strings = aapt2_read_back(xml, tmp_path)
    assert strings == {f"nim_error_{code}": text for code, text in expected(HOSTILE, lang).items()}
    assert strings["nim_error_190097"] == NASTY


def test_android_strings_say_what_generated_them_and_keep_every_meaning(tmp_path):
    xml = export(REAL, tmp_path / "strings.xml", "--lang", "zh").read_text(encoding="utf-8")
    head = xml[: xml.index("<resources>")]
    assert "nim-scrape" in head
    assert REAL.page_url in head
    assert "2024-10-31T15:38:33+08:00" in head
    assert "Do not edit by hand" in head
    assert "<!-- 用户资料错误码: user profile hit antispam — 用户资料命中反垃圾。 -->" in xml
    assert "<!-- 好友错误码: friend application not exist — 好友申请不存在。 -->" in xml
    assert xml.count('<string name="nim_error_403"') == 1


# gettext ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_po_passes_msgfmt_check_and_reads_back_as_the_page_says(lang, tmp_path):
    msgfmt = require_tool("msgfmt", "apt-get install gettext")
    po = export(HOSTILE, tmp_path / "nim.po", "--lang", lang)
    mo = tmp_path / "nim.mo"
    done = subprocess.run(
        [msgfmt, "-c", "-o", str(mo), str(po)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # a header field missing would warn
    with mo.open("rb") as fp:
        translations = gettext.GNUTranslations(fp)
    assert translations.info()["language"] == {"en": "en", "zh": "zh_CN"}[lang]
    assert translations.charset() == "UTF-8"
    for code, text in expected(HOSTILE, lang).items():
        assert translations.gettext(f"nim_error_{code}") == text


def test_po_comments_give_each_meaning_and_the_printf_placeholders(tmp_path):
    po = export(HOSTILE, tmp_path / "nim.po").read_text(encoding="utf-8")
    assert po.startswith("# Generated by nim-scrape ")
    assert "2024-10-31T15:38:33+08:00" in po.split('msgid ""')[0]
    block = po[po.index("#. 登录错误码: %s not exist") : po.index('msgid "nim_error_102404"')]
    assert "#. 账号错误码: account not exist — 用户(网易云信 IM 账号)不存在。\n" in block
    assert "#. printf placeholders: %s\n" in block
    nasty = po[
        po.index("#. printf placeholders: %s %d %1$s") : po.index('msgid "nim_error_190098"')
    ]
    assert 'msgstr ""\n"@start ?start \'single\' \\"double\\" \\\\backslash' in nasty


# Flutter ARB --------------------------------------------------------------------------------


def flutter_read_back(message: str) -> tuple[str, list[str]]:
    """``message`` lexed as Flutter's gen-l10n does with use-escaping (message_parser.dart):
    ``'…'`` is quoted text, ``''`` one apostrophe, a quoted run right after an apostrophe keeps
    it, and ``{identifier}`` a placeholder. The text with each placeholder as ``{name}``, and
    the placeholders. Any other brace fails the test: ICU would read it as syntax."""
    out: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(message):
        quoted = re.compile(r"'[^']*'").match(message, i)
        if quoted:
            found = quoted.group(0)
            if found == "''":
                out.append("'")
            elif i > 1 and message[i - 1] == "'":
                out.append(found[:-1])
            else:
                out.append(found[1:-1])
            i = quoted.end()
            continue
        plain = re.compile(r"[^{}']+").match(message, i)
        if plain:
            out.append(plain.group(0))
            i = plain.end()
            continue
        placeholder = re.compile(r"\{\s*([a-zA-Z0-9]+)\s*\}").match(message, i)
        assert placeholder, f"unbalanced brace or stray quote at {i} in {message!r}"
        out.append("{" + placeholder.group(1) + "}")
        names.append(placeholder.group(1))
        i = placeholder.end()
    return "".join(out), names


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_arb_is_json_with_dart_keys_declared_placeholders_and_the_page_text(lang, tmp_path):
    bundle = json.loads(export(HOSTILE, tmp_path / "app.arb", "--lang", lang).read_text("utf-8"))
    assert bundle["@@locale"] == lang
    assert bundle["@@last_modified"] == "2024-10-31T15:38:33+08:00"
    assert "Do not edit by hand" in bundle["@@x-note"]
    messages = {k: v for k, v in bundle.items() if not k.startswith("@")}
    for code, text in expected(HOSTILE, lang).items():
        key = f"nimError{code}"
        assert re.fullmatch(r"[a-z][A-Za-z0-9_]*", key)
        read, names = flutter_read_back(messages.pop(key))
        assert read == text
        assert sorted(bundle[f"@{key}"].get("placeholders", {})) == sorted(set(names))
        assert bundle[f"@{key}"]["description"]
    assert messages == {}
    assert bundle["@nimError190097"]["placeholders"] == {
        "name": {"type": "String"},
        "x": {"type": "String"},
        "y": {"type": "String"},
    }
    if lang == "en":
        assert "Parameter setting error: {name}" in bundle["nimError414"]


def test_arb_quotes_braces_that_are_no_placeholder():
    from nim_scrape.outputs.arb import arb_message

    message, names = arb_message("a {0} b } {other} it's")
    assert names == []
    assert flutter_read_back(message) == ("a {0} b } {other} it's", [])


# Apple String Catalog -----------------------------------------------------------------------


def test_xcstrings_holds_every_code_in_english_and_simplified_chinese(tmp_path):
    path = export(HOSTILE, tmp_path / "Localizable.xcstrings", "--lang", "zh")
    catalog = json.loads(path.read_text(encoding="utf-8"))
    assert catalog["sourceLanguage"] == "en"
    assert catalog["version"] == "1.0"
    english, chinese = expected(HOSTILE, "en"), expected(HOSTILE, "zh")
    assert sorted(catalog["strings"]) == sorted(f"nim_error_{code}" for code in english)
    for code in english:
        entry = catalog["strings"][f"nim_error_{code}"]
        assert entry["extractionState"] == "manual"
        assert "Do not edit by hand" in entry["comment"]
        units = {loc: value["stringUnit"] for loc, value in entry["localizations"].items()}
        assert units == {
            "en": {"state": "translated", "value": english[code]},
            "zh-Hans": {"state": "translated", "value": chinese[code]},
        }
    assert (
        catalog["strings"]["nim_error_190097"]["localizations"]["en"]["stringUnit"]["value"]
        == NASTY
    )


# The command --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["strings.xml", "nim.po", "app.arb", "Localizable.xcstrings"])
def test_same_catalogue_same_bytes(name, tmp_path):
    first = export(HOSTILE, tmp_path / "a" / name, "--lang", "zh").read_bytes()
    second = export(HOSTILE, tmp_path / "b" / name, "--lang", "zh").read_bytes()
    assert first == second


def test_a_language_the_page_does_not_have_is_a_usage_error_and_writes_nothing(tmp_path):
    output = tmp_path / "strings.xml"
    result = run("export", "--catalogue", str(REAL_FILE), "--lang", "fr", str(output))
    assert result.exit_code == 2
    assert "'fr' is not one of 'en', 'zh'" in result.stderr
    assert not output.exists()


def test_from_python_a_language_the_page_does_not_have_is_refused_before_writing(tmp_path):
    from nim_scrape.errors import UsageError
    from nim_scrape.outputs.formats import export_catalogue

    with pytest.raises(UsageError, match="the page's languages are en, zh"):
        export_catalogue(REAL, tmp_path / "nim.po", lang="fr")
    assert list(tmp_path.iterdir()) == []
