"""``nim-scrape export`` to typed code: each target through its real toolchain (javac, gcc/g++, go,
Python; tree-sitter grammars where no compiler is here), on the recorded page and on hostile rows
whose text tries every way out of a string literal or a comment."""

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from nim_scrape.catalogue.models import BEIJING, Catalogue, Record, Section
from nim_scrape.catalogue.store import read_catalogue
from nim_scrape.outputs.code import escape
from nim_scrape.outputs.code.golang import package_name
from nim_scrape.outputs.formats import export_catalogue

from .sdk_support import NODE_NIM, small_catalogue
from .support import run
from .toolchain import require_module, require_tool

REPO = Path(__file__).parent.parent
REAL = REPO / "output" / "nim_error_codes.json"
REAL_CATALOGUE = read_catalogue(REAL)

NASTY = (
    '"quote" \\backslash */ /* ${x} $y #{y} \\(z) %s %d %1$s {name} & < > @see \\u0041 \\u000a \\u002a/ '
    "trailing\\\nline\nbreak\r\nCRLF \t tab ??/ 中文 😀 \u2028 \ufeff \u202e \x00 end\\"
)
COMMON, ODD = "通用错误码", 'Sec "*/ ${s} \\u0022'
ROWS = [
    (COMMON, 190097, NASTY, NASTY),
    (ODD, 190097, "second meaning", "第二个含义 */"),
    (COMMON, 190001, "class", ""),
    (COMMON, 190002, "default", ""),
    (COMMON, 190003, "", ""),
    (COMMON, 190004, "中文", "只有中文"),
    (COMMON, 190005, "same name", ""),
    (COMMON, 190006, "Same-Name!", ""),
    (COMMON, 190007, "%s", ""),
    (COMMON, 190008, "404 not found", ""),
    (COMMON, 190009, "records", ""),
    (COMMON, 190010, "code", ""),
]


def hostile_catalogue() -> Catalogue:
    records = tuple(
        Record(section=s, code=c, message=m, description=d, section_anchor=s) for s, c, m, d in ROWS
    )
    sections = tuple(
        Section(title=title, anchor=title, url=f"https://example.invalid/p#{title}",
                headers=("code", "desc", "说明"),
                record_count=sum(r.section == title for r in records))
        for title in (COMMON, ODD)
    )  # fmt: skip
    return Catalogue.build(
        sections=sections,
        records=records,
        page_url="https://example.invalid/page?a=1&b=*/\n}\\u000a}",
        updated_at=datetime(2024, 10, 31, 15, 38, 33, tzinfo=BEIJING),
    )


HOSTILE = hostile_catalogue()


def texts(catalogue: Catalogue, code: int) -> list[list[object]]:
    """What a lookup of ``code`` must answer: each record's code, section, URL, message, 说明."""
    urls = {s.title: s.url for s in catalogue.sections}
    return [
        [r.code, r.section, urls[r.section], r.message, r.description]
        for r in catalogue.lookup(code)
    ]


def export(catalogue_file: Path, output: Path, *args: str) -> Path:
    result = run("export", str(output), "--catalogue", str(catalogue_file), *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {output}\n"
    return output


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory) -> Path:
    """The hostile catalogue as a catalogue file, to export it as a user would."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    path.write_text(HOSTILE.model_dump_json(), encoding="utf-8")
    return path


# --- Java ---------------------------------------------------------------------------------------

JAVA_MAIN = """\
import com.acme.errors.NimErrorCodes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

public class Main {
    static String hex(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }

    public static void main(String[] args) {
        List<String> lines = new ArrayList<>();
        for (NimErrorCodes.Record r : NimErrorCodes.records(NimErrorCodes.USER_PROFILE_HIT_ANTISPAM)) {
            lines.add("real " + r.code + " " + hex(r.section) + " " + hex(r.sectionUrl) + " "
                + hex(r.message) + " " + hex(r.description));
        }
        for (Hostile.Record r : Hostile.records(190097)) {
            lines.add("hostile " + r.code + " " + hex(r.section) + " " + hex(r.sectionUrl) + " "
                + hex(r.message) + " " + hex(r.description));
        }
        lines.add("unknown " + NimErrorCodes.records(42).size());
        lines.add("names " + Hostile.CLASS + " " + Hostile.DEFAULT + " " + Hostile.SAME_NAME + " "
            + Hostile.SAME_NAME_190006 + " " + Hostile.CODE_190003 + " " + Hostile.CODE_404_NOT_FOUND);
        for (String line : lines) {
            System.out.println(line);
        }
    }
}
"""


def hex_lines(label: str, catalogue: Catalogue, code: int) -> list[str]:
    return [
        f"{label} {row[0]} " + " ".join(str(t).encode("utf-8").hex() for t in row[1:])
        for row in texts(catalogue, code)
    ]


def test_java_compiles_on_java_11_and_answers_each_meaning_byte_for_byte(tmp_path, hostile_file):
    javac = require_tool("javac", "apt-get install openjdk-17-jdk-headless")
    java = require_tool("java", "apt-get install openjdk-17-jdk-headless")
    # Under a source root, the package follows the folders: com.acme.errors.
    real = export(REAL, tmp_path / "src/main/java/com/acme/errors/NimErrorCodes.java")
    hostile = export(hostile_file, tmp_path / "Hostile.java")
    (tmp_path / "Main.java").write_text(JAVA_MAIN, encoding="utf-8")
    done = subprocess.run(
        [javac, "--release", "11", "-Xlint:all", "-Werror", "-encoding", "US-ASCII",
         "-d", "classes", str(real), str(hostile), "Main.java"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    ran = subprocess.run(
        [java, "-cp", "classes", "Main"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert ran.stdout.splitlines() == [
        *hex_lines("real", REAL_CATALOGUE, 103451),
        *hex_lines("hostile", HOSTILE, 190097),
        "unknown 0",
        "names 190001 190002 190005 190006 190003 190008",
    ]
    assert len(hex_lines("real", REAL_CATALOGUE, 103451)) == 2


# --- C and C++ ----------------------------------------------------------------------------------

C_USE = """\
#include "nim_error_codes.h"
#include "hostile.h"
#include "nim_error_codes.h" /* the guard makes a second include harmless */

/* A check that fails to compile when false, in C99 and C++11 alike. */
#define CHECK(name, holds) extern char name[(holds) ? 1 : -1]
CHECK(misuse, NIM_ERROR_MISUSE == 191001);
CHECK(unknown, NIM_ERROR_UNKNOWN_ERROR == 0);
CHECK(keyword, NIM_ERROR_CLASS == 190001); /* a keyword in lower case is fine in upper */
CHECK(second, NIM_ERROR_SAME_NAME_190006 == 190006); /* the second claimant gets its code */
CHECK(chinese, NIM_ERROR_CODE_190004 == 190004); /* Chinese only: named by the code */

int main(void) {
    nim_error_codes code = NIM_ERROR_USER_PROFILE_HIT_ANTISPAM;
    nim_hostile other = NIM_ERROR_QUOTE_BACKSLASH_X_Y_Y_Z_NAME_SEE;
    return code == 103451 && other == 190097 ? 0 : 1;
}
"""


@pytest.mark.parametrize(
    ("compiler", "flags", "suffix"),
    [
        ("gcc", ["-x", "c", "-std=c99"], "c"),
        ("gcc", ["-x", "c", "-std=c11"], "c"),
        ("g++", ["-x", "c++", "-std=c++11"], "cpp"),
        ("g++", ["-x", "c++", "-std=c++17"], "cpp"),
    ],
)
def test_c_header_compiles_as_c_and_cpp_and_names_each_code(
    tmp_path, hostile_file, compiler, flags, suffix
):
    found = require_tool(compiler, "apt-get install gcc g++")
    export(REAL, tmp_path / "nim_error_codes.h")
    export(hostile_file, tmp_path / "hostile.h")
    source = tmp_path / f"use.{suffix}"
    source.write_text(C_USE, encoding="utf-8")
    # -trigraphs: ??/ in a comment would splice lines where trigraphs are read (C89, C++98).
    done = subprocess.run(
        [found, "-fsyntax-only", *flags, "-trigraphs", "-Wall", "-Wextra", "-pedantic", "-Werror",
         str(source)],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


# --- Go -----------------------------------------------------------------------------------------

GO_MAIN = """\
package main

import (
	"encoding/json"
	"os"

	"x/hostile"
	nimerrors "x/nim-errors"
)

func rows(records []nimerrors.Record) [][]interface{} {
	out := [][]interface{}{}
	for _, r := range records {
		out = append(out, []interface{}{r.Code, r.Section, r.SectionURL, r.Message, r.Description})
	}
	return out
}

func main() {
	var hostileRows [][]interface{}
	for _, r := range hostile.Lookup(190097) {
		hostileRows = append(hostileRows, []interface{}{r.Code, r.Section, r.SectionURL, r.Message, r.Description})
	}
	_ = json.NewEncoder(os.Stdout).Encode(map[string]interface{}{
		"real":    rows(nimerrors.UserProfileHitAntispam.Records()),
		"hostile": hostileRows,
		"unknown": len(nimerrors.Lookup(42)),
		"names":   []hostile.Code{hostile.Class, hostile.Default, hostile.Records190009, hostile.Code190010},
	})
}
"""


def go_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GOCACHE": str(tmp_path / "gocache"),
        "GOPATH": str(tmp_path / "gopath"),
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",
        "GOFLAGS": "",
        "GO111MODULE": "on",
    }


def test_go_package_vets_and_its_lookup_answers_each_meaning(tmp_path, hostile_file):
    go = require_tool("go", "apt-get install golang-go")
    module = tmp_path / "module"
    (module / "check").mkdir(parents=True)
    (module / "go.mod").write_text("module x\n\ngo 1.19\n", encoding="utf-8")
    export(REAL, module / "nim-errors" / "codes.go")  # package nimerrors, from the folder
    export(hostile_file, module / "hostile" / "codes.go")
    (module / "check" / "main.go").write_text(GO_MAIN, encoding="utf-8")
    env = go_env(tmp_path)
    vet = subprocess.run(
        [go, "vet", "./..."], cwd=module, env=env, capture_output=True, text=True, check=False
    )
    assert vet.returncode == 0, vet.stdout + vet.stderr
    done = subprocess.run(
        [go, "run", "./check"], cwd=module, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["real"] == texts(REAL_CATALOGUE, 103451)
    assert answer["hostile"] == texts(HOSTILE, 190097)
    assert answer["unknown"] == 0
    assert answer["names"] == [190001, 190002, 190009, 190010]


@pytest.mark.parametrize(
    ("folder", "package"),
    [("nim-errors", "nimerrors"), ("NimErrors", "nimerrors"), ("codes_v2", "codes_v2"),
     ("main", "nimerrors"), ("type", "nimerrors"), ("2024", "nimerrors"), ("错误码", "nimerrors")],
)  # fmt: skip
def test_go_package_is_named_after_the_folder(tmp_path, folder, package):
    assert package_name(tmp_path / folder / "codes.go") == package


# --- Python -------------------------------------------------------------------------------------

PY_CHECK = """\
import json
from nim_error_codes import NimErrorCode, lookup
from hostile_codes import NimErrorCode as Hostile, lookup as hostile_lookup

print(json.dumps({
    "real": [list(r) for r in NimErrorCode.USER_PROFILE_HIT_ANTISPAM.records],
    "hostile": [list(r) for r in hostile_lookup(190097)],
    "unknown": len(lookup(42)),
    "names": [m.name for m in Hostile],
    "values": len(set(NimErrorCode)) == len(list(NimErrorCode.__members__.values())),
}))
"""


def test_python_module_imports_and_its_lookup_answers_each_meaning(tmp_path, hostile_file):
    export(REAL, tmp_path / "nim_error_codes.py")
    export(hostile_file, tmp_path / "hostile_codes.py")
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + PY_CHECK],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["real"] == texts(REAL_CATALOGUE, 103451)
    assert answer["hostile"] == texts(HOSTILE, 190097)
    assert answer["unknown"] == 0
    assert answer["values"] is True  # one member per code: no aliases
    assert answer["names"] == [
        "CLASS", "DEFAULT", "CODE_190003", "CODE_190004", "SAME_NAME", "SAME_NAME_190006",
        "CODE_190007", "CODE_404_NOT_FOUND", "RECORDS", "CODE", "QUOTE_BACKSLASH_X_Y_Y_Z_NAME_SEE",
    ]  # fmt: skip


# --- Kotlin, Swift, Dart: parsed by their tree-sitter grammars ----------------------------------

GRAMMARS = {
    "kt": ("tree_sitter_kotlin", "string_literal"),
    "swift": ("tree_sitter_swift", "line_string_literal"),
    "dart": ("tree_sitter_dart", "string_literal"),
}
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|.)", re.DOTALL)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def decode(literal: str) -> str:
    """The value of a double-quoted literal of these three languages (each escape they share)."""

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("u{"):
            return chr(int(body[2:-1], 16))
        if body.startswith("u") and len(body) == 5:
            return chr(int(body[1:], 16))
        return _SIMPLE.get(body, body)

    value = _ESCAPE.sub(one, literal[1:-1])
    # Kotlin's \uD83D\uDE00: the two halves of one character
    return value.encode("utf-16", "surrogatepass").decode("utf-16")


def parse(path: Path):
    require_module("tree_sitter", "pip install -e '.[test]'")
    module_name, literal = GRAMMARS[path.suffix[1:]]
    require_module(module_name, "pip install -e '.[test]'")
    import importlib

    import tree_sitter

    grammar = importlib.import_module(module_name)
    tree = tree_sitter.Parser(tree_sitter.Language(grammar.language())).parse(path.read_bytes())
    nodes, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    return nodes, literal


@pytest.mark.parametrize(
    "name", ["NimErrorCodes.kt", "NimErrorCodes.swift", "nim_error_codes.dart"]
)
def test_kotlin_swift_and_dart_parse_and_keep_the_text_as_data(tmp_path, hostile_file, name):
    for source, catalogue, codes in ((REAL, REAL_CATALOGUE, (103451, 102404)),
                                     (hostile_file, HOSTILE, (190097,))):  # fmt: skip
        path = export(source, tmp_path / source.stem / name)
        nodes, literal = parse(path)
        broken = [(n.type, n.start_point) for n in nodes if n.is_error or n.is_missing]
        assert not broken, broken
        strings = [n for n in nodes if n.type == literal and n.text.startswith(b'"')]
        # No ${x} or \\(x) on the page may become an expression in the app.
        inner = {c.type for n in strings for c in n.children}
        assert not {t for t in inner if "interpol" in t or "substitution" in t}, inner
        values = [decode(n.text.decode("utf-8")) for n in strings]
        for code in codes:
            for row in texts(catalogue, code):
                assert all(text in values for text in row[1:]), row


# --- what every target shares -------------------------------------------------------------------

TARGETS = ["NimErrorCodes.kt", "NimErrorCodes.java", "NimErrorCodes.swift", "nim_error_codes.dart",
           "nim_error_codes.h", "nimerrors/codes.go", "nim_error_codes.py",
           "nimErrorCodes.ts"]  # fmt: skip


@pytest.mark.parametrize("name", TARGETS)
def test_each_file_says_what_made_it_and_is_the_same_every_time(tmp_path, name):
    first = export(REAL, tmp_path / "a" / name).read_bytes()
    second = export(REAL, tmp_path / "b" / name).read_bytes()
    assert first == second
    lines = first.decode("utf-8").splitlines()
    top = lines[: next(i for i, line in enumerate(lines) if "Do not edit" in line) + 1]
    said = "\n".join(top)
    assert "nim-scrape 0.1.0" in said
    assert REAL_CATALOGUE.page_url in said
    assert "2024-10-31T15:38:33+08:00" in said
    assert "Do not edit" in said
    assert all(line.startswith(("//", "/*", " *", "#")) for line in top if line)


@pytest.mark.parametrize(
    ("name", "declared"),
    [("NimErrorCodes.kt", "const val V2NIM_ERROR_CODE_MISUSE: Int = 191001"),
     ("NimErrorCodes.java", "public static final int V2NIM_ERROR_CODE_MISUSE = 191001;"),
     ("NimErrorCodes.swift", "case V2NIM_ERROR_CODE_MISUSE = 191001"),
     ("nim_error_codes.dart", "static const int V2NIM_ERROR_CODE_MISUSE = 191001;"),
     ("nim_error_codes.h", "V2NIM_ERROR_CODE_MISUSE = 191001,"),
     ("nimerrors/codes.go", "V2NIM_ERROR_CODE_MISUSE Code = 191001"),
     ("nim_error_codes.py", "V2NIM_ERROR_CODE_MISUSE = 191001")],
)  # fmt: skip
def test_constants_take_the_sdks_own_names(tmp_path, name, declared):
    small = tmp_path / "small.json"
    small.write_text(small_catalogue().model_dump_json(), encoding="utf-8")
    text = export(small, tmp_path / name, "--sdk", str(NODE_NIM)).read_text(encoding="utf-8")
    assert declared in text
    # without the SDK, the first message names it
    plain = export(small, tmp_path / "plain" / name).read_text(encoding="utf-8")
    assert "V2NIM_ERROR_CODE_MISUSE" not in plain
    assert re.search(r"\b(MISUSE|misuse|Misuse|NIM_ERROR_MISUSE)\b", plain)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Hostile.kt", ["const val CLASS: Int = 190001", "const val SAME_NAME_190006: Int = 190006"]),
     ("Hostile.swift", ["case class190001 = 190001", "case default190002 = 190002",
                        "case records190009 = 190009", "case sameName190006 = 190006",
                        "case code190003 = 190003"]),
     ("hostile.dart", ["static const int class190001 = 190001", "static const int default190002",
                       "static const int records190009", "static const int code190004 = 190004"]),
     ("hostile/codes.go", ["Class Code = 190001", "Code190010 Code = 190010",
                           "SameName190006 Code = 190006", "Code404NotFound Code = 190008"])],
)  # fmt: skip
def test_keywords_and_clashes_get_the_code_appended(tmp_path, hostile_file, name, expected):
    text = export(hostile_file, tmp_path / name).read_text(encoding="utf-8")
    for declaration in expected:
        assert declaration in text


def test_an_unknown_suffix_is_a_usage_error_and_writes_nothing(tmp_path):
    result = run("export", str(tmp_path / "codes.rs"), "--catalogue", str(REAL))
    assert result.exit_code == 2
    assert "unknown suffix '.rs'" in result.stderr
    assert ".kt" in result.stderr
    assert ".java" in result.stderr
    assert not list(tmp_path.iterdir())


def test_sdk_names_for_a_format_without_constants_is_a_usage_error(tmp_path):
    result = run("export", str(tmp_path / "x.ndjson"), "--sdk", str(NODE_NIM))
    assert result.exit_code == 2
    assert "--sdk names the constants of typed code" in result.stderr
    assert not list(tmp_path.iterdir())


def test_help_lists_every_suffix():
    shown = run("export", "--help").stdout
    for suffix in (".db", ".ndjson", ".ts", ".kt", ".java", ".swift", ".dart", ".h", ".go", ".py"):
        assert f"  {suffix}" in shown


# --- your own template --------------------------------------------------------------------------

RUST = """\
{% for line in header %}// {{ line }}
{% endfor %}
pub fn meanings(code: i32) -> &'static [(&'static str, &'static str)] {
    match code {
{% for c in codes %}
        {{ c.code }} => &[{% for r in c.records %}({{ r.section | json }}, {{ r.message | json }}), {% endfor %}], // {{ c.names.kotlin }}
{% endfor %}
        _ => &[],
    }
}
"""


def test_a_template_of_your_own_gets_every_code_and_meaning(tmp_path):
    template = tmp_path / "errors.rs.j2"
    template.write_text(RUST, encoding="utf-8")
    out = export(REAL, tmp_path / "errors.rs", "--template", str(template)).read_text("utf-8")
    assert out.startswith("// Generated by nim-scrape 0.1.0")
    assert (
        '        103451 => &[("用户资料错误码", "user profile hit antispam"), '
        '("好友错误码", "friend application not exist"), ], // USER_PROFILE_HIT_ANTISPAM\n'
    ) in out
    assert len(re.findall(r"^ +\d+ => &\[", out, re.M)) == len(
        {r.code for r in REAL_CATALOGUE.records}
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [("{{ ''.__class__.__mro__[1].__subclasses__() }}", "access to attribute '__class__'"),
     ("{{ codes[0].nope }}", "has no attribute 'nope'"),
     ("{% for %}", "does not parse: line 1")],
)  # fmt: skip
def test_a_template_that_breaks_out_or_fails_is_a_usage_error(tmp_path, text, said):
    template = tmp_path / "t.j2"
    template.write_text(text, encoding="utf-8")
    result = run("export", str(tmp_path / "out.txt"), "--catalogue", str(REAL),
                 "--template", str(template))  # fmt: skip
    assert result.exit_code == 2
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "out.txt").exists()


# --- the escaping, function by function ---------------------------------------------------------


@pytest.mark.parametrize("line", [NASTY, "*/", "a \\u000a b", "end \\"])
def test_no_comment_escape_leaves_a_way_out_of_its_comment(line):
    for text in escape.comment_lines(line):
        assert "*/" not in escape.java_comment(text)
        java = escape.java_comment(text)
        assert java.isascii()
        # javac reads \\u escapes even in comments: the only ones left are the file's own, each
        # a character beyond ASCII (never a line break, a * or a /).
        for at in (m.start() for m in re.finditer(r"\\", java)):
            assert re.match(r"\\u[0-9A-F]{4}", java[at:]), java[at:]
            assert int(java[at + 2 : at + 6], 16) >= 0x80
        assert "*/" not in escape.kotlin_comment(text)
        assert "/*" not in escape.kotlin_comment(text)  # Kotlin's block comments nest
        assert "*/" not in escape.c_comment(text)
        assert not {"\n", "\r", "\u2028"} & set(text)


def test_python_and_c_string_literals_hold_the_text_exactly(tmp_path):
    import ast

    assert ast.literal_eval(escape.python_string(NASTY)) == NASTY
    c_literal = escape.c_string(NASTY)
    assert c_literal.isascii()
    assert "??" not in c_literal  # no trigraph
    gcc = require_tool("gcc", "apt-get install gcc")
    program = tmp_path / "s.c"
    program.write_text(
        "#include <stdio.h>\nint main(void) { static const char s[] = " + c_literal + ";"
        " fwrite(s, 1, sizeof s - 1, stdout); return 0; }\n",
        encoding="utf-8",
    )
    subprocess.run(
        [gcc, "-std=c89", "-trigraphs", "-o", str(tmp_path / "s"), str(program)], check=True
    )
    shown = subprocess.run([str(tmp_path / "s")], capture_output=True, check=True).stdout
    assert shown == NASTY.encode("utf-8")


def test_the_library_exports_typed_code_with_sdk_names(tmp_path):
    written = export_catalogue(
        small_catalogue(), tmp_path / "codes.py", names={191001: "V2NIM_ERROR_CODE_MISUSE"}
    )
    assert "    V2NIM_ERROR_CODE_MISUSE = 191001\n" in written.read_text(encoding="utf-8")
