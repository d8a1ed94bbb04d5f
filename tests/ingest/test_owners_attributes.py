"""OWNERS rule attributes: review intervals, areas and outdated marks, inherited up the tree."""

from __future__ import annotations

import pytest

from ingest.errors import OwnersFileError
from ingest.owners import (
    RuleAttributes,
    parse_duration,
    parse_owners,
    resolve_attributes,
    resolve_owners,
)

ROOT = """
*              Team HR           [review=1y area="HR beleid"]
oud/           Anna              [outdated="vervangen door de nieuwe regeling"]
"""
HR = """
*.docx         Piet Jansen       [review=6m]
contracten/    Anna, Team HR     # geen attributen
"""


def test_attributes_do_not_change_the_owners() -> None:
    rules = {"": parse_owners(ROOT, "OWNERS")}
    assert resolve_owners("verlof.docx", rules) == ("Team HR",)
    assert resolve_owners("oud/verlof.pdf", rules) == ("Anna",)


def test_each_attribute_comes_from_the_strongest_rule_that_sets_it() -> None:
    rules = {"": parse_owners(ROOT, "OWNERS"), "hr": parse_owners(HR, "hr/OWNERS")}
    assert resolve_attributes("hr/verlof.docx", rules) == RuleAttributes(180, "HR beleid", None)
    assert resolve_attributes("hr/contracten/a.odt", rules) == RuleAttributes(365, "HR beleid")
    assert resolve_attributes("oud/x.pdf", rules) == RuleAttributes(
        365, "HR beleid", "vervangen door de nieuwe regeling"
    )
    assert resolve_attributes("x.pdf", {}) == RuleAttributes()


def test_a_bare_outdated_flag_counts() -> None:
    (rule,) = parse_owners("oud/  Anna  [outdated]\n", "OWNERS")
    assert rule.owners == ("Anna",) and rule.attributes.outdated == "outdated"


@pytest.mark.parametrize(("text", "days"), [("90d", 90), ("6w", 42), ("6m", 180), ("2Y", 730)])
def test_durations(text: str, days: int) -> None:
    assert parse_duration(text) == days


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("* Anna [review=soon]", r"OWNERS:1: 'soon' is not an interval; .* 6m"),
        ("* Anna [owner=Piet]", r"OWNERS:1: unknown attribute 'owner'; use review=6m"),
        ('* Anna [area="HR]', r"OWNERS:1: No closing quotation"),
        ("* [review=6m]", r"OWNERS:1: .* names no owner"),
    ],
)
def test_bad_attributes_are_errors_with_their_line(line: str, message: str) -> None:
    with pytest.raises(OwnersFileError, match=message):
        parse_owners(line, "OWNERS")
