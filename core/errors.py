"""User-facing errors: each names its problem by a code with values, never a traceback. `str(error)` is the English
line (the command line's); the app shows the same code in the user's language (ui/i18n.py, ui/error_strings.py)."""

from __future__ import annotations

# The English line of every code; values fill the {fields}. A value that is itself an AttentionLabError (`cause`)
# shows as its own line.
MESSAGES: dict[str, str] = {
    # Corpus files (core/corpus/data.py)
    "no_files": "No corpus files were given.",
    "file_not_found": "File not found: {path}",
    "file_too_large": "{name}: file is larger than {mb} MB.",
    "file_empty": "{name}: the file is empty.",
    "file_extension": "{name}: only {extensions} files can be read here.",
    "xlsx_encrypted": "{name}: the workbook is password-protected (encrypted). Save it without a password and upload "
                      "again.",
    "xls_legacy": "{name}: this is a legacy .xls (Excel 97-2003) file. Open it in Excel and save as .xlsx or CSV.",
    "xlsx_damaged": "{name}: the spreadsheet is damaged or not an Excel workbook ({problem}).",
    "zip_corrupted": "{name}: the file looks like a zip/xlsx but is corrupted.",
    "zip_not_xlsx": "{name}: this is a zip archive, not an Excel workbook (.xlsx).",
    "zip_bomb": "{name}: the workbook inflates to more than {mb} MB; refusing it (zip bomb guard).",
    "workbook_damaged": "{name}: the workbook is damaged ({problem}).",
    "csv_unreadable": "{name}: not a spreadsheet or a readable CSV/TSV file ({problem}).",
    "missing_columns": "{name}: no sheet has the columns {required}. Found {found}. Expected the AIHUB header, e.g. "
                       "{expected}, ...",
    "binary_file": "{name}: this is a binary file, not a spreadsheet or CSV.",
    "text_encoding": "{name}: text is neither UTF-8 nor CP949/EUC-KR; save the CSV as UTF-8.",
    "json_too_deep": "{name}: the JSON is nested more than {depth} levels deep; refusing it.",
    "json_syntax": "{name}: not valid UTF-8 JSON ({problem} at line {line}, column {column}).",
    "json_not_utf8": "{name}: not valid UTF-8 JSON (the bytes are not UTF-8).",
    "json_invalid": "{name}: not valid UTF-8 JSON ({problem}).",
    "json_not_list": "{name}: expected a JSON list of dialogues (AIHUB layout), found a {found}.",
    "json_no_dialogues": "{name}: the JSON list has no dialogues.",
    "json_dialogue_layout": "{name}: dialogue {number} is not in the AIHUB layout (needs profile.emotion.type and "
                            "talk.content with HS01, SS01, ...).",
    "json_emotion_code": "{name}: dialogue {number} has the unknown emotion code {code!r} (expected E10 to E69).",
    "sheet_no_rows": "{name}: the sheet has a header but no rows.",
    "task_column_missing": "{name}: task {task} needs the column {column}, which is missing.",
    "no_usable_rows": "{name}: no usable rows (every row lacks text or a label).",
    "single_label": "{name}: all {rows} usable rows have the same label ({label}); a classifier needs at least two "
                    "classes.",
    "no_sentences": "{name}: no sentences found (every line or cell is empty).",
    "sentences_csv": "{name}: not a readable CSV/TSV file ({problem}); a sentence with a comma must be quoted, or save "
                     "the sentences as .txt, one a line.",
    "no_sentence_column": "{name}: no column of sentences found; name it {columns}, or save the sentences as .txt, one "
                          "a line.",
    "reply_columns": "{name}: reply generation needs the columns 사람문장1 and 시스템응답1 (시스템문장1 in the new "
                     "release, 기계문장1 in the Wave scripts); they are missing.",
    "no_reply_pairs": "{name}: no row has both a person sentence and a reply.",
    # Tokenizer (core/corpus/tokenizer.py)
    "tokenizer_ids": "The tokenizer must use pad_id=0 and unk_id=1.",
    "tokenizer_no_sentences": "No sentences to train the tokenizer on.",
    "vocab_too_small": "Vocabulary size {size} is too small; use at least {least}.",
    "tokenizer_failed": "SentencePiece could not train a {size}-piece vocabulary: {problem}",
    "corpus_too_small": "The corpus is too small for a tokenizer (at most {limit} pieces).",
    # Training, evaluation, explanation, jobs
    "training_busy": "A training is already running in this session; stop it or wait for it to finish.",
    # Jobs on a Ray cluster (core/jobs/cluster.py)
    "cluster_oom": "The cluster node ran out of memory and ended this job.",
    "cluster_node_died": "The cluster node running this job went away.",
    "cluster_worker_crashed": "The job's process on the cluster ended unexpectedly.",
    "cluster_environment": "The cluster could not set up the job's Python environment (see docs/cluster.md).",
    "cluster_cancelled": "The job was cancelled on the cluster.",
    "cluster_unschedulable": "No node of the cluster can run this job (CPUs or GPUs per job).",
    "cluster_channel_lost": "The Ray cluster's job channel was lost.",
    "cluster_timeout": "The Ray cluster did not answer in time.",
    "cluster_job_gone": "The Ray cluster went away while this job ran.",
    "no_cuda": "device 'cuda' was asked for, but no CUDA GPU is available; use 'auto' or 'cpu'.",
    "labels_unknown": "None of the labels ({found}) is known to the model ({known}).",
    "nothing_to_explain": "There are no sentences to explain.",
    # Bundles (core/training/bundle.py, core/classifier/task.py, core/seq2seq/bundle.py)
    "bundle_cause": "{name}: {cause}",
    "bundle_damaged": "{name}: the bundle is damaged or not one this version reads ({problem}).",
    "bundle_not_zip": "{name}: not a model bundle (.zip) or the file is corrupted.",
    "bundle_too_large": "{name}: the bundle is larger than {mb} MB; refusing it.",
    "bundle_directory": "{name}: the zip lists more than {most} files or a huge directory; not a model bundle.",
    "bundle_members": "{name}: the zip lists too many files, or one twice; not a model bundle.",
    "bundle_missing_members": "{name}: not an Attention Lab bundle (missing {members}).",
    "bundle_member_too_large": "{name}: {member} inflates to {mb:,.0f} MB, more than the {cap:,.0f} MB a bundle may "
                               "hold; refusing it.",
    "bundle_member_encrypted": "{name}: {member} is encrypted; a bundle never is.",
    "bundle_member_damaged": "{name}: {member} is damaged in the zip ({problem}).",
    "bundle_member_truncated": "{name}: {member} is truncated.",
    "bundle_member_long": "{name}: {member} is longer than the zip says.",
    "bundle_tokenizer": "{name}: the tokenizer ({member}) is damaged or not a SentencePiece model.",
    "bundle_tokenizer_vocab": "{name}: the tokenizer's vocabulary disagrees with the model's shape.",
    "bundle_header_long": "{name}: the weights ({member}) are corrupted (their header is too long).",
    "bundle_weights_corrupted": "{name}: the weights ({member}) are corrupted or truncated.",
    "bundle_weights_large": "{name}: the model's settings imply {mb:,.0f} MB of weights, more than the {cap} MB a "
                            "bundle may hold; refusing it.",
    "bundle_weights_size": "{name}: the bundle does not fit its own settings; its weights ({member}) are corrupted or "
                           "truncated ({size:,} bytes where the settings need {needed:,}).",
    "bundle_weights_type": "{name}: the weights ({member}) hold {key!r} in a type other than float32.",
    "bundle_model_mismatch": "{name}: the bundle does not fit this version of the model ({problem}).",
    "bundle_tensor_shape": "{name}: the bundle does not fit this version of the model ({member} holds {key!r} {shape}; "
                           "its settings need {wanted}).",
    "bundle_tensor_unknown": "{name}: the bundle does not fit this version of the model ({member} holds {key!r} "
                             "{shape}; its settings have no such tensor).",
    "bundle_tensors_missing": "{name}: the bundle does not fit this version of the model ({member} lacks {keys}).",
    "bundle_json_deep": "{name}: the bundle's {member} is nested more than {depth} levels deep or holds too many "
                        "lists; refusing it.",
    "bundle_json_invalid": "{name}: the bundle's {member} is not valid JSON.",
    "bundle_foreign": "{name}: not an Attention Lab bundle.",
    "bundle_version_type": "{name}: the bundle's format_version is not a whole number; not an Attention Lab bundle.",
    "bundle_newer": "{name}: made by a newer Attention Lab (bundle format {version}); update the app.",
    "bundle_kind": "{name}: this is a {kind} bundle, but a {expected_kind} bundle is needed here.",
    "bundle_versions": "{name}: the bundle's versions are not a table; not an Attention Lab bundle.",
    "bundle_section_missing": "{name}: the bundle's {section} is missing or not a table.",
    "bundle_setting_type": "{name}: the bundle's {section}.{key} is not a sane {type} ({value}); refusing it.",
    "bundle_section_invalid": "{name}: the bundle's {section} is invalid ({problem}).",
    "bundle_token_id": "{name}: the bundle's {section}.{key} lies outside its vocabulary; refusing it.",
    "bundle_metrics": "{name}: the bundle's metrics are not a table of numbers; refusing it.",
    "bundle_history": "{name}: the bundle's training history is malformed; refusing it.",
    "bundle_label_names": "{name}: the bundle's label names are not {count} distinct short texts, one per output of "
                          "the model; refusing it.",
    "bundle_baseline": "{name}: the bundle's baseline is unreadable; refusing it.",
    "bundle_retrieval": "{name}: the bundle's retrieval index is unreadable; refusing it.",
    "bundle_retrieval_large": "{name}: the bundle's retrieval index is larger than this version indexes; refusing it.",
    # Workspaces (core/storage/store.py)
    "quota_workspace": "This workspace would use {used} of its {quota} quota; delete old runs or start a new "
                       "workspace.",
    "quota_total": "The server's data folder is full ({total}); ask the teacher to prune old workspaces.",
    # The class board (core/storage/board.py)
    "board_nickname": "Choose a nickname for the board.",
    "board_nickname_long": "The nickname is too long ({length} characters); use at most {limit}.",
    "board_stopped": "Only finished runs go on the board; this one was stopped.",
    "board_cooldown": "You published a moment ago; publish again in {seconds} s.",
    "board_busy": "Many entries were published just now; try again in {seconds} s.",
    "board_mine_full": "One workspace can have at most {limit} entries on the board.",
    "board_full": "The board is full ({limit} entries); ask the teacher to clear it.",
    "board_wait": "Too many wrong passwords: try again in {seconds} s.",
}


class AttentionLabError(ValueError):
    """A problem the user's input caused: `code` names it (its English line in MESSAGES), `values` fill it in.

    The command line's own flag checks pass their English message instead of a code: it is shown as it is."""

    def __init__(self, code: str, /, **values: object):
        super().__init__(code)
        self.code, self.values = code, values

    def __str__(self) -> str:
        template = MESSAGES.get(self.code)
        return self.code if template is None else template.format(**self.values)

    def __reduce__(self):
        # Pickled with its code and values (a job's failure travels back to the page this way), not its line.
        return _restore, (type(self), self.code, self.values)


def _restore(cls: type[AttentionLabError], code: str, values: dict) -> AttentionLabError:
    return cls(code, **values)


def reported(error: Exception) -> str | AttentionLabError:
    """A failure as a result carries it to a page: an AttentionLabError as it is (the page shows it in the user's
    language), anything else (a disk error) as its one line."""
    return error if isinstance(error, AttentionLabError) else str(error)


class CorpusError(AttentionLabError):
    """The uploaded corpus cannot be read or has no usable rows."""


class BundleError(AttentionLabError):
    """A model bundle is corrupt, foreign or incompatible."""


class TrainingBusyError(AttentionLabError):
    """A second training was started while one is still running."""
