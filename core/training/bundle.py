"""Model bundles: one .zip with safetensors weights, the SentencePiece model and JSON; never pickle.

A bundle may come from anyone (an upload, a shared file), so reading one is bounded: the zip's directory, each
member's size (against fixed caps and, for the weights, against what the declared settings imply), the settings
(types and sane ranges), JSON nesting and the weights' header are checked before anything large is read or
allocated, and members are inflated in chunks under a hard cap. Whatever fails is refused with one BundleError
line; nothing is half-loaded.
"""

from __future__ import annotations

import io
import json
import math
import platform
import struct
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO

import torch
from safetensors.torch import save as save_tensors

from core import __version__
from core.config import TokenizerConfig, to_dict
from core.errors import AttentionLabError, BundleError

FORMAT = "attention-lab-bundle"
FORMAT_VERSION = 1
WEIGHTS, TOKENIZER, META = "model.safetensors", "tokenizer.model", "bundle.json"
OPTIONAL = ("baseline.safetensors", "baseline.json", "retrieval.json")  # read when present; older bundles lack them

MB = 1024 * 1024
MAX_BUNDLE_BYTES = 512 * MB  # the .zip itself
MAX_WEIGHTS_BYTES = 256 * MB  # 64M float32 parameters; the app's largest settings need about 50 MB
# What the other members may inflate to. A 100-epoch history is about 1.5 MB of bundle.json; a reply model trained
# on 100,000 pairs keeps about 22 MB of retrieval.json (the sample's pairs repeated to that size).
MEMBER_CAPS = {META: 8 * MB, TOKENIZER: 16 * MB, "baseline.safetensors": 64 * MB, "baseline.json": 24 * MB,
               "retrieval.json": 32 * MB}
MAX_MEMBERS = 16  # a bundle has 3 to 5
MAX_DIRECTORY_BYTES = 64 * 1024  # zipfile builds an object for every entry its central directory lists
HEADER_ALLOWANCE = 1 * MB  # safetensors' JSON header (names, shapes, offsets): a few KB in practice
MAX_JSON_CONTAINERS = 1_000_000  # arrays and objects in one JSON member: each costs memory once parsed
CHUNK = 1 * MB

# Sane ranges for the settings that size a model or bound its work; other settings are only type-checked.
LIMITS = {"vocab_size": (4, 64_000), "num_classes": (2, 256), "aux_classes": (0, 1024), "emb_dim": (1, 4096),
          "hidden_dim": (1, 4096), "decoder_dim": (1, 4096), "attention_dim": (1, 4096), "fc_dim": (1, 4096),
          "num_layers": (1, 8), "dropout": (0.0, 1.0), "embedding_dropout": (0.0, 1.0), "max_len": (1, 4096),
          "max_source_len": (1, 1024), "max_target_len": (1, 1024), "max_chars": (1, 1_000_000),
          "character_coverage": (0.0, 1.0), "sampling": (0.0, 1.0), "aux_weight": (0.0, 100.0), "mixup": (0.0, 100.0),
          "label_smoothing": (0.0, 1.0), "average_epochs": (0, 1000)}
TOKEN_IDS = ("pad_id", "bos_id", "eos_id")  # each must name a piece of the vocabulary
MAX_TEXT = 200  # characters in a setting, a label or a metric's name
MAX_INT = 2**63  # JSON integers are unbounded; one past a float's range breaks formatting it
_TYPES = {"int": (int,), "float": (int, float), "bool": (bool,), "str": (str,), "int | str": (int, str)}
_EOCD = struct.Struct("<4s4H2LH")  # the zip's end-of-central-directory record
_EOCD_SIGNATURE, _ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x07"

Target = str | Path | BinaryIO
Shapes = dict[str, tuple[int, ...]]


@dataclass
class Bundle:
    kind: str  # "classifier" | "seq2seq"
    meta: dict
    tensors: dict[str, torch.Tensor]
    tokenizer_proto: bytes
    extras: dict[str, bytes] = field(default_factory=dict)  # optional members (OPTIONAL), e.g. the baseline


class BundledModel:
    """What both trained models share: tokenizer, model, settings, metrics and history, kept as one bundle.

    A subclass is a dataclass with the fields `tokenizer`, `model`, `train_config`, `metrics`, `history`,
    sets KIND, and adds its own metadata in `extra_meta`."""

    KIND = ""

    def extra_meta(self) -> dict:
        return {}

    def bundle_tensors(self) -> dict[str, torch.Tensor]:
        return self.model.state_dict()

    def bundle_extras(self) -> dict[str, bytes]:
        return {}

    def to_bundle(self) -> Bundle:
        meta = {**self.extra_meta(), "tokenizer_config": to_dict(self.tokenizer.config),
                "model_config": to_dict(self.model.config), "train_config": to_dict(self.train_config),
                "metrics": self.metrics, "history": self.history}
        return Bundle(self.KIND, meta, self.bundle_tensors(), self.tokenizer.model_proto, self.bundle_extras())

    def save(self, target: Target) -> None:
        write_bundle(target, self.to_bundle())

    def to_bytes(self) -> bytes:
        return bundle_bytes(self.to_bundle())


@dataclass
class BundleParts:
    extras: dict[str, bytes]
    meta: dict
    tokenizer: Any  # core.tokenizer.Tokenizer
    model: torch.nn.Module
    train_config: Any
    metrics: dict = field(default_factory=dict)  # checked: names to numbers (or None)
    history: dict = field(default_factory=dict)  # checked: epoch and step rows of numbers, and the run's flags


def load_parts(source: Target | bytes, kind: str, name: str, model_class: type, model_config_class: type,
               train_config_class: type, tensor_shapes: Callable[[Any], tuple[Shapes, Shapes]],
               fix_tensors: Callable[[Any, dict], dict] | None = None) -> BundleParts:
    """Read a bundle and rebuild its tokenizer and model (in eval mode); anything that does not fit raises
    BundleError. `tensor_shapes(model_config)` gives the tensors the settings imply, (required, optional), without
    building the model; `fix_tensors(model_config, tensors)` may restore what saving left out (tied weights)."""
    with refusing_damage(name), open_bundle(source, name) as archive:
        meta = archive.meta(kind)
        model_config = checked_config(model_config_class, meta.get("model_config"), "model_config", name)
        train_config = checked_config(train_config_class, meta.get("train_config"), "train_config", name)
        tokenizer_config = checked_config(TokenizerConfig, meta.get("tokenizer_config"), "tokenizer_config", name)
        metrics, history = checked_metrics(meta, name), checked_history(meta, name)
        shapes = tensor_shapes(model_config)
        archive.weights_cap(*shapes)  # the settings' size, before the tokenizer or anything else is read
        tokenizer = archive.tokenizer(tokenizer_config, model_config.vocab_size)
        model = _build_model(model_class, model_config, archive.weights(*shapes), fix_tensors, name)
        extras = archive.extras()  # after the weights' buffer is gone: the two never add up
    return BundleParts(extras, meta, tokenizer, model, train_config, metrics, history)


def _build_model(model_class: type, model_config: Any, tensors: dict, fix_tensors: Callable | None,
                 name: str) -> torch.nn.Module:
    try:
        model = model_class(model_config)
        model.load_state_dict(fix_tensors(model_config, tensors) if fix_tensors else tensors, strict=True)
    except Exception as error:
        raise BundleError("bundle_model_mismatch", name=name,
                          problem=f"{type(error).__name__}: {one_line(str(error))[:200]}") from None
    return model.eval()


def write_bundle(target: Target, bundle: Bundle) -> None:
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": bundle.kind,
            "versions": _versions(), **bundle.meta}
    tensors = {name: t.detach().cpu().contiguous() for name, t in bundle.tensors.items()}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(META, json.dumps(meta, ensure_ascii=False, indent=2))
        archive.writestr(WEIGHTS, save_tensors(tensors), compress_type=_compression(WEIGHTS))
        archive.writestr(TOKENIZER, bundle.tokenizer_proto)
        for member, data in bundle.extras.items():
            archive.writestr(member, data, compress_type=_compression(member))


def _compression(member: str) -> int:
    """Weights are stored as they are: float32 deflates by about 8% at about 100x the time (measured: 3.2 MB,
    2.6 ms stored vs 750 ms deflated), which a workspace pays on every saved run. JSON and the tokenizer deflate."""
    return zipfile.ZIP_STORED if member.endswith(".safetensors") else zipfile.ZIP_DEFLATED


def bundle_bytes(bundle: Bundle) -> bytes:
    buffer = io.BytesIO()
    write_bundle(buffer, bundle)
    return buffer.getvalue()


def read_bundle(source: Target | bytes, expected_kind: str, name: str = "bundle") -> Bundle:
    """Open a bundle written by write_bundle, with the checks that need no model class (the weights' header,
    not their shapes); anything else gets a BundleError naming the problem."""
    with refusing_damage(name), open_bundle(source, name) as archive:
        meta = archive.meta(expected_kind)
        return Bundle(expected_kind, meta, archive.weights(), archive.read(TOKENIZER), archive.extras())


# --- the archive ----------------------------------------------------------------------------------------------


@contextmanager
def refusing_damage(name: str) -> Iterator[None]:
    """Whatever escapes the checks (a zip or JSON error they did not foresee) still ends as one BundleError line."""
    try:
        yield
    except BundleError:
        raise
    except AttentionLabError as error:
        raise BundleError("bundle_cause", name=name, cause=error) from None
    except Exception as error:
        raise BundleError("bundle_damaged", name=name, problem=type(error).__name__) from None


@contextmanager
def open_bundle(source: Target | bytes, name: str) -> Iterator[BundleArchive]:
    """The bundle as a zip archive whose directory has been checked; members are read through BundleArchive."""
    file = _source_file(source, name)
    try:
        _check_directory(file, name)
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error):
            raise BundleError("bundle_not_zip", name=name) from None
        with archive:
            yield BundleArchive(archive, name)
    finally:
        file.close()


def _source_file(source: Target | bytes, name: str) -> BinaryIO:
    """A seekable file: a path is opened (not read whole); bytes and uploads are read under the size cap."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise BundleError("file_not_found", path=source)
        if path.stat().st_size > MAX_BUNDLE_BYTES:
            raise BundleError("bundle_too_large", name=name, mb=MAX_BUNDLE_BYTES // MB)
        return path.open("rb")
    data = source if isinstance(source, (bytes, bytearray)) else source.read(MAX_BUNDLE_BYTES + 1)
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("bundle_too_large", name=name, mb=MAX_BUNDLE_BYTES // MB)
    return io.BytesIO(data)


def _check_directory(file: BinaryIO, name: str) -> None:
    """Read the end-of-directory record as zipfile will, before it does: zipfile reads the whole directory the
    record declares and builds an object per entry, so a forged record could make it allocate gigabytes."""
    size = file.seek(0, io.SEEK_END)
    tail_size = min(size, _EOCD.size + 0xFFFF)  # the record, then a comment of at most 64 KB
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = len(tail) - _EOCD.size  # where it is when there is no comment (zipfile looks there first)
    if at < 0 or tail[at:at + 4] != _EOCD_SIGNATURE or tail[-2:] != b"\0\0":
        at = tail.rfind(_EOCD_SIGNATURE)
    record = tail[at:at + _EOCD.size] if at >= 0 else b""
    if len(record) < _EOCD.size:
        raise BundleError("bundle_not_zip", name=name)
    _, _, _, _, entries, directory_size, offset, _ = _EOCD.unpack(record)
    record_at = size - tail_size + at
    file.seek(max(0, record_at - 20))  # a zip64 locator, which zipfile would follow, sits just before the record
    zip64 = (record_at >= 20 and file.read(4) == _ZIP64_LOCATOR) or 0xFFFFFFFF in (directory_size, offset)
    if zip64 or entries > MAX_MEMBERS or directory_size > MAX_DIRECTORY_BYTES:
        raise BundleError("bundle_directory", name=name, most=MAX_MEMBERS)


class BundleArchive:
    """An open bundle whose members are checked against their caps and read in chunks, never beyond them."""

    def __init__(self, archive: zipfile.ZipFile, name: str):
        self.archive, self.name = archive, name
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(infos) > MAX_MEMBERS or len(set(names)) != len(names):
            raise BundleError("bundle_members", name=name)
        self.members = {info.filename: info for info in infos}
        missing = [m for m in (META, WEIGHTS, TOKENIZER) if m not in self.members]
        if missing:
            raise BundleError("bundle_missing_members", name=name, members=", ".join(missing))
        for member in (META, TOKENIZER, *OPTIONAL):
            if member in self.members:
                self._check_size(member, MEMBER_CAPS[member])

    def _check_size(self, member: str, cap: int) -> zipfile.ZipInfo:
        info = self.members[member]
        if info.file_size > cap:
            raise BundleError("bundle_member_too_large", name=self.name, member=member, mb=info.file_size / MB,
                              cap=cap / MB)
        if info.flag_bits & 0x1:
            raise BundleError("bundle_member_encrypted", name=self.name, member=member)
        return info

    def read(self, member: str) -> bytes:
        with self._open(member, MEMBER_CAPS[member]) as stream:
            return bytes(self._read_exactly(stream, self.members[member].file_size, member))

    @contextmanager
    def _open(self, member: str, cap: int) -> Iterator[BinaryIO]:
        info = self._check_size(member, cap)
        try:
            with self.archive.open(info) as stream:
                yield stream
        except AttentionLabError:
            raise
        except Exception as error:  # zipfile, zlib, bz2 and lzma raise many types for a damaged member
            raise BundleError("bundle_member_damaged", name=self.name, member=member,
                              problem=type(error).__name__) from None

    def _read_exactly(self, stream: BinaryIO, size: int, member: str) -> bytearray:
        """`size` bytes in chunks into one buffer; a stream that ends early or runs on is refused, so a forged
        size in the zip's directory can never make more than `size` bytes arrive."""
        buffer = bytearray(size)
        view, done = memoryview(buffer), 0
        while done < size:
            chunk = stream.read(min(CHUNK, size - done))
            if not chunk:
                raise BundleError("bundle_member_truncated", name=self.name, member=member)
            view[done:done + len(chunk)] = chunk
            done += len(chunk)
        if stream.read(1):
            raise BundleError("bundle_member_long", name=self.name, member=member)
        return buffer

    def json(self, member: str, data: bytes | None = None) -> Any:
        return parse_member_json(self.read(member) if data is None else data, member, self.name)

    def meta(self, expected_kind: str) -> dict:
        meta = self.json(META)
        _check_meta(meta, expected_kind, self.name)
        return meta

    def tokenizer(self, config: TokenizerConfig, vocab_size: int) -> Any:
        from core.corpus.tokenizer import Tokenizer

        proto = self.read(TOKENIZER)
        try:
            tokenizer = Tokenizer(proto, config)
        except AttentionLabError as error:
            raise BundleError("bundle_cause", name=self.name, cause=error) from None
        except Exception:  # SentencePiece's own message names its C++ source files: nothing a user can act on
            raise BundleError("bundle_tokenizer", name=self.name, member=TOKENIZER) from None
        if tokenizer.vocab_size != vocab_size:
            raise BundleError("bundle_tokenizer_vocab", name=self.name)
        return tokenizer

    def extras(self) -> dict[str, bytes]:
        return {m: self.read(m) for m in OPTIONAL if m in self.members}

    def weights(self, required: Shapes | None = None, optional: Shapes | None = None) -> dict[str, torch.Tensor]:
        """The float32 tensors of model.safetensors, checked against `required` and `optional` shapes when given:
        the entry's size in the zip first, then the header, before the data is read."""
        cap = self.weights_cap(required, optional or {}) if required is not None else MAX_WEIGHTS_BYTES
        size = self._check_size(WEIGHTS, cap).file_size
        with self._open(WEIGHTS, cap) as stream:
            header_size = int.from_bytes(self._read_exactly_prefix(stream, 8), "little")
            if header_size > min(HEADER_ALLOWANCE, size - 8):
                raise BundleError("bundle_header_long", name=self.name, member=WEIGHTS)
            header = self.json(WEIGHTS, bytes(self._read_exactly_prefix(stream, header_size)))
            layout = tensor_layout(header, size - 8 - header_size, self.name, WEIGHTS)
            if required is not None:
                _check_shapes(layout, required, optional or {}, self.name)
            data = self._read_exactly(stream, size - 8 - header_size, WEIGHTS)
        return {key: _tensor_view(data, begin, shape) for key, (shape, begin) in layout.items()}

    def _read_exactly_prefix(self, stream: BinaryIO, size: int) -> bytes:
        data = stream.read(size)
        if len(data) != size:
            raise BundleError("bundle_weights_corrupted", name=self.name, member=WEIGHTS)
        return data

    def weights_cap(self, required: Shapes, optional: Shapes) -> int:
        """The most bytes model.safetensors can hold for these settings; refused outright past MAX_WEIGHTS_BYTES,
        and the zip entry must lie between the required tensors alone and everything plus the header allowance."""
        needed = 4 * sum(math.prod(shape) for shape in required.values())
        most = needed + 4 * sum(math.prod(shape) for shape in optional.values())
        if most > MAX_WEIGHTS_BYTES:
            raise BundleError("bundle_weights_large", name=self.name, mb=most / MB, cap=MAX_WEIGHTS_BYTES // MB)
        size = self.members[WEIGHTS].file_size
        if not 8 + needed <= size <= 8 + HEADER_ALLOWANCE + most:
            raise BundleError("bundle_weights_size", name=self.name, member=WEIGHTS, size=size, needed=needed)
        return 8 + HEADER_ALLOWANCE + most


def _tensor_view(data: bytearray, begin: int, shape: tuple[int, ...]) -> torch.Tensor:
    """A float32 tensor over the buffer, not a copy: the model copies it into its own parameters."""
    count = math.prod(shape)
    if count == 0:
        return torch.zeros(shape)
    return torch.frombuffer(data, dtype=torch.float32, count=count, offset=begin).view(shape)


def tensor_layout(header: Any, data_size: int, name: str, member: str) -> dict[str, tuple[tuple[int, ...], int]]:
    """A safetensors header checked: float32 tensors with whole-number shapes whose byte ranges tile the data
    exactly. Returns each tensor's shape and where its bytes begin."""
    corrupted = BundleError("bundle_weights_corrupted", name=name, member=member)
    if not isinstance(header, dict) or not isinstance(header.get("__metadata__", {}), dict):
        raise corrupted
    layout, spans = {}, []
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        if not isinstance(entry, dict) or entry.get("dtype") != "F32":
            raise BundleError("bundle_weights_type", name=name, member=member, key=key[:50])
        shape, offsets = entry.get("shape"), entry.get("data_offsets")
        if not _int_list(shape, 8) or not _int_list(offsets, 2) or len(offsets) != 2:
            raise corrupted
        begin, end = offsets
        if end - begin != 4 * math.prod(shape):
            raise corrupted
        layout[key] = (tuple(shape), begin)
        spans.append((begin, end))
    position = 0
    for begin, end in sorted(spans):  # the tensors must cover the data exactly, without gaps or overlaps
        if begin != position:
            raise corrupted
        position = end
    if position != data_size:
        raise corrupted
    return layout


def _int_list(value: Any, most: int) -> bool:
    return (isinstance(value, list) and len(value) <= most
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value))


def _check_shapes(layout: dict, required: Shapes, optional: Shapes, name: str) -> None:
    for key, (shape, _) in layout.items():
        wanted = required.get(key, optional.get(key))
        if wanted is None:
            raise BundleError("bundle_tensor_unknown", name=name, member=WEIGHTS, key=key[:50], shape=list(shape)[:8])
        if wanted != shape:
            raise BundleError("bundle_tensor_shape", name=name, member=WEIGHTS, key=key[:50], shape=list(shape)[:8],
                              wanted=list(wanted))
    missing = [key for key in required if key not in layout]
    if missing:
        raise BundleError("bundle_tensors_missing", name=name, member=WEIGHTS, keys=", ".join(missing[:3]))


def rnn_shapes(prefix: str, gates: int, input_dim: int, hidden_dim: int, num_layers: int) -> Shapes:
    """The tensors of a bidirectional nn.LSTM (4 gates) or nn.GRU (3 gates) with batch_first, by name."""
    shapes = {}
    for layer in range(num_layers):
        width = input_dim if layer == 0 else 2 * hidden_dim
        for suffix in ("", "_reverse"):
            shapes.update({f"{prefix}.weight_ih_l{layer}{suffix}": (gates * hidden_dim, width),
                           f"{prefix}.weight_hh_l{layer}{suffix}": (gates * hidden_dim, hidden_dim),
                           f"{prefix}.bias_ih_l{layer}{suffix}": (gates * hidden_dim,),
                           f"{prefix}.bias_hh_l{layer}{suffix}": (gates * hidden_dim,)})
    return shapes


# --- JSON and the values in it --------------------------------------------------------------------------------


def parse_member_json(data: bytes, member: str, name: str) -> Any:
    """A member's JSON, its nesting and number of containers checked before parsing (core.corpus.data)."""
    from core.corpus.data import MAX_JSON_DEPTH, json_nesting

    depth, containers = json_nesting(data)
    if depth > MAX_JSON_DEPTH or containers > MAX_JSON_CONTAINERS:
        raise BundleError("bundle_json_deep", name=name, member=member, depth=MAX_JSON_DEPTH)
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, an integer too long to convert
        raise BundleError("bundle_json_invalid", name=name, member=member) from None


def _check_meta(meta: Any, expected_kind: str, name: str) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BundleError("bundle_foreign", name=name)
    version = meta.get("format_version", 0)
    if not _is_int(version) or version < 0:
        raise BundleError("bundle_version_type", name=name)
    if version > FORMAT_VERSION:
        raise BundleError("bundle_newer", name=name, version=version)
    kind = meta.get("kind")
    if kind != expected_kind:
        shown = kind if isinstance(kind, str) and len(kind) <= 30 else "different"
        raise BundleError("bundle_kind", name=name, kind=shown, expected_kind=expected_kind)
    if not isinstance(meta.get("versions", {}), dict):
        raise BundleError("bundle_versions", name=name)


def checked_config(cls: type, values: Any, what: str, name: str) -> Any:
    """A config from bundle JSON: unknown keys ignored (bundles from newer versions), missing ones default (older
    bundles); each value must have its field's type and lie in LIMITS, so nothing is sized from a wrong value."""
    if not isinstance(values, dict):
        raise BundleError("bundle_section_missing", name=name, section=what)
    known = {f.name: f for f in fields(cls)}
    kept = {key: value for key, value in values.items() if key in known}
    for key, value in kept.items():
        if not _fits(value, known[key].type, key):
            raise BundleError("bundle_setting_type", name=name, section=what, key=key, type=known[key].type,
                              value=one_line(repr(value))[:40])
    try:
        config = cls(**kept)
    except (ValueError, TypeError) as error:  # the config's own checks (a pooling, an rnn it does not know)
        raise BundleError("bundle_section_invalid", name=name, section=what,
                          problem=one_line(str(error))[:120]) from None
    _check_token_ids(config, what, name)
    return config


def setting_types(annotation: Any) -> tuple[type, ...] | None:
    """The JSON types a config field of this annotation accepts; None for one _TYPES lacks (a test lists them)."""
    return _TYPES.get(annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation)))


def _fits(value: Any, annotation: Any, key: str) -> bool:
    types = setting_types(annotation) or (str, int, float, bool)  # a field added since: at least no containers
    if isinstance(value, bool) and bool not in types:
        return False  # JSON true is an int to Python
    if not isinstance(value, types):
        return False
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    low, high = LIMITS.get(key, (-MAX_INT, MAX_INT))
    return isinstance(value, bool) or (value == value and low <= value <= high)  # NaN fails, as it should


def _check_token_ids(config: Any, what: str, name: str) -> None:
    vocab_size = getattr(config, "vocab_size", None)
    if not isinstance(vocab_size, int):
        return
    for key in TOKEN_IDS:
        token = getattr(config, key, None)
        if token is not None and not 0 <= token < vocab_size:
            raise BundleError("bundle_token_id", name=name, section=what, key=key)


def checked_metrics(meta: dict, name: str) -> dict:
    """metrics: names to numbers or None (older bundles may lack them: then empty)."""
    metrics = meta.get("metrics", {})
    if not isinstance(metrics, dict) or not all(_is_name(k) and _is_number(v) for k, v in metrics.items()):
        raise BundleError("bundle_metrics", name=name)
    return metrics


def checked_history(meta: dict, name: str) -> dict:
    """history: epoch and step rows (every loop field a number, epoch and step whole), the best epoch, the stop
    flags and the time taken; keys this version does not know are dropped (nothing here reads them)."""
    from core.training.loop import EVENT_FIELDS

    history = meta.get("history", {})
    bad = BundleError("bundle_history", name=name)
    if not isinstance(history, dict):
        raise bad
    kept = {}
    for key in ("epochs", "steps"):
        rows = history.get(key, [])
        if not isinstance(rows, list) or not all(_is_row(row, EVENT_FIELDS) for row in rows):
            raise bad
        kept[key] = rows
    checks = {"best_epoch": _is_int, "stopped": _is_bool, "early_stopped": _is_bool, "elapsed_s": _is_number}
    for key, check in checks.items():
        if key in history:
            if not check(history[key]) or history[key] is None:
                raise bad
            kept[key] = history[key]
    return kept


def _is_row(row: Any, required: tuple[str, ...]) -> bool:
    return (isinstance(row, dict) and all(key in row for key in required)
            and _is_int(row["epoch"]) and _is_int(row["step"])
            and all(_is_name(k) and _is_number(v) for k, v in row.items()))


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_INT <= value <= MAX_INT


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """None, a float (NaN included: an F1 with nothing to score), or an int a float can show (pages format them)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return -MAX_INT <= value <= MAX_INT
    return value is None or isinstance(value, float)


def one_line(text: str) -> str:
    """Messages go to a single line on stderr or in the app: runs of whitespace, newlines included, become a space."""
    return " ".join(text.split())


def _versions() -> dict:
    import sentencepiece

    return {"attention_lab": __version__, "torch": torch.__version__,
            "sentencepiece": sentencepiece.__version__, "python": platform.python_version()}
