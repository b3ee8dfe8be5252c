"""Deployment: public mode, staff sign-in, `assistant app` and `assistant staff-password` (AppTest and the CLI)."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import serve
from assistant.cli.main import app as cli
from assistant.core.access import hash_password, is_loopback, verify_password
from assistant.core.settings import Settings, get_settings
from tests.ui.markdown import literal
from tests.ui.test_app import app_for, button

runner = CliRunner()
PASSWORD = "riktig-passord-123"


def test_password_hash_checks_and_rejects():
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password("feil-passord-123", stored)
    assert not verify_password(PASSWORD, "scrypt$garbage") and not verify_password(PASSWORD, "")
    assert hash_password(PASSWORD) != stored  # salted


def test_loopback_addresses():
    assert all(map(is_loopback, ["localhost", "127.0.0.1", "127.0.1.1", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["", None, "0.0.0.0", "::", "10.0.0.4", "baerekraft.kommune.no"]))


def test_staff_password_command_prints_a_hash_that_verifies():
    result = runner.invoke(cli, ["staff-password"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert verify_password(PASSWORD, result.output.strip().splitlines()[-1])
    short = runner.invoke(cli, ["staff-password"], input="kort\nkort\n")
    assert short.exit_code == 2 and "minst 10 tegn" in short.output


def test_app_refuses_to_open_staff_pages_to_the_network_without_sign_in(monkeypatch):
    for name in ("ASSISTANT_MODE", "ASSISTANT_STAFF_PASSWORD_HASH", "ASSISTANT_OIDC_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(cli, ["app", "--address", "0.0.0.0", "--port", "9"])
    assert result.exit_code == 2 and "ASSISTANT_MODE=public" in result.output


def test_streamlit_flags_keep_everything_local_without_a_config_file(tmp_path):
    settings = get_settings(data_dir=tmp_path / "data")
    args = serve.command(settings, "127.0.0.1", 8555)
    flags = dict(zip(args[5::2], args[6::2]))
    assert args[2:4] == ["streamlit", "run"] and args[4].endswith("ui/server.py")
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8555"
    assert flags["--browser.gatherUsageStats"] == "false" and flags["--server.headless"] == "true"
    assert flags["--server.enableStaticServing"] == "true" and flags["--server.fileWatcherType"] == "none"
    assert "--secrets.files" not in flags
    env = serve.environment(settings, {})
    assert env["ASSISTANT_DATA_DIR"] == str((tmp_path / "data").resolve()) and env["ANONYMIZED_TELEMETRY"] == "False"


def test_oidc_secrets_go_to_a_private_temporary_file(tmp_path):
    settings = get_settings(oidc_metadata_url="http://127.0.0.1:9400/.well-known/openid-configuration",
                            oidc_client_id="assistent", oidc_client_secret='hemme"lig', public_url="https://baerekraft.kommune.no")
    path = serve.write_secrets(settings, 8501, tmp_path)
    auth = tomllib.loads(path.read_text(encoding="utf-8"))["auth"]
    assert auth["redirect_uri"] == "https://baerekraft.kommune.no/oauth2callback"
    assert auth["client_secret"] == 'hemme"lig' and auth["client_id"] == "assistent" and len(auth["cookie_secret"]) > 30
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "--secrets.files" in serve.command(settings, "0.0.0.0", 8501, path)
    assert get_settings().oidc_configured() is False and settings.oidc_configured()


@pytest.fixture
def no_feedback_store(monkeypatch):
    """Fail the test if anything asks for the feedback file (read or write)."""
    def forbidden(self):
        raise AssertionError("the feedback store was touched")

    monkeypatch.setattr(Settings, "feedback_file", forbidden)


def test_public_mode_serves_kommunestatus_only(monkeypatch, corpus_settings, no_feedback_store):
    at = app_for(monkeypatch, corpus_settings, ASSISTANT_MODE="public")
    assert at.title[0].value == "Kommunestatus"
    assert not at.chat_input and not at.get("file_uploader") and not at.sidebar.get("file_uploader")
    at.selectbox(key="kommune").set_value("Holtålen").run()  # a kommune without documents: no questions to find
    assert not at.exception, at.exception
    assert any(i.value == "Vi har ingen dokumenter om Holtålen ennå." for i in at.info)
    missing = "Bærekraftsrapport Holtålen 2023 finnes, men er ikke lagt inn ennå"
    assert any(missing in literal(m.value) for m in at.markdown)
    with pytest.raises(ValueError, match=r"Known pages: \['[^']*status_page\.py'\]"):
        at.switch_page("chat_page.py")  # the staff page is not part of the public app


# slow: the public app is an App of its own, so Trondheim's questions, goals and summary are all made cold again
# (~20 s under load); quick cover: the page for Holtålen above, for Trondheim in test_goal_grid.py, and Trondheim's
# summary through `assistant kommune --summary` in test_cli_kommune.py
@pytest.mark.slow
def test_public_mode_makes_the_residents_summary(monkeypatch, corpus_settings, no_feedback_store):
    at = app_for(monkeypatch, corpus_settings, ASSISTANT_MODE="public")
    assert at.title[0].value == "Kommunestatus"
    assert not at.chat_input and not at.get("file_uploader") and not at.sidebar.get("file_uploader")
    at.selectbox(key="kommune").set_value("Trondheim").run()
    button(at, "Lag en kort oppsummering").click().run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("Lesbarhet: LIX") for c in at.caption)
    with pytest.raises(ValueError, match=r"Known pages: \['[^']*status_page\.py'\]"):
        at.switch_page("chat_page.py")  # the staff page is not part of the public app


def test_password_sign_in_guards_the_staff_pages(monkeypatch, corpus_settings):
    at = app_for(monkeypatch, corpus_settings, ASSISTANT_STAFF_PASSWORD_HASH=hash_password(PASSWORD))
    assert at.title[0].value == "Logg inn for ansatte" and not at.chat_input
    at.text_input[0].input("feil-passord-123")
    button(at, "Logg inn").click().run()
    assert [e.value for e in at.error] == ["Feil passord."] and not at.chat_input
    at.text_input[0].input(PASSWORD)
    button(at, "Logg inn").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Bærekraftsassistenten" and at.chat_input
    at.sidebar.button(key="sign-out").click().run()
    assert at.title[0].value == "Logg inn for ansatte" and not at.chat_input


def test_residents_page_is_open_while_staff_pages_need_sign_in_beyond_loopback(monkeypatch, corpus_settings):
    from streamlit import config

    address = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        monkeypatch.delenv("ASSISTANT_STAFF_PASSWORD_HASH", raising=False)
        at = app_for(monkeypatch, corpus_settings)
        assert at.title[0].value == "Logg inn for ansatte" and not at.chat_input
        assert any("Ansattsidene er stengt" in w.value for w in at.warning)
        at.switch_page("status_page.py").run()
        assert at.title[0].value == "Kommunestatus" and not at.exception
    finally:
        config.set_option("server.address", address)


def test_no_full_garbage_collection_after_each_rerun(tmp_path):
    """An upload's progress reruns every second; a full gc.collect() after each held the GIL ~0.4 s."""
    args = serve.command(get_settings(data_dir=tmp_path / "data"), "127.0.0.1", 8555)
    assert dict(zip(args[5::2], args[6::2]))["--runner.postScriptGC"] == "false"


def test_the_development_config_file_agrees_with_the_flags_assistant_app_passes():
    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    flat = {f"{section}.{key}": value for section, values in config.items() for key, value in values.items()}
    shared = set(flat) & set(serve.FIXED_FLAGS)
    assert {"runner.postScriptGC", "browser.gatherUsageStats", "server.fileWatcherType", "theme.textColor"} <= shared
    for key in shared:
        assert str(flat[key]).lower() == serve.FIXED_FLAGS[key].lower(), key
