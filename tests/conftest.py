"""Test-wide setup: the result cache of every lambda-lint run (in-process and in
subprocesses) goes to a temporary folder, never to the user's cache."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get("LAMBDA_LINT_CACHE_DIR")
    os.environ["LAMBDA_LINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("lambda-lint-cache"))
    yield
    if previous is None:
        os.environ.pop("LAMBDA_LINT_CACHE_DIR", None)
    else:
        os.environ["LAMBDA_LINT_CACHE_DIR"] = previous


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` run first: with parallel workers, a long test that starts last
    would keep one worker busy after the other has finished."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
