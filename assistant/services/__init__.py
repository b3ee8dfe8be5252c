"""Services on top of answering: the catalog of ingested documents and Kommunestatus for residents."""
