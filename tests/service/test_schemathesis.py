"""Every operation of the OpenAPI schema, driven by schemathesis against a real uvicorn: no 5xx.

The server runs on a copy of the sample home (governance marks and feedback written by the
generated requests stay out of the shared one). Every operation runs twice: as an anonymous
caller and with a bearer token of a user in two groups.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import APIOperation

from index.build import RunSummary
from index.readers import Principal
from service.settings import Settings
from service.tokens import create_token
from tests.conftest import make_settings, serving

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("WEGWIJS_TEST_API_EXAMPLES", "100"))


@pytest.fixture(scope="module")
def api_home(
    tmp_path_factory: pytest.TempPathFactory, sample_ingest: RunSummary, sample_settings: Settings
) -> Path:
    """A private copy of the sample home."""
    home = tmp_path_factory.mktemp("api") / "home"
    shutil.copytree(sample_settings.home, home, ignore=shutil.ignore_patterns("models"))
    return home


@pytest.fixture(scope="module")
def api_url(api_home: Path) -> Iterator[str]:
    """A real uvicorn serving the copy, anonymous reads allowed."""
    with serving(make_settings(api_home, anonymous=True)) as url:
        yield url


@pytest.fixture(scope="module", params=["anonymous", "token"])
def api_headers(request: pytest.FixtureRequest, api_home: Path) -> dict[str, str]:
    """Headers every generated request carries: none, or a user's bearer token."""
    if request.param == "anonymous":
        return {}
    token, _ = create_token(api_home, Principal("schema-tester", ("hr", "staff")))
    return {"Authorization": f"Bearer {token}"}


def _operations() -> list[APIOperation]:
    """The operations of the app's schema (building the app reads no home and loads no model)."""
    from service.api import create_app

    app = create_app(make_settings(Path("schema-only")))
    schema = schemathesis.openapi.from_dict(app.openapi())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("operation", _operations(), ids=lambda operation: operation.label)
def test_no_operation_answers_with_a_server_error(
    operation: APIOperation, api_url: str, api_headers: dict[str, str]
) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=api_url, headers=api_headers, timeout=120)
        assert response.status_code < 500, (
            f"{response.status_code} from {case.as_curl_command()}: {response.text[:300]}"
        )

    check()
