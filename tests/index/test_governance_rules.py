"""A document's default area: its top-level folder."""

from __future__ import annotations

import pytest

from index.governance.rules import default_area


@pytest.mark.parametrize(
    ("rel_path", "area"),
    [("hr/verlof.docx", "hr"), ("hr/regels/verlof.docx", "hr"), ("leesmij.txt", "(root)")],
)
def test_default_area_is_the_top_level_folder(rel_path: str, area: str) -> None:
    assert default_area(rel_path) == area
