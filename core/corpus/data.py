"""Read AIHUB 감성 대화 말뭉치 files (every spreadsheet layout as xlsx or CSV/TSV, or the JSON release) and build
datasets."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from core.config import DataConfig
from core.errors import CorpusError

Source = str | Path | bytes | BinaryIO

META_COLUMNS = ["연령", "성별", "상황키워드", "신체질환", "감정_대분류", "감정_소분류"]
OLD_COLUMNS = ["번호", *META_COLUMNS] + [f"{who}{k}" for k in range(1, 5) for who in ("사람문장", "시스템응답")]
NEW_COLUMNS = ["", *META_COLUMNS] + [f"{who}{k}" for k in range(1, 4) for who in ("사람문장", "시스템문장")]
WAVE_COLUMNS = [*META_COLUMNS, "사람문장1", "기계문장1", "사람문장2", "기계문장2", "사람문장3"]  # 평가용 Wave 대본
REQUIRED = ["감정_대분류", "사람문장1"]
HUMAN, SYSTEM = "사람문장", "시스템응답"  # turn k's columns are HUMAN + k and SYSTEM + k, for any number of turns
# The reply column's name per layout (each read as 시스템응답k): the old release, the new release (221115) and the
# "평가용 Wave 대본" workbook; a header with none of them, or with a mix, is read as a generic layout.
SYSTEM_LAYOUTS = {"시스템응답": "old", "시스템문장": "new", "기계문장": "wave"}
_TURN_COLUMN = re.compile(r"(사람문장|시스템응답|시스템문장|기계문장)([1-9][0-9]{0,2})")

EMOTIONS6 = ("기쁨", "당황", "분노", "불안", "상처", "슬픔")
BINARY = ("긍정", "부정")
BINARY_POSITIVE = "기쁨"
SUBLABEL_MISSING = -100  # cross-entropy's default ignore_index: a blank 감정_소분류 gives no auxiliary loss

UPLOAD_EXTENSIONS = ("xlsx", "csv", "tsv", "json")  # what the app's upload fields offer
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024  # an xlsx inflating past this is treated as a zip bomb
MAX_ROWS = 300_000
MAX_JSON_DEPTH = 64  # AIHUB's JSON and bundle members nest 5 levels; deeper input would recurse in the parser
_CHUNK = 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx
_SPACES = re.compile(r"\s+")
_UTF8_BOM = b"\xef\xbb\xbf"
# A JSON string with its escapes; one left open runs to the end, so the scan stays linear on hostile input.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\(?:.|\Z)[^"\\]*)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEP = np.full(256, -1, dtype=np.int8)
_BRACKET_STEP[[ord("["), ord("{")]] = 1

# The JSON release labels each dialogue with an emotion code E10..E69: the tens digit is the
# 감정_대분류, the code itself the 감정_소분류. Names as the spreadsheet release writes them, checked
# block by block against its (감정_대분류, 감정_소분류) pairs; public code tables spell E51 and E59
# "고립된(당황한)" and "혼란스러운(당황한)", which the spreadsheet writes without the parenthesis
# (60 codes, 58 distinct names).
JSON_MAJOR = {"1": "분노", "2": "슬픔", "3": "불안", "4": "상처", "5": "당황", "6": "기쁨"}
_JSON_MINOR_ROWS = (  # row r holds E(10r+10)..E(10r+19)
    ("분노", "툴툴대는", "좌절한", "짜증내는", "방어적인", "악의적인", "안달하는", "구역질 나는", "노여워하는", "성가신"),
    ("슬픔", "실망한", "비통한", "후회되는", "우울한", "마비된", "염세적인", "눈물이 나는", "낙담한", "환멸을 느끼는"),
    ("불안", "두려운", "스트레스 받는", "취약한", "혼란스러운", "당혹스러운", "회의적인", "걱정스러운", "조심스러운", "초조한"),
    ("상처", "질투하는", "배신당한", "고립된", "충격 받은", "가난한, 불우한", "희생된", "억울한", "괴로워하는", "버려진"),
    ("당황", "고립된", "남의 시선을 의식하는", "외로운", "열등감", "죄책감의", "부끄러운", "혐오스러운", "한심한", "혼란스러운"),
    ("기쁨", "감사하는", "신뢰하는", "편안한", "만족스러운", "흥분", "느긋", "안도", "신이 난", "자신하는"),
)
JSON_MINOR = {f"E{10 * row + 10 + i}": name for row, names in enumerate(_JSON_MINOR_ROWS) for i, name in enumerate(names)}


@dataclass
class Corpus:
    """The rows of one spreadsheet, renamed to the old-release columns."""

    frame: pd.DataFrame
    # "old" (15 columns) | "new" (221115) | "wave" (기계문장k) | "generic" | "json" (the JSON release) | "mixed"
    release: str
    source_name: str
    sheet: str
    rows_read: int
    rows_capped: int = 0
    cells_cut: int = 0
    parts: list[PartReport] = field(default_factory=list)  # one per file when several were joined, else empty
    turns: int = 0  # the last k whose 사람문장k has text in some row (3 in a 15-column file with turn 4 left empty)


@dataclass
class PartReport:
    """One file of a joined corpus: what was read and what was kept of it."""

    name: str
    release: str
    sheet: str
    rows_read: int
    rows_kept: int
    duplicates_dropped: int  # dialogues whose human turns an earlier file already has


@dataclass
class DatasetReport:
    rows_read: int
    dropped_empty_text: int
    dropped_missing_label: int
    duplicates_removed: int
    label_counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_used(self) -> int:
        return sum(self.label_counts.values())


@dataclass
class Dataset:
    texts: list[str]
    labels: list[int]
    label_names: list[str]
    report: DatasetReport
    config: DataConfig
    groups: list[int] = field(default_factory=list)  # the dialogue (row) each example comes from
    # 감정_소분류 of each example as an index into sublabel_names (SUBLABEL_MISSING where blank), for an auxiliary
    # head; empty when the file lacks the column or the task already is emotion58.
    sublabels: list[int] = field(default_factory=list)
    sublabel_names: list[str] = field(default_factory=list)
    # Every turn and counsellor reply of the file by dialogue (dialogue_texts): in-corpus pretraining's text, about
    # twice the labelled text; its dialogues follow `groups`, so pretraining reads the training split's only.
    dialogues: list[tuple[int, str]] = field(default_factory=list)
    # Each human turn by dialogue (human_turns), when an example joins a dialogue's turns (text "all"): training
    # may also read every turn alone with its dialogue's label (TrainConfig.turn_examples).
    turns: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.groups:
            self.groups = list(range(len(self.texts)))


def normalize_text(value: object) -> str:
    """NFC and single spaces; NaN and None become the empty string."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def load_corpus(source: Source, name: str | None = None, max_chars: int = 1000) -> Corpus:
    """Read a spreadsheet or CSV/TSV of either AIHUB release; raise CorpusError on bad input."""
    data, name = _read_bytes(source, name)
    if data.startswith(_ZIP_MAGIC):
        frame, sheet = _read_xlsx(data, name)
    elif data.startswith(_OLE_MAGIC):
        raise CorpusError(_ole_problem(data), name=name)
    elif _looks_like_json(data):
        return _read_json(data, name, max_chars)
    else:
        frame, sheet = _read_delimited(data, name), "csv"
    return _to_corpus(frame, name, sheet, max_chars)


def load_corpora(sources: list[Source], max_chars: int = 1000) -> Corpus:
    """Several files, each read with its own layout, joined into one corpus (see join_corpora)."""
    return join_corpora([load_corpus(source, None, max_chars) for source in sources])


def load_uploads(files: list[tuple[bytes, str]], max_chars: int = 1000) -> tuple[Corpus, bytes]:
    """Uploaded (bytes, name) files as one corpus, and the bytes a workspace keeps for it.

    A workspace keeps one file per corpus (core/storage/workspace.py save_corpus), so several files are kept as their
    joined rows written as one xlsx: reopening the workspace gives the same rows (read back as one file, so without
    the per-file report)."""
    for _, name in files:
        check_upload_name(name)
    if len(files) == 1:
        return load_corpus(files[0][0], files[0][1], max_chars), files[0][0]
    corpus = join_corpora([load_corpus(data, name, max_chars) for data, name in files])
    buffer = io.BytesIO()
    write_xlsx(corpus.frame, buffer)
    return corpus, buffer.getvalue()


def check_upload_name(name: str) -> None:
    """The app's upload fields take any file, so one of another kind gets this line (in the user's language) rather
    than the browser's refusal. A .xls passes: the reader says how to convert it. The command line reads any name."""
    if Path(name).suffix.lower().lstrip(".") not in (*UPLOAD_EXTENSIONS, "xls"):
        raise CorpusError("file_extension", name=name, extensions=", ".join(f".{x}" for x in UPLOAD_EXTENSIONS))


def join_corpora(corpora: list[Corpus]) -> Corpus:
    """One corpus from several (say AIHUB's Training and Validation workbooks, or both releases).

    A dialogue whose human turns an earlier file already has is dropped, so a file given twice or two releases
    sharing dialogues count each dialogue once. Rows are renumbered, so the dialogue groups build_dataset takes
    from the row index stay distinct across files. One corpus comes back as it is."""
    if len(corpora) == 1:
        return corpora[0]
    if not corpora:
        raise CorpusError("no_files")
    seen: set[tuple[str, ...]] = set()
    frames, parts = [], []
    for corpus in corpora:
        keys = _dialogue_keys(corpus.frame)
        repeated = keys.map(lambda key: bool(key) and key in seen)  # a row with no text is left to build_dataset
        seen.update(key for key in keys if key)
        kept = corpus.frame.loc[~repeated]
        frames.append(kept)
        parts.append(PartReport(corpus.source_name, corpus.release, corpus.sheet, corpus.rows_read, len(kept),
                                int(repeated.sum())))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.loc[:, [c for c in OLD_COLUMNS if c in frame.columns] + [c for c in frame.columns if c not in OLD_COLUMNS]]
    releases = {c.release for c in corpora}
    return Corpus(frame, releases.pop() if len(releases) == 1 else "mixed", " + ".join(c.source_name for c in corpora),
                  ", ".join(dict.fromkeys(c.sheet for c in corpora)), sum(c.rows_read for c in corpora),
                  sum(c.rows_capped for c in corpora), sum(c.cells_cut for c in corpora), parts, _turns_used(frame))


def _dialogue_keys(frame: pd.DataFrame) -> pd.Series:
    """Each row's non-empty human turns, normalised: the same dialogue has the same key in either layout."""
    columns = human_columns(frame)  # the new release has three turns, the old four
    turns = frame[columns].map(normalize_text)
    return pd.Series([tuple(t for t in row if t) for row in turns.itertuples(index=False)], index=frame.index,
                     dtype=object)


def load_dataset(source: Source, name: str | None, config: DataConfig) -> Dataset:
    """A labelled file straight to the dataset a task needs (Evaluate, Explain and the CLI score files this way)."""
    return build_dataset(load_corpus(source, name, config.max_chars), config)


def build_dataset(corpus: Corpus, config: DataConfig) -> Dataset:
    """Texts and integer labels for a task, with a report of what was dropped and why."""
    frame = corpus.frame
    label_column = "감정_소분류" if config.task == "emotion58" else "감정_대분류"
    if label_column not in frame.columns:
        raise CorpusError("task_column_missing", name=corpus.source_name, task=config.task, column=label_column)
    texts = _texts(frame, config)  # indexed by the dialogue's row; a row repeats in the turns mode
    labels = frame[label_column].map(normalize_text)
    if config.task == "binary":
        labels = labels.map(lambda x: "" if not x else ("긍정" if x == BINARY_POSITIVE else "부정"))
    labels = labels.reindex(texts.index)
    empty_text = texts.eq("")
    missing_label = labels.eq("") & ~empty_text
    keep = ~(empty_text | missing_label)
    table = pd.DataFrame({"text": texts[keep].to_numpy(), "label": labels[keep].to_numpy(),
                          "group": texts.index[keep].to_numpy()})
    has_sublabels = config.task != "emotion58" and "감정_소분류" in frame.columns
    if has_sublabels:
        table["sublabel"] = frame["감정_소분류"].map(normalize_text).reindex(texts.index)[keep].to_numpy()
    deduped = table.drop_duplicates(subset="text", keep="first")
    label_names = _label_order(deduped["label"], config.task)
    counts = Counter(deduped["label"])
    report = DatasetReport(
        rows_read=len(frame),
        dropped_empty_text=int(empty_text.sum()),
        dropped_missing_label=int(missing_label.sum()),
        duplicates_removed=len(table) - len(deduped),
        label_counts={name: counts[name] for name in label_names},
    )
    _check_usable(report, corpus.source_name)
    index = {name: i for i, name in enumerate(label_names)}
    dataset = Dataset(deduped["text"].tolist(), [index[x] for x in deduped["label"]], label_names, report, config,
                      [int(g) for g in deduped["group"]], dialogues=dialogue_texts(corpus),
                      turns=human_turns(corpus, config.max_chars) if config.text == "all" else [])
    if has_sublabels:
        dataset.sublabel_names = sorted(set(deduped["sublabel"]) - {""})
        sub_index = {name: i for i, name in enumerate(dataset.sublabel_names)}
        dataset.sublabels = [sub_index.get(x, SUBLABEL_MISSING) for x in deduped["sublabel"]]
    return dataset


def human_turns(corpus: Corpus, max_chars: int) -> list[tuple[int, str]]:
    """Every non-empty human turn (사람문장k), tagged with its dialogue (the frame's row, as a Dataset's `groups`)."""
    turns = _texts(corpus.frame, DataConfig(text="turns", max_chars=max_chars))
    return [(int(group), text) for group, text in turns.items() if text]


def dialogue_texts(corpus: Corpus) -> list[tuple[int, str]]:
    """Every non-empty human turn and counsellor reply, tagged with its dialogue (the frame's row, as a
    Dataset's `groups`)."""
    frame = corpus.frame
    columns = [c for pair in turn_columns(frame) for c in pair if c]
    texts = []
    for group, row in zip(frame.index, frame[columns].itertuples(index=False)):
        texts += [(int(group), text) for text in map(normalize_text, row) if text]
    return texts


def write_xlsx(frame: pd.DataFrame, target: str | Path | BinaryIO, sheet: str = "Sheet1") -> None:
    frame.to_excel(target, sheet_name=sheet, index=False, engine="openpyxl")


def template_frame() -> pd.DataFrame:
    """The old-release header with two example rows, for users preparing their own file."""
    rows = [
        [1, "청년", "여성", "진로,취업,직장", "해당없음", "기쁨", "신이 난",
         "드디어 원하던 회사에 합격했어!", "축하해요! 정말 기쁘시겠어요.", "내일 부모님께 말씀드리려고.",
         "부모님도 정말 좋아하시겠네요.", None, None, None, None],
        [2, "중년", "남성", "재정,은퇴,노후준비", "만성질환 유", "불안", "걱정스러운",
         "은퇴하고 나면 생활비가 모자랄까 봐 걱정돼.", "노후 생활비가 걱정되시는군요.", "모아 둔 돈이 많지 않아.",
         "지금 할 수 있는 준비부터 함께 생각해 봐요.", None, None, None, None],
    ]
    return pd.DataFrame(rows, columns=OLD_COLUMNS)


def template_bytes() -> bytes:
    buffer = io.BytesIO()
    write_xlsx(template_frame(), buffer)
    return buffer.getvalue()


def _read_bytes(source: Source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise CorpusError("file_not_found", path=path)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CorpusError("file_too_large", name=path.name, mb=MAX_FILE_BYTES // 2**20)
        return path.read_bytes(), name or path.name
    data = source if isinstance(source, bytes) else source.read()
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError("file_too_large", name=name or "upload", mb=MAX_FILE_BYTES // 2**20)
    if not data.strip():
        raise CorpusError("file_empty", name=name or "upload")
    return data, name or getattr(source, "name", "upload")


def _read_xlsx(data: bytes, name: str) -> tuple[pd.DataFrame, str]:
    _check_zip(data, name)
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
        sheets = sorted(book.sheet_names, key=lambda s: s != "Sheet1")  # Sheet1 first
        found: dict[str, list[str]] = {}
        for sheet in sheets:
            frame = pd.read_excel(book, sheet_name=sheet, dtype=object, nrows=MAX_ROWS + 1)
            frame.columns = [_clean_header(c) for c in frame.columns]
            if all(c in frame.columns for c in REQUIRED):
                return frame, sheet
            found[sheet] = list(frame.columns)
    except CorpusError:
        raise
    except Exception as error:  # calamine raises several types for damaged files
        raise CorpusError("xlsx_damaged", name=name, problem=type(error).__name__) from None
    raise _missing_columns(name, found)


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except zipfile.BadZipFile:
        raise CorpusError("zip_corrupted", name=name) from None
    if "[Content_Types].xml" not in names:
        raise CorpusError("zip_not_xlsx", name=name)
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES or len(members) > 10_000:
        raise CorpusError("zip_bomb", name=name, mb=MAX_UNZIPPED_BYTES // 2**20)
    _check_inflated_size(data, name)


def _check_inflated_size(data: bytes, name: str) -> None:
    """Inflate every member in chunks, keeping nothing, under a running cap: the sizes checked above are what the
    zip's directory claims, and a forged one must not let the spreadsheet reader inflate more."""
    inflated = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > MAX_UNZIPPED_BYTES:
                            raise CorpusError("zip_bomb", name=name, mb=MAX_UNZIPPED_BYTES // 2**20)
    except CorpusError:
        raise
    except Exception as error:  # zipfile raises several types for damaged members (bad CRC, zlib, encryption)
        raise CorpusError("workbook_damaged", name=name, problem=type(error).__name__) from None


def _ole_problem(data: bytes) -> str:
    """An OLE file is an encrypted workbook or a legacy .xls: each has its own way out."""
    return "xlsx_encrypted" if "EncryptedPackage".encode("utf-16-le") in data[:1_000_000] else "xls_legacy"


def _read_delimited(data: bytes, name: str) -> pd.DataFrame:
    text = _decode(data, name)
    first_line = text.split("\n", 1)[0]
    separator = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=object, nrows=MAX_ROWS + 1, keep_default_na=True)
    except Exception as error:
        raise CorpusError("csv_unreadable", name=name, problem=type(error).__name__) from None
    frame.columns = [_clean_header(c) for c in frame.columns]
    if not all(c in frame.columns for c in REQUIRED):
        raise _missing_columns(name, {"csv": list(frame.columns)})
    return frame


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise CorpusError("binary_file", name=name)
    for encoding in ("utf-8-sig", "cp949"):  # cp949 is a superset of EUC-KR (Korean Excel)
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError("text_encoding", name=name)


def _looks_like_json(data: bytes) -> bool:
    return data.removeprefix(_UTF8_BOM).lstrip()[:1] in (b"[", b"{")


def _read_json(data: bytes, name: str, max_chars: int) -> Corpus:
    """The official JSON release; a text file that merely starts with [ or { is read as CSV."""
    try:
        payload = parse_json(data)
    except ValueError as error:
        try:
            return _to_corpus(_read_delimited(data, name), name, "csv", max_chars)
        except CorpusError:
            raise _json_error(error, name) from None
    dialogues = _json_dialogues(payload, name)
    rows = [_json_row(dialogue, index, name) for index, dialogue in enumerate(dialogues[: MAX_ROWS + 1])]
    frame = pd.DataFrame(rows, columns=OLD_COLUMNS, dtype=object)
    corpus = _to_corpus(frame, name, "json", max_chars)
    corpus.release = "json"
    corpus.rows_capped = max(0, len(dialogues) - MAX_ROWS)
    return corpus


class JSONNestingError(ValueError):
    """JSON nested deeper than a reader allows."""


def parse_json(data: bytes, max_depth: int = MAX_JSON_DEPTH) -> object:
    """UTF-8 JSON (a BOM allowed), checked for depth before parsing; any problem raises ValueError
    (JSONNestingError, json.JSONDecodeError, UnicodeDecodeError, or an integer too long to convert)."""
    depth, _ = json_nesting(data)
    if depth > max_depth:
        raise JSONNestingError(f"nested more than {max_depth} levels deep")
    return json.loads(data.removeprefix(_UTF8_BOM).decode("utf-8"))


def json_nesting(data: bytes) -> tuple[int, int]:
    """The deepest nesting of arrays and objects in JSON text and how many there are, found without parsing:
    json.loads recurses once per level (200,000 levels raise RecursionError) and builds every container.
    Strings are cut out first (their brackets are text); the brackets left are summed in chunks with numpy."""
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    depth = deepest = 0
    for start in range(0, len(brackets), _CHUNK):
        running = np.cumsum(_BRACKET_STEP[np.frombuffer(brackets, np.uint8, min(_CHUNK, len(brackets) - start), start)],
                            dtype=np.int64) + depth
        deepest, depth = max(deepest, int(running.max())), int(running[-1])
    opened = (len(brackets) + depth) // 2  # every bracket opens or closes one; depth is what stays open
    return deepest, opened


def _json_error(error: ValueError, name: str) -> CorpusError:
    if isinstance(error, JSONNestingError):
        return CorpusError("json_too_deep", name=name, depth=MAX_JSON_DEPTH)
    if isinstance(error, json.JSONDecodeError):
        return CorpusError("json_syntax", name=name, problem=error.msg, line=error.lineno, column=error.colno)
    if isinstance(error, UnicodeDecodeError):
        return CorpusError("json_not_utf8", name=name)
    return CorpusError("json_invalid", name=name, problem=str(error).split(":")[0][:100])  # a number too long


def _json_dialogues(payload: object, name: str) -> list:
    if isinstance(payload, dict) and "talk" in payload:
        payload = [payload]  # a single dialogue
    if not isinstance(payload, list):
        raise CorpusError("json_not_list", name=name, found=type(payload).__name__)
    if not payload:
        raise CorpusError("json_no_dialogues", name=name)
    return payload


def _json_row(dialogue: object, index: int, name: str) -> dict:
    """One dialogue as a row of OLD_COLUMNS; HSk → 사람문장k, SSk → 시스템응답k."""
    try:
        profile, talk = dialogue["profile"], dialogue["talk"]
        emotion, content = profile["emotion"], talk["content"]
        code = str(emotion["type"]).strip().upper()
    except (TypeError, KeyError):
        content = None
    if not isinstance(content, dict):
        raise CorpusError("json_dialogue_layout", name=name, number=index + 1)
    if code not in JSON_MINOR:
        raise CorpusError("json_emotion_code", name=name, number=index + 1, code=code)
    human = _json_list(profile.get("persona"), "human")
    situation = _json_list(emotion, "situation")
    row = {"번호": _json_talk_id(talk, index), "연령": _nth(human, 0), "성별": _nth(human, 1),
           "상황키워드": _nth(situation, 0), "신체질환": _nth(situation, 1),
           "감정_대분류": JSON_MAJOR[code[1]], "감정_소분류": JSON_MINOR[code]}
    for k in range(1, 5):
        row[f"사람문장{k}"] = _json_text(content.get(f"HS{k:02d}"))
        row[f"시스템응답{k}"] = _json_text(content.get(f"SS{k:02d}"))
    return row


def _json_list(parent: object, key: str) -> list:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, list) else []


def _nth(values: list, position: int) -> object:
    return values[position] if len(values) > position else None


def _json_talk_id(talk: dict, index: int) -> object:
    ids = talk.get("id")
    return ids.get("talk-id", index + 1) if isinstance(ids, dict) else index + 1


def _json_text(value: object) -> str | None:
    """Empty strings are missing turns, as blank cells are in the spreadsheets."""
    return value if isinstance(value, str) and value.strip() else None


def _clean_header(column: object) -> str:
    text = normalize_text(column)
    return "" if text.startswith("Unnamed:") else text


def _missing_columns(name: str, found: dict[str, list[str]]) -> CorpusError:
    """The columns each sheet has (a blank header, or a sheet with none, shows as —) and what was expected."""
    seen = "; ".join(f"{sheet}: {', '.join(c or '—' for c in cols[:20]) or '—'}" for sheet, cols in found.items())
    return CorpusError("missing_columns", name=name, required=", ".join(REQUIRED), found=seen,
                       expected=", ".join(OLD_COLUMNS[:9]))


def _to_corpus(frame: pd.DataFrame, name: str, sheet: str, max_chars: int) -> Corpus:
    release, renames = _layout(frame.columns)
    frame = frame.rename(columns=renames)
    frame = frame.loc[:, [c for c in frame.columns if c]]  # drop the new release's blank index column
    frame = frame.loc[:, ~frame.columns.duplicated()]
    capped = max(0, len(frame) - MAX_ROWS)
    frame = frame.iloc[:MAX_ROWS].reset_index(drop=True)
    cut = 0
    for column in [c for pair in turn_columns(frame) for c in pair if c]:
        lengths = frame[column].map(lambda v: len(v) if isinstance(v, str) else 0)
        cut += int((lengths > max_chars).sum())
        frame[column] = frame[column].map(lambda v: v[:max_chars] if isinstance(v, str) else v)
    if frame.empty:
        raise CorpusError("sheet_no_rows", name=name)
    return Corpus(frame, release, name, sheet, len(frame), capped, cut, turns=_turns_used(frame))


def _layout(columns: pd.Index) -> tuple[str, dict[str, str]]:
    """The layout a header shows ("old", "new", "wave" or "generic") and the renames that give every layout the old
    release's names: 시스템문장k and 기계문장k become 시스템응답k."""
    renames, humans, systems = {}, set(), set()
    for column in columns:
        match = _TURN_COLUMN.fullmatch(column) if isinstance(column, str) else None
        if match is None:
            continue
        prefix, k = match[1], int(match[2])
        if prefix == HUMAN:
            humans.add(k)
        else:
            systems.add(prefix)
            renames[column] = f"{SYSTEM}{k}"
    layout = SYSTEM_LAYOUTS[systems.pop()] if len(systems) == 1 else "generic"
    if layout == "old" and humans != {1, 2, 3, 4}:  # 시스템응답k with another turn count: a file of one's own
        layout = "generic"
    return layout, renames


def human_columns(frame: pd.DataFrame) -> list[str]:
    """The frame's 사람문장k columns in turn order, however many turns its layout has."""
    turns = sorted(int(match[2]) for c in frame.columns
                   if isinstance(c, str) and (match := _TURN_COLUMN.fullmatch(c)) and match[1] == HUMAN)
    return [f"{HUMAN}{k}" for k in turns]


def turn_columns(frame: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(사람문장k, 시스템응답k) for each human turn k, in order; None where the layout has no reply to turn k (the
    Wave scripts end on 사람문장3), or no replies at all."""
    return [(human, reply if (reply := f"{SYSTEM}{human[len(HUMAN):]}") in frame.columns else None)
            for human in human_columns(frame)]


def _turns_used(frame: pd.DataFrame) -> int:
    """The last k whose 사람문장k has text in some row: the number of turns the report names."""
    for column in reversed(human_columns(frame)):
        if any(normalize_text(value) for value in frame[column]):
            return int(column[len(HUMAN):])
    return 0


def _texts(frame: pd.DataFrame, config: DataConfig) -> pd.Series:
    """The example texts, indexed by their dialogue's row: 사람문장1, the human turns joined, or each turn."""
    if config.text == "first":
        return frame["사람문장1"].map(normalize_text).str.slice(0, config.max_chars)
    turns = frame[human_columns(frame)].map(normalize_text)  # (rows, turns)
    if config.text == "all":
        joined = turns.apply(lambda row: " ".join(t for t in row if t), axis=1)
        return joined.str.slice(0, config.max_chars)
    stacked = turns.stack()  # one entry per (row, turn), in dialogue order
    stacked = stacked[stacked != ""].droplevel(1)
    silent = pd.Series("", index=frame.index.difference(stacked.index))  # counted as empty dialogues
    return pd.concat([stacked, silent]).sort_index(kind="stable").str.slice(0, config.max_chars)


def _label_order(labels: pd.Series, task: str) -> list[str]:
    present = set(labels)
    if task == "binary":
        return [x for x in BINARY if x in present]
    if task == "emotion6" and present <= set(EMOTIONS6):
        return [x for x in EMOTIONS6 if x in present]
    return sorted(present)


def _check_usable(report: DatasetReport, name: str) -> None:
    if report.rows_used == 0:
        raise CorpusError("no_usable_rows", name=name)
    if len(report.label_counts) < 2:
        only = next(iter(report.label_counts))
        raise CorpusError("single_label", name=name, rows=report.rows_used, label=only)
