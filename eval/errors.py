"""Errors raised by eval.

EvalError
 ├── DatasetError      a BEIR folder or a labels file that cannot be read
 ├── ConfigSpecError   a ``--config`` value that names an unknown preset, key or value
 └── EvalHomeError     a configuration that the given home cannot answer
"""


class EvalError(Exception):
    """Root of all eval errors."""


class DatasetError(EvalError, ValueError):
    """A BEIR folder or labels file is missing a part or has a malformed line."""


class ConfigSpecError(EvalError, ValueError):
    """A configuration spec that cannot be parsed or is not supported yet."""


class EvalHomeError(EvalError, ValueError):
    """A configuration needs a different index than the given ``--home`` holds."""
