"""Every bad corpus file the tests feed the reader, in one place: tests/corpus/test_bad_files.py checks each English
line, tests/app/test_korean_errors.py each Korean one on the Data page."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from typing import NamedTuple

import pandas as pd

from core.corpus.data import OLD_COLUMNS, write_xlsx
from tests.conftest import old_frame, tiny_rows

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class BadFile(NamedTuple):
    name: str
    data: bytes
    fragment: str  # a regular expression the English line matches
    patches: dict = {}  # core.corpus.data constants lowered for the case (a zip bomb's cap)


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return buffer.getvalue()


def forge_sizes(data: bytes, size: int) -> bytes:
    """Every member's inflated size, in the zip's directory and local headers, claimed to be `size`."""
    raw = bytearray(data)
    for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
        struct.pack_into("<L", raw, info.header_offset + 22, size)
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into("<L", raw, at + 24, size)
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def zip_of(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def dialogue(emotion_type: object = "E18") -> dict:
    """One dialogue in the official JSON layout."""
    return {"profile": {"persona": {"human": ["A02", "G01"]}, "emotion": {"type": emotion_type, "situation": ["S04"]}},
            "talk": {"id": {"talk-id": "Pro_00001_00001"}, "content": {"HS01": "너무 화가 나", "SS01": "그랬군요."}}}


def rows_where(**changes) -> pd.DataFrame:
    rows = tiny_rows()
    for row in rows:
        row.update(changes)
    return old_frame(rows)


def _bad_files() -> dict[str, BadFile]:
    workbook = xlsx_bytes(old_frame(tiny_rows()))
    joy = old_frame([r for r in tiny_rows() if r["감정_대분류"] == "기쁨"])
    return {
        "damaged zip": BadFile("bad.xlsx", b"PK\x03\x04garbage" * 10, "corrupted"),
        "password-protected workbook": BadFile("locked.xlsx", OLE + "EncryptedPackage".encode("utf-16-le") + bytes(64),
                                               "password"),
        "legacy .xls": BadFile("old.xls", OLE + bytes(64), r"\.xls"),
        "binary file": BadFile("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "binary"),
        "empty file": BadFile("blank.csv", b"   ", "empty"),
        "zip that is no workbook": BadFile("archive.xlsx", zip_of({"hello.txt": "hi"}), "not an Excel workbook"),
        "zip bomb": BadFile("bomb.xlsx", workbook, "zip bomb", {"MAX_UNZIPPED_BYTES": 1000}),
        "inflating past the cap": BadFile("zeros.xlsx", zip_of({"[Content_Types].xml": "<Types/>",
                                                                "xl/worksheets/sheet1.xml": bytes(4 * 2**20)}),
                                          "zip bomb", {"MAX_UNZIPPED_BYTES": 2**20}),
        "zip lying about its sizes": BadFile("lying.xlsx", forge_sizes(workbook, 100), "damaged"),
        "wrong columns": BadFile("wrong.xlsx", xlsx_bytes(pd.DataFrame({"문장": ["안녕"], "라벨": ["기쁨"]})),
                                 "no sheet has the columns 감정_대분류, 사람문장1"),
        "header without rows": BadFile("header.xlsx", xlsx_bytes(pd.DataFrame(columns=OLD_COLUMNS)),
                                       "header but no rows"),
        "one label only": BadFile("one.xlsx", xlsx_bytes(joy), "same label"),
        "no usable rows": BadFile("none.xlsx", xlsx_bytes(rows_where(사람문장1=None, 사람문장2=None)), "no usable rows"),
        "neither UTF-8 nor CP949": BadFile("latin.csv", b"a,b\n\xff\xff\n", "neither UTF-8 nor CP949"),
        "JSON cut short": BadFile("cut.json", b'[{"profile": {"emotion": ',
                                  r"not valid UTF-8 JSON \(Expecting value at line 1"),
        "JSON in CP949": BadFile("cp949.json", '[{"감정": "분노"}]'.encode("cp949"), r"the bytes are not UTF-8"),
        "JSON not in the layout": BadFile("layout.json", json.dumps([{"talk": 1}]).encode(),
                                          "dialogue 1 is not in the AIHUB layout"),
        "JSON without content": BadFile("content.json", b'[{"profile": {}, "talk": {"content": {}}}]',
                                        "dialogue 1 is not in the AIHUB layout"),
        "JSON a table": BadFile("table.json", b'{"data": []}', "expected a JSON list of dialogues .AIHUB layout., found a dict"),
        "JSON list empty": BadFile("empty.json", b"[]", "the JSON list has no dialogues"),
        "JSON unknown emotion code": BadFile("code.json", json.dumps([dialogue("E70")]).encode(),
                                             "dialogue 1 has the unknown emotion code 'E70'"),
        "JSON emotion code missing": BadFile("nocode.json", json.dumps([dialogue(None)]).encode(),
                                             "unknown emotion code 'NONE'"),
        "JSON nested deep": BadFile("deep.json", b"[" * 200_000 + b"]" * 200_000, "nested more than 64 levels deep"),
        "JSON object nested deep": BadFile("deep_object.json", b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
                                           "nested more than 64 levels deep"),
        "JSON never closed": BadFile("open.json", b"[" * 200_000, "nested more than 64 levels deep"),
        "JSON number too long": BadFile("long.json", b'[{"profile": ' + b"9" * 5000 + b"}]", "not valid UTF-8 JSON"),
    }


BAD_FILES = _bad_files()
