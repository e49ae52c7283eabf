"""Use cases. Collaborators (session, cipher, HTTP session, clock) come in as arguments; no Flask here."""
