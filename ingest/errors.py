"""Errors raised by ingest.

IngestError
 ├── RootNotFoundError   a crawl root does not exist or is not a folder
 ├── ParseError          one file could not be parsed (recorded, the run goes on)
 ├── OwnersFileError     an OWNERS file has a line we cannot read
 ├── AccessFileError     an ACCESS file has a line we cannot read
 └── UnknownAclError     a POSIX ACL we do not understand (readers fail closed)
"""


class IngestError(Exception):
    """Root of all ingest errors."""


class RootNotFoundError(IngestError, FileNotFoundError):
    """A crawl root does not exist or is not a directory."""


class ParseError(IngestError, ValueError):
    """A file could not be parsed into text."""


class OwnersFileError(IngestError, ValueError):
    """An OWNERS file contains a line that is not ``PATTERN OWNER[, OWNER...]``."""


class AccessFileError(IngestError, ValueError):
    """An ACCESS file contains a line that is not ``PATTERN [public] [read: …] [deny: …]``."""


class UnknownAclError(IngestError, ValueError):
    """A ``system.posix_acl_access`` attribute has a shape we do not understand."""
