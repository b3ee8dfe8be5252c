"""Who may open the staff pages (chat, uploads, feedback): the sign-in rule, the sign-in page, signing out.

Rule: staff pages need sign-in when the app listens beyond loopback or when a sign-in is configured
(OpenID Connect through `st.login`, or the local staff password); the residents' page never does.
"""

from __future__ import annotations

import time

import streamlit as st

from assistant.core.access import is_loopback, verify_password
from assistant.core.settings import Settings

SIGNED_IN = "staff_signed_in"  # session flag of the password sign-in


def oidc_enabled() -> bool:
    """Return True when secrets.toml holds an [auth] block for `st.login` (`assistant app` writes one)."""
    try:
        return st.secrets.load_if_toml_exists() and "auth" in st.secrets
    except Exception:  # an unreadable secrets file means no OpenID Connect, never a crash
        return False


def password_hash(settings: Settings) -> str:
    """Return the configured staff password hash, or ''."""
    return settings.staff_password_hash.get_secret_value().strip()


def required(settings: Settings) -> bool:
    """Return True when the staff pages need sign-in (listening beyond loopback, or a sign-in configured)."""
    return not is_loopback(st.get_option("server.address")) or oidc_enabled() or bool(password_hash(settings))


def signed_in() -> bool:
    """Return True when this browser session has signed in as staff (OpenID Connect or password)."""
    if st.session_state.get(SIGNED_IN):
        return True
    try:
        return bool(st.user.is_logged_in)
    except Exception:
        return False


def sign_in_page(settings: Settings) -> None:
    """Show the ways to sign in that are configured, or say that none is and what to set."""
    st.title("Logg inn for ansatte")
    st.write("Chatten, opplasting og tilbakemeldinger er for ansatte. Kommunestatus er åpen for alle.")
    oidc, hashed = oidc_enabled(), password_hash(settings)
    if oidc and st.button("Logg inn med kommunens konto", type="primary"):
        st.login()
    if hashed:
        with st.form("staff-password", border=False):
            password = st.text_input("Passord for ansatte", type="password")
            if st.form_submit_button("Logg inn"):
                if verify_password(password, hashed):
                    st.session_state[SIGNED_IN] = True
                    st.rerun()
                time.sleep(1)  # slows guessing
                st.error("Feil passord.")
    if not oidc and not hashed:
        st.warning(
            "Ansattsidene er stengt: appen lytter på nettverket, og ingen innlogging er satt opp. Sett opp "
            "OpenID Connect (ASSISTANT_OIDC_*) eller et passord (`assistant staff-password`), eller kjør med "
            "ASSISTANT_MODE=public."
        )


def sign_out_button() -> None:
    """Offer signing out in the sidebar of a signed-in staff session."""
    if st.sidebar.button("Logg ut", key="sign-out"):
        st.session_state.pop(SIGNED_IN, None)
        try:
            is_oidc = bool(st.user.is_logged_in)
        except Exception:
            is_oidc = False
        if is_oidc:
            # st.logout() queues a redirect to the provider; st.rerun() would clear the browser queue (only
            # lifecycle messages survive), so on a busy machine the redirect was lost. Stop this run instead.
            st.logout()
            st.stop()
        st.rerun()
