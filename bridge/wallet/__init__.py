"""Wallet delivery: the OpenID4VCI issuer endpoints and the learner's "Add to wallet" page."""
