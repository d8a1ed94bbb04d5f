"""The bench's office batch: the sample share's formats, with text no other file has."""

from __future__ import annotations

import hashlib
from pathlib import Path

from eval.bench.mixed_batch import write_mixed_tree
from service.sample_share.content import load_documents
from service.sample_share.render import WRITERS


def test_any_twelve_files_hold_every_format_and_no_file_repeats_another(tmp_path: Path) -> None:
    written = write_mixed_tree(tmp_path, 62)
    assert len(written) == 62
    assert {path.suffix.lstrip(".") for path in written[:12]} == set(WRITERS)
    assert len({hashlib.sha256(path.read_bytes()).digest() for path in written}) == 62
    rounds = {path.relative_to(tmp_path).parts[0] for path in written}
    assert rounds == {"ronde-000", "ronde-001"}


def test_text_is_replaced_but_layout_and_lengths_are_kept(tmp_path: Path) -> None:
    template = next(d for d in load_documents() if d.file_format == "md")
    written = write_mixed_tree(tmp_path, 50)
    copy = next(p for p in written if p.name == Path(template.path).name).read_text("utf-8")
    original_words = {w for s in template.sections for p in s.paragraphs for w in p.split()}
    assert copy.count("\n#") + copy.startswith("#") >= len(template.sections)
    assert template.sections[0].paragraphs[0] not in copy
    assert len(set(copy.split()) & original_words) < len(original_words) / 2
