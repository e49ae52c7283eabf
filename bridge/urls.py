"""The tool's public URLs (a contract: `bridge info --json`, the README and the LMS setup guides use them)."""

from __future__ import annotations


def public_urls(base_url: str) -> dict[str, str]:
    return {
        "base": base_url,
        "login": f"{base_url}/lti/login",
        "launch": f"{base_url}/lti/launch",
        "redirect": f"{base_url}/lti/launch",
        "jwks": f"{base_url}/.well-known/jwks.json",
        "registration": f"{base_url}/lti/register",
        "canvas_config": f"{base_url}/lti/canvas.json",
        "deep_linking": f"{base_url}/lti/launch",
        "admin": f"{base_url}/admin/",
        "health": f"{base_url}/healthz",
    }
