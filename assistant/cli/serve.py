"""How `assistant app` starts Streamlit: the flags that make it private from any working directory, and secrets.

Every setting the app needs is given as a `streamlit run` flag, so no `.streamlit/config.toml` in the
working directory is needed (and one there cannot switch usage statistics back on). OpenID Connect
settings are written into a temporary secrets.toml (mode 600, removed when the app stops).
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlparse

from assistant.core.settings import Settings

# Flags of `streamlit run` that keep everything on this machine and the app as the project ships it.
FIXED_FLAGS = {
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "server.enableStaticServing": "true",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "server.maxUploadSize": "200",  # the app refuses files over ASSISTANT_MAX_FILE_MB first
    # Streamlit runs a full gc.collect() after every script run, holding the GIL: with the models' heap that
    # took about 0.4 s each time, and an upload's progress fragment reruns every second, so questions in
    # other sessions waited twice as long during an upload (py-spy: 43 % of the server's samples in it).
    # Python's generational collector still runs on its own thresholds.
    "runner.postScriptGC": "false",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "none",
    "theme.base": "light",
    "theme.primaryColor": "#2e7d32",
    # captions are the text colour at 60 %: #111111 keeps them at 4.7:1 or more (WCAG 1.4.3; axe in test_accessibility)
    "theme.textColor": "#111111",
}


def server_script() -> Path:
    """Return ui/server.py (the app with its document route), found without importing the ui package."""
    spec = find_spec("ui")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the ui package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "server.py"


def redirect_uri(settings: Settings, port: int) -> str:
    """Return the OpenID Connect redirect URI: ASSISTANT_PUBLIC_URL (or http://localhost:PORT) + /oauth2callback."""
    base = settings.public_url.rstrip("/") or f"http://localhost:{port}"
    return f"{base}/oauth2callback"


def write_secrets(settings: Settings, port: int, folder: Path) -> Path:
    """Write the [auth] block for `st.login` into folder/.streamlit/secrets.toml (mode 600) and return its path."""
    target = folder / ".streamlit" / "secrets.toml"
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    values = {
        "redirect_uri": redirect_uri(settings, port),
        "cookie_secret": secrets.token_urlsafe(32),  # new on each start: a restart signs everyone out
        "client_id": settings.oidc_client_id,
        "client_secret": settings.oidc_client_secret.get_secret_value(),
        "server_metadata_url": settings.oidc_metadata_url,
    }
    lines = ["[auth]"] + [f"{key} = {toml_string(value)}" for key, value in values.items()]
    target.touch(mode=0o600)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def toml_string(value: str) -> str:
    """Return a TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def command(settings: Settings, address: str, port: int, secrets_file: Path | None = None) -> list[str]:
    """Return the `streamlit run` command line for the app on address:port."""
    public = urlparse(settings.public_url) if settings.public_url else None
    flags = {**FIXED_FLAGS, "server.address": address, "server.port": str(port),
             "browser.serverAddress": (public.hostname if public and public.hostname else "localhost"),
             "browser.serverPort": str(public.port or (443 if public.scheme == "https" else 80)) if public else str(port)}
    if secrets_file is not None:
        flags["secrets.files"] = str(secrets_file)
    args = [sys.executable, "-m", "streamlit", "run", str(server_script())]
    for key, value in flags.items():
        args += [f"--{key}", value]
    return args


def environment(settings: Settings, base: dict[str, str]) -> dict[str, str]:
    """Return the app's environment: data and corpus dirs made absolute, telemetry and hub downloads off."""
    return {
        **base,
        "ASSISTANT_DATA_DIR": str(settings.data_dir.resolve()),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir.resolve()),
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
    }


def temp_folder() -> tempfile.TemporaryDirectory:
    """Return a private temporary folder for the secrets file."""
    return tempfile.TemporaryDirectory(prefix="assistant-app-")
