"""The in-memory state of the sandbox platform: its key, registered tools, launches and grants.

People and courses live in `roster.Roster`, grades in `gradebook.Gradebook`; this class adds
the security side (signing key, registration tokens, launches, access tokens, replay caches).
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from .errors import ProtocolError
from .gradebook import Gradebook
from .jwks_client import ToolKeys
from .models import Course, Faults, Launch, LineItem, ResourceLink, ScoreRecord, Tool, User
from .roster import Roster

REGISTRATION_TOKEN_TTL = 600
LAUNCH_TTL = 600
ACCESS_TOKEN_TTL = 3600


class Platform(Roster, Gradebook):
    """Thread-safe state of one sandbox platform (one issuer)."""

    def __init__(self, base_url: str, *, page_size: int = 100, platform_storage: bool = True) -> None:
        self._lock = threading.RLock()
        self.issuer = base_url.rstrip("/")
        self.page_size = page_size
        self.platform_storage = platform_storage
        self.allow_extra_credit = False
        self.strict_deep_link_urls = True  # refuse query strings in deep-linked URLs, as Moodle does
        self.deep_link_settings: dict[str, Any] = {}  # overrides of the deep_linking_settings claim (None: omit)
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "sandbox-" + secrets.token_hex(6)
        self.tool_keys = ToolKeys()
        self.faults = Faults()
        self.users: dict[str, User] = {}
        self.courses: dict[str, Course] = {}
        self.resource_links: dict[str, ResourceLink] = {}
        self.membership_log: list[tuple[int, str, str]] = []
        self.line_items: dict[str, LineItem] = {}
        self.scores: list[ScoreRecord] = []
        self.latest_scores: dict[str, dict[str, ScoreRecord]] = {}
        self._line_item_ids = itertools.count(1)
        self.tools: dict[str, Tool] = {}
        self.launches: dict[str, Launch] = {}
        self.registration_tokens: dict[str, float] = {}  # jti -> expiry, removed once used
        self.access_tokens: dict[str, tuple[str, frozenset[str], float]] = {}
        self.used_assertion_ids: dict[str, float] = {}
        self.used_nonces: set[str] = set()
        self.deep_link_requests: dict[str, Launch] = {}  # settings `data` -> the request's launch
        self.deep_link_responses: list[dict[str, Any]] = []
        self.page_tokens: dict[str, dict[str, Any]] = {}

    def url(self, path: str) -> str:
        return self.issuer + path

    # -- keys ---------------------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def sign_id_token(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """Sign claims with the platform key; `headers` may override (or, with None, drop) kid or alg."""
        merged: dict[str, Any] = {"kid": self.kid, "alg": "RS256", **(headers or {})}
        alg = merged.pop("alg") or "RS256"
        clean = {k: v for k, v in merged.items() if v is not None}
        return jwt.encode(claims, self.private_key, algorithm=alg, headers=clean)

    # -- dynamic registration -----------------------------------------------------------------
    def issue_registration_token(self) -> str:
        """A short-lived, single-use registration token; its `sub` becomes the client_id (as Moodle)."""
        now = int(time.time())
        jti = secrets.token_urlsafe(12)
        claims = {
            "iss": self.issuer,
            "aud": self.issuer,
            "sub": "client-" + secrets.token_hex(6),
            "scope": "reg",
            "iat": now,
            "exp": now + REGISTRATION_TOKEN_TTL,
            "jti": jti,
        }
        with self._lock:
            self.registration_tokens[jti] = now + REGISTRATION_TOKEN_TTL
        return self.sign_id_token(claims)

    def check_registration_token(self, token: str) -> tuple[str, str]:
        """Return (jti, client_id) of a valid unused token, else raise ProtocolError(401)."""
        try:
            claims = jwt.decode(
                token,
                self.private_key.public_key(),
                algorithms=["RS256"],
                audience=self.issuer,
                issuer=self.issuer,
            )
        except jwt.PyJWTError as err:
            raise ProtocolError("invalid_token", f"registration token rejected: {err}", 401) from err
        with self._lock:
            if claims.get("jti") not in self.registration_tokens:
                raise ProtocolError("invalid_token", "registration token already used", 401)
        return str(claims["jti"]), str(claims["sub"])

    def use_registration_token(self, jti: str) -> None:
        with self._lock:
            self.registration_tokens.pop(jti, None)

    def add_tool(self, tool: Tool) -> Tool:
        with self._lock:
            self.tools[tool.client_id] = tool
            return tool

    def add_tool_manually(
        self,
        name: str,
        *,
        jwks_uri: str,
        initiate_login_uri: str,
        redirect_uris: list[str],
        target_link_uri: str,
        scopes: list[str] | None = None,
        deep_link_url: str | None = None,
        custom: dict[str, str] | None = None,
        client_id: str | None = None,
        deployment_id: str | None = None,
    ) -> Tool:
        """Register a tool the way an admin does by hand (no dynamic registration)."""
        from .scopes import SUPPORTED_SCOPES

        with self._lock:
            cid = client_id or "client-" + secrets.token_hex(6)
            tool = Tool(
                client_id=cid,
                name=name,
                jwks_uri=jwks_uri,
                initiate_login_uri=initiate_login_uri,
                redirect_uris=list(redirect_uris),
                target_link_uri=target_link_uri,
                deployment_id=deployment_id or f"deployment-{len(self.tools) + 1}",
                scopes=list(SUPPORTED_SCOPES if scopes is None else scopes),
                messages=[{"type": "LtiResourceLinkRequest"}]
                + ([{"type": "LtiDeepLinkingRequest", "target_link_uri": deep_link_url}] if deep_link_url else []),
                custom=dict(custom or {}),
                deep_link_url=deep_link_url,
            )
            return self.add_tool(tool)

    # -- launches -----------------------------------------------------------------------------
    def create_launch(
        self, client_id: str, user_id: str, course_id: str, resource_link_id: str | None, message_type: str
    ) -> Launch:
        launch = Launch(secrets.token_urlsafe(16), client_id, user_id, course_id, resource_link_id, message_type)
        with self._lock:
            self.launches[launch.hint] = launch
        return launch

    def find_launch(self, hint: str) -> Launch | None:
        with self._lock:
            launch = self.launches.get(hint)
        if launch is None or launch.created_at + LAUNCH_TTL < time.time():
            return None
        return launch

    # -- OAuth 2 client credentials -----------------------------------------------------------
    def remember_assertion(self, jti: str, exp: float) -> bool:
        """Record a client-assertion jti; False when it was already used."""
        with self._lock:
            now = time.time()
            self.used_assertion_ids = {k: v for k, v in self.used_assertion_ids.items() if v > now}
            if jti in self.used_assertion_ids:
                return False
            self.used_assertion_ids[jti] = max(exp, now + 60)
            return True

    def issue_access_token(self, client_id: str, scopes: frozenset[str]) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.access_tokens[token] = (client_id, scopes, time.time() + ACCESS_TOKEN_TTL)
        return token

    def check_access_token(self, token: str) -> tuple[str, frozenset[str]] | None:
        with self._lock:
            grant = self.access_tokens.get(token)
        if grant is None or grant[2] < time.time():
            return None
        return grant[0], grant[1]

    def use_nonce(self, nonce: str) -> bool:
        """Record a nonce from a tool's message; False when it was seen before."""
        with self._lock:
            if nonce in self.used_nonces:
                return False
            self.used_nonces.add(nonce)
            return True

    # -- testing helpers ----------------------------------------------------------------------
    def set_faults(
        self, error_rate: float = 0.0, latency_ms: int = 0, status: int = 503, retry_after: int | None = 1
    ) -> None:
        """Make the service endpoints fail or slow down (error_rate 1.0 fails every call)."""
        with self._lock:
            self.faults = Faults(error_rate, latency_ms, status, retry_after)
