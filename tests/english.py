"""English words left in a Korean text: the allow-list the Korean pages (tests/browser/test_i18n.py) and the Korean
error lines (tests/app/test_korean_errors.py) share."""

from __future__ import annotations

import re

# English that belongs in the Korean UI: names of models, methods, formats and files, the language switch
# itself, and the user's own data (the sample's file name).
ALLOWED = {"English", "Attention", "Lab", "AIHUB", "BiLSTM", "LSTM", "BPE", "SentencePiece", "CSV", "xlsx", "csv",
           "tsv", "json", "XLSX", "TSV", "JSON", "MB", "loss", "macro", "F1", "unk",
           "gram",  # n-gram: the term as Korean NLP writing keeps it (the baseline has used it since the start)
           "sample_corpus", "Sheet"}  # the sample's file and sheet names
# Names of formats, programs, devices and the Wave scripts an error line may give ("Excel에서 열어 .xlsx로 저장하세요").
FORMATS = {"Excel", "zip", "UTF", "CP", "EUC", "KR", "float", "CUDA", "GPU", "CPU", "Wave"}
# What an error line quotes from the user's file, not words of ours: 'quoted' values, and names with a dot or an
# underscore (file and member names such as model.safetensors, JSON keys such as profile.emotion.type, settings
# such as model_config.vocab_size).
_QUOTED = re.compile(r"'[^']*'")
_NAMES = re.compile(r"[\w-]*[._][\w.-]*")


def english_words(text: str, allowed: set[str] = ALLOWED) -> set[str]:
    """Words of two or more Latin letters in `text` that are not allowed."""
    return {w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in allowed}


def english_in_error(line: str, shown_name: str = "") -> set[str]:
    """English words in a Korean error line, leaving out the file's name (as the line shows it), what the line
    quotes and names from the file."""
    bare = re.sub(r"\\(.)", r"\1", line.replace(shown_name, " ") if shown_name else line)  # plain()'s escapes out
    return english_words(_NAMES.sub(" ", _QUOTED.sub(" ", bare)), ALLOWED | FORMATS)
