"""Errors raised by index.

SearchIndexError
 ├── IndexNotFoundError   no index in this home yet
 ├── IndexMismatchError   the index was built with another model or settings
 ├── IndexCorruptError    an index file fails its checksum or count check
 ├── UnknownModelError    a model profile name that does not exist
 ├── WriterBusyError      another ingest holds the writer lock
 ├── StorageError         writing the catalog or an index generation failed (disk full, I/O)
 ├── PostingsUnavailableError  BM25 parameters other than FTS5's, without in-memory postings
 └── BackupError          a backup cannot be written or restored
"""


class SearchIndexError(Exception):
    """Root of all index errors."""


class IndexNotFoundError(SearchIndexError, FileNotFoundError):
    """There is no published index in this home."""


class IndexMismatchError(SearchIndexError, ValueError):
    """The index was built with a different model or settings than requested."""


class IndexCorruptError(SearchIndexError, ValueError):
    """An index file is damaged: checksum or counts do not match the manifest."""


class UnknownModelError(SearchIndexError, KeyError):
    """A model profile name that is neither known nor a sentence-transformers folder."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown model"


class WriterBusyError(SearchIndexError, RuntimeError):
    """Another process is writing to this home."""


class BackupError(SearchIndexError, ValueError):
    """A backup cannot be written, is damaged, or would overwrite a home that holds data."""


class StorageError(SearchIndexError, OSError):
    """Writing, flushing or renaming the catalog or a generation failed; nothing was published."""


class PostingsUnavailableError(SearchIndexError, RuntimeError):
    """BM25 with parameters other than FTS5's needs the in-memory postings, which are missing."""
