"""User-facing errors: each carries a message fit to show as is, never a traceback."""


class AttentionLabError(ValueError):
    """Base class for problems caused by the user's input."""


class CorpusError(AttentionLabError):
    """The uploaded corpus cannot be read or has no usable rows."""


class BundleError(AttentionLabError):
    """A model bundle is corrupt, foreign or incompatible."""


class TrainingBusyError(AttentionLabError):
    """A second training was started while one is still running."""
