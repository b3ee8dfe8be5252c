"""The README stays true: every setting is documented, and the two set-up commands are there."""

from assistant.core.settings import Settings
from tests.conftest import ROOT


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"ASSISTANT_{name.upper()}" for name in Settings.model_fields if f"`ASSISTANT_{name.upper()}`" not in readme]
    assert not missing, f"README lacks {missing}"
    assert "make run" in readme and "make test" in readme


def test_settings_are_read_from_the_environment_when_built(monkeypatch):
    from assistant.core.settings import get_settings

    monkeypatch.setenv("ASSISTANT_K", "9")
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "localhost")
    settings = get_settings(rrf_k=10)
    assert settings.k == 9 and settings.chroma_host == "localhost" and settings.rrf_k == 10
