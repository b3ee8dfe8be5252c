"""The `integration` mark is set by tests/conftest.py's hook: on a test that uses a real part, never on a logic test.

An inner pytest session (`pytester`) collects a small module under the hook, so nothing real is loaded;
the last test looks at its own marks in this session.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

MODULE = '''
import pytest

@pytest.fixture
def ingested(e5):
    return e5

def test_logic():
    pass

def test_uses_e5(e5):
    pass

def test_uses_a_store_ingested_with_e5(ingested):
    pass

def test_uses_the_corpus_store(corpus_settings):
    pass

@pytest.mark.server
def test_starts_a_server():
    pass

@pytest.mark.browser
def test_drives_a_browser(tmp_path):
    pass

@pytest.mark.slow
def test_slow_logic(tmp_path):
    pass
'''


def test_the_hook_marks_the_tests_that_use_a_real_part_and_no_other(pytester):
    pytester.makeini("[pytest]\nmarkers =\n    server\n    browser\n    slow\n    integration\n")
    pytester.makeconftest("from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n")
    pytester.makepyfile(test_inner=MODULE)
    items, _ = pytester.inline_genitems()
    marked = {item.name for item in items if item.get_closest_marker("integration")}
    assert marked == {"test_uses_e5", "test_uses_a_store_ingested_with_e5", "test_uses_the_corpus_store",
                      "test_starts_a_server", "test_drives_a_browser"}
    assert len(items) == 7
    result = pytester.runpytest("--collect-only", "-q", "-m", "not integration")
    result.stdout.fnmatch_lines(["*test_logic*", "*test_slow_logic*", "2/7 tests collected (5 deselected)*"])


def test_a_logic_test_is_not_marked(request):
    assert request.node.get_closest_marker("integration") is None
