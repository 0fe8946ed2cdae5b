"""Model bundles: one .zip with safetensors weights, the SentencePiece model and JSON; never pickle."""

from __future__ import annotations

import io
import json
import platform
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Union

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from core import __version__
from core.config import TokenizerConfig, from_dict, to_dict
from core.errors import BundleError

FORMAT = "attention-lab-bundle"
FORMAT_VERSION = 1
WEIGHTS, TOKENIZER, META = "model.safetensors", "tokenizer.model", "bundle.json"
OPTIONAL = ("baseline.safetensors", "baseline.json", "retrieval.json")  # read when present; older bundles lack them
MAX_BUNDLE_BYTES = 512 * 1024 * 1024

Target = Union[str, Path, BinaryIO]


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


def load_parts(source: Target | bytes, kind: str, name: str, model_class: type, model_config_class: type,
               train_config_class: type, fix_tensors: Callable[[Any, dict], dict] | None = None) -> BundleParts:
    """Read a bundle and rebuild its tokenizer and model (in eval mode); anything that does not fit raises
    BundleError. `fix_tensors(model_config, tensors)` may restore what saving left out (tied weights)."""
    from core.corpus.tokenizer import Tokenizer

    bundle = read_bundle(source, kind, name)
    meta = bundle.meta
    try:
        model_config = from_dict(model_config_class, meta["model_config"])
        tokenizer = Tokenizer(bundle.tokenizer_proto, from_dict(TokenizerConfig, meta["tokenizer_config"]))
        model = model_class(model_config)
        tensors = fix_tensors(model_config, dict(bundle.tensors)) if fix_tensors else bundle.tensors
        model.load_state_dict(tensors, strict=True)
        train_config = from_dict(train_config_class, meta["train_config"])
    except BundleError:
        raise
    except Exception as error:
        raise BundleError(f"{name}: the bundle does not fit this version of the model "
                          f"({type(error).__name__}: {str(error)[:200]}).") from None
    if tokenizer.vocab_size != model_config.vocab_size:
        raise BundleError(f"{name}: the tokenizer's vocabulary disagrees with the model's shape.")
    model.eval()
    return BundleParts(bundle.extras, meta, tokenizer, model, train_config)


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
    """Open a bundle written by write_bundle; anything else gets a BundleError naming the problem."""
    data = _read_source(source)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive, name)
            meta = json.loads(archive.read(META).decode("utf-8"))
            weights, proto = archive.read(WEIGHTS), archive.read(TOKENIZER)
            extras = {m: archive.read(m) for m in OPTIONAL if m in archive.namelist()}
    except zipfile.BadZipFile:
        raise BundleError(f"{name}: not a model bundle (.zip) or the file is corrupted.") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BundleError(f"{name}: the bundle's {META} is not valid JSON.") from None
    _check_meta(meta, expected_kind, name)
    try:
        tensors = load_tensors(weights)
    except Exception:
        raise BundleError(f"{name}: the weights ({WEIGHTS}) are corrupted.") from None
    return Bundle(expected_kind, meta, tensors, proto, extras)


def _read_source(source: Target | bytes) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, Path)):
        if not Path(source).is_file():
            raise BundleError(f"File not found: {source}")
        data = Path(source).read_bytes()
    else:
        data = source.read()
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("The bundle is larger than 512 MB; refusing it.")
    return data


def _check_members(archive: zipfile.ZipFile, name: str) -> None:
    members = {info.filename: info for info in archive.infolist()}
    missing = [m for m in (META, WEIGHTS, TOKENIZER) if m not in members]
    if missing:
        raise BundleError(f"{name}: not an Attention Lab bundle (missing {', '.join(missing)}).")
    if sum(info.file_size for info in members.values()) > 4 * MAX_BUNDLE_BYTES:
        raise BundleError(f"{name}: the bundle inflates to an implausible size; refusing it.")


def _check_meta(meta: dict, expected_kind: str, name: str) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BundleError(f"{name}: not an Attention Lab bundle.")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise BundleError(f"{name}: made by a newer Attention Lab (bundle format {meta.get('format_version')}); update the app.")
    if meta.get("kind") != expected_kind:
        raise BundleError(f"{name}: this is a {meta.get('kind')} bundle, but a {expected_kind} bundle is needed here.")


def _versions() -> dict:
    import sentencepiece

    return {"attention_lab": __version__, "torch": torch.__version__,
            "sentencepiece": sentencepiece.__version__, "python": platform.python_version()}
