"""LTI 1.3 core: DB-backed tool configuration, OIDC login, launch, JWKS, dynamic registration, platform storage."""
