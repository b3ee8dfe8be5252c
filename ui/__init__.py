"""The Streamlit face of the assistant: staff chat and the residents' Kommunestatus page."""
