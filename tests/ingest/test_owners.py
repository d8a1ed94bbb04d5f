"""OWNERS files: parsing, last rule wins, nearest file wins, fallbacks."""

from __future__ import annotations

import pytest

from ingest.errors import OwnersFileError
from ingest.models import Owner
from ingest.owners import owners_for, parse_owners, resolve_owners

ROOT = """
# default for the whole share
*               Team Facilitair
hr/**           Team HR
hr/*.xlsx       Piet Jansen, Anna de Vries   # spreadsheets
"""


def test_last_matching_rule_in_a_file_wins() -> None:
    rules = {"": parse_owners(ROOT, "OWNERS")}
    assert resolve_owners("hr/verlof.docx", rules) == ("Team HR",)
    assert resolve_owners("hr/budget.xlsx", rules) == ("Piet Jansen", "Anna de Vries")
    assert resolve_owners("it/vpn.md", rules) == ("Team Facilitair",)


def test_nearest_owners_file_with_a_match_wins() -> None:
    rules = {
        "": parse_owners(ROOT, "OWNERS"),
        "hr/oud": parse_owners("*.pdf  Marieke\n", "hr/oud/OWNERS"),
    }
    assert resolve_owners("hr/oud/verlof_2019.pdf", rules) == ("Marieke",)
    assert resolve_owners("hr/oud/notes.txt", rules) == ("Team HR",)


def test_a_rule_without_owner_is_an_error_with_its_line() -> None:
    with pytest.raises(OwnersFileError, match=r"hr/OWNERS:2: '\*.pdf' names no owner"):
        parse_owners("* Anna\n*.pdf\n", "hr/OWNERS")


def test_owners_fall_back_to_document_properties_then_file_owner() -> None:
    rules = {"hr": parse_owners("*.docx Team HR\n", "hr/OWNERS")}
    assert owners_for("hr/a.docx", rules, ["Jan"], "root") == (Owner("Team HR", "owners_file"),)
    assert owners_for("it/a.docx", rules, ["Jan"], "root") == (Owner("Jan", "document_property"),)
    assert owners_for("it/a.docx", rules, [], "root") == (Owner("root", "file_system"),)
