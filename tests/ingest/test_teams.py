"""TEAMS files: teams and their members."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.discover import is_skipped
from ingest.errors import OwnersFileError
from ingest.teams import TEAMS_FILE, load_teams, parse_teams, people_of

TEXT = """
# TEAM: MEMBERS
Team HR:   Marieke Jansen, Daan Verbeek   # personeelszaken
BHV:       Henk Mulder
"""


def test_teams_map_to_their_members_and_people_to_themselves() -> None:
    teams = parse_teams(TEXT, "TEAMS")
    assert teams == {"Team HR": ("Marieke Jansen", "Daan Verbeek"), "BHV": ("Henk Mulder",)}
    assert people_of("Team HR", teams) == ("Marieke Jansen", "Daan Verbeek")
    assert people_of("Sanne Bakker", teams) == ("Sanne Bakker",)


@pytest.mark.parametrize("line", ["Team HR Marieke", "Team HR:", ": Marieke"])
def test_a_line_that_is_not_a_team_is_an_error_with_its_line(line: str) -> None:
    with pytest.raises(OwnersFileError, match=r"TEAMS:2: .* is not a team; write 'TEAM: MEMBER"):
        parse_teams(f"# first\n{line}\n", "TEAMS")


def test_the_file_at_the_share_root_is_read_and_never_indexed(tmp_path: Path) -> None:
    assert load_teams(tmp_path) == {}
    (tmp_path / TEAMS_FILE).write_text("IT: Priya Raman, Tom Hendriks\n", encoding="utf-8")
    assert load_teams(tmp_path) == {"IT": ("Priya Raman", "Tom Hendriks")}
    assert is_skipped(TEAMS_FILE)
