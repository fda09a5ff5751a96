"""Reading the SDKs' declarations: the three forms, in files, folders and tarballs."""

import pytest

from nim_scrape.audit.sdk import read_sdk, scan_text
from nim_scrape.errors import UsageError

from .sdk_support import NODE_NIM, SDK, WEB_SDK, pack


def codes(sdk_or_list):
    items = sdk_or_list.codes if hasattr(sdk_or_list, "codes") else sdk_or_list
    return [(c.code, c.name, c.message) for c in items]


NODE_NIM_CODES = [
    (0, "V2NIM_ERROR_CODE_UNKNOWN", "unknown error"),
    (102404, "V2NIM_ERROR_CODE_ACCOUNT_NOT_EXIST", "account not exist"),
    (102422, "V2NIM_ERROR_CODE_ACCOUNT_BANNED", "account banned"),
    (103451, "V2NIM_ERROR_CODE_USER_PROFILE_HIT_ANTISPAM", "user profile hit antispam"),
    (
        107305,
        "V2NIM_ERROR_CODE_ACK_MESSAGE_BE_HIGH_PRIORITY",
        "ack message should be high-priority",
    ),
    (191001, "V2NIM_ERROR_CODE_MISUSE", "misuse"),
    (191002, "V2NIM_ERROR_CODE_CANCELLED", "operation cancelled"),
    (192003, "V2NIM_ERROR_CODE_DISCONNECT", "disconnected"),
    (118410, "V2NIM_ERROR_CODE_SIGNALLING_SERVICE_DISABLED", ""),
]

WEB_CODES = [
    (0, "V2NIM_ERROR_CODE_UNKNOWN", "unknown error"),
    (102404, "V2NIM_ERROR_CODE_ACCOUNT_NOT_EXIST", "account not exist"),
    (102421, "V2NIM_ERROR_CODE_ACCOUNT_CHAT_BANNED", "account chat banned"),
    (107305, "ACK_MESSAGE_BE_HIGH_PRIORITY", "ack message should be high-priority"),
    (
        107338,
        "V2NIM_ERRPR_CODE_ONEWAY_DELETION_NOT_ALLOW_FOR_TARGET_MESSAGES",
        "one-way deletion is not allowed for target messages",
    ),
    (
        108319,
        "V2NIM_ERROR_CODE_INCLUSIVE_AS_FALSE_NOT_ALLOWED_FOR_SUPER_TEAM",
        'Setting "inclusive" to false for super teams is not allowed',
    ),
    (190001, "V2NIM_ERROR_CODE_INTERNAL", 'internal error: a } brace, a code:1 and a "quote"'),
    (191001, "V2NIM_ERROR_CODE_MISUSE", "misuse"),
    (191002, "V2NIM_ERROR_CODE_CANCELLED", "operation cancelled"),
    (192003, "V2NIM_ERROR_CODE_DISCONNECT", "disconnect"),
    (191001, "V2NIM_ERROR_CODE_LEGACY_MISUSE", "misuse"),
]


def test_enum_in_a_declaration_file_with_its_comments():
    path = NODE_NIM / "types/v2_def/v2_nim_enum_def.d.ts"
    found = scan_text(path.read_text(encoding="utf-8"), file="x.d.ts")
    assert codes(found) == NODE_NIM_CODES
    assert (found[5].message_zh, found[5].file) == ("使用姿势错误", "x.d.ts:19")
    assert (found[8].message_zh, found[8].message) == ("信令服务未开通", "")


def test_compiled_enum_reads_the_same_codes():
    path = NODE_NIM / "dist/v2_def/v2_nim_enum_def.js"
    assert codes(scan_text(path.read_text(encoding="utf-8"))) == NODE_NIM_CODES


def test_minified_compiled_enum_with_a_renamed_parameter():
    text = '!function(e){e[e.V2NIM_ERROR_CODE_MISUSE=191001]="V2NIM_ERROR_CODE_MISUSE",e[e.V2NIM_ERRPR_CODE_X=107338]="V2NIM_ERRPR_CODE_X"}(Xe||(Xe={}));!function(t){t[t.V2NIM_LOGIN_STATUS_LOGOUT=0]="V2NIM_LOGIN_STATUS_LOGOUT"}(Ye||(Ye={}));'
    assert codes(scan_text(text)) == [
        (191001, "V2NIM_ERROR_CODE_MISUSE", ""),
        (107338, "V2NIM_ERRPR_CODE_X", ""),
    ]


def test_map_in_a_minified_bundle_skips_strings_comments_regexes_and_templates():
    text = (WEB_SDK / "dist/v2/NIM_BROWSER_SDK.js").read_text(encoding="utf-8")
    assert codes(scan_text(text)) == WEB_CODES


def test_harmony_map_with_single_quotes_and_a_key_without_the_prefix():
    text = (SDK / "harmony/error.js").read_text(encoding="utf-8")
    assert codes(scan_text(text)) == [
        (0, "V2NIM_ERROR_CODE_UNKNOWN", "unknown error"),
        (3, "V2NIM_ERROR_CODE_REGISTER_PUSH_SDK_FAILED", "register push sdk failed"),
        (107319, "PIN_LIMIT", "pin limit"),
        (191001, "V2NIM_ERROR_CODE_MISUSE", "misuse: don't"),
    ]


def test_a_package_folder_counts_the_declaration_and_its_compiled_twin_once():
    sdk = read_sdk(str(NODE_NIM))
    assert (sdk.label, sdk.package, sdk.version) == ("node-nim@10.9.80", "node-nim", "10.9.80")
    assert sdk.files == ("types/v2_def/v2_nim_enum_def.d.ts", "dist/v2_def/v2_nim_enum_def.js")
    assert codes(sdk) == NODE_NIM_CODES
    assert sdk.codes[0].file == "types/v2_def/v2_nim_enum_def.d.ts:8"


def test_a_package_whose_main_file_declares_reads_only_that_file():
    # the chatroom bundle beside it declares 109312 too: not the SDK that main names
    sdk = read_sdk(str(WEB_SDK))
    assert sdk.files == ("dist/v2/NIM_BROWSER_SDK.js",)
    assert codes(sdk) == WEB_CODES


def test_a_tarball_reads_like_its_folder(tmp_path):
    tarball = tmp_path / "node-nim-10.9.80.tgz"
    tarball.write_bytes(pack(NODE_NIM))
    sdk = read_sdk(str(tarball))
    assert (sdk.label, sdk.files, codes(sdk)) == (
        "node-nim@10.9.80",
        ("types/v2_def/v2_nim_enum_def.d.ts", "dist/v2_def/v2_nim_enum_def.js"),
        NODE_NIM_CODES,
    )


def test_a_single_file_is_labelled_by_its_name():
    sdk = read_sdk(str(SDK / "harmony/error.js"))
    assert (sdk.label, sdk.files, len(sdk.codes)) == ("error.js", ("error.js",), 4)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (str(SDK / "no-codes.d.ts"), "declares no error codes"),
        (str(SDK / "nowhere.d.ts"), "no such SDK source"),
        (str(SDK / "node-nim/package.json"), "cannot read"),
    ],
    ids=["no-codes", "missing", "not-a-script"],
)
def test_unusable_sources_are_usage_errors(source, message):
    with pytest.raises(UsageError, match=message):
        read_sdk(source)


def test_a_broken_tarball_is_a_usage_error(tmp_path):
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"not a tarball")
    with pytest.raises(UsageError, match="cannot read the package"):
        read_sdk(str(broken))


def test_a_folder_with_links_to_devices_and_nowhere_is_read_without_them(tmp_path):
    import shutil

    folder = tmp_path / "sdk"
    shutil.copytree(NODE_NIM, folder)
    (folder / "zero.js").symlink_to("/dev/zero")
    (folder / "gone.d.ts").symlink_to(tmp_path / "nowhere")
    sdk = read_sdk(str(folder))
    assert sdk.codes == read_sdk(str(NODE_NIM)).codes
