"""OIDC third-party-initiated login and the LTI 1.3 resource/deep-linking launch, on pylti1p3.

Specs: 1EdTech Security Framework 1.0 §5.1 (OIDC login, id_token validation), LTI 1.3 Core §5 (message
claims), LTI Platform Storage 1.0 (state kept in the platform's frame instead of a third-party cookie).

What we add on top of pylti1p3's ``MessageLaunch`` (reference/lti.md):
- state and nonce in the database (shared by workers), the nonce bound to its state and single use;
- the browser proves it holds the state by cookie *or* by LTI Platform Storage; otherwise a new-window
  fallback is offered instead of "Missing cookie";
- ``aud``/``azp`` checked against the registration's client id, ``exp``/``iat`` required, a fixed set
  of asymmetric algorithms (never ``none``/HMAC);
- the platform JWKS cached in the registration row and re-fetched once on an unknown ``kid``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from jwcrypto.jwk import JWK
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.session import SessionService

from bridge.lti.adapters import CollectingCookieService, LaunchRequest, StoreLaunchDataStorage, UrlRedirect
from bridge.lti.errors import HINTS, BrowserStateMissing, LaunchError, UnknownPlatform
from bridge.lti.tool_conf import DbToolConf, ToolRegistration
from bridge.models.base import utcnow
from bridge.services.cache import KeyValueStore

ALLOWED_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"})
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")


@dataclass(frozen=True, slots=True)
class LaunchSettings:
    base_url: str
    state_ttl: int = 600
    leeway: int = 60
    jwks_ttl: int = 3600
    jwks_refetch_interval: int = 10


@dataclass(frozen=True, slots=True)
class LoginResult:
    auth_url: str
    state: str
    cookies: dict[str, tuple[str, int | None]]
    storage_target: str | None
    storage_origin: str | None


class StateSessionService(SessionService):
    """One record per login: the nonce is saved inside the state params (``BridgeOIDCLogin``), and the launch
    takes the state atomically — so state and nonce are single use together, with one write at login."""

    def save_nonce(self, nonce: str) -> None:
        return None

    def take_state_params(self, state: str) -> dict[str, Any] | None:
        storage = self.data_storage
        if not isinstance(storage, StoreLaunchDataStorage):
            raise TypeError("launch state needs the store-backed launch data storage")
        params = storage.take_value(self._get_key(state))
        return dict(params) if isinstance(params, dict) else None


def _services(
    params: Mapping[str, str], cookies: Mapping[str, str], secure: bool, store: KeyValueStore, ttl: int
) -> tuple[LaunchRequest, CollectingCookieService, StateSessionService]:
    request = LaunchRequest(params, cookies, secure=secure)
    session_service = StateSessionService(request)
    session_service.set_data_storage(StoreLaunchDataStorage(store))
    session_service.set_launch_data_lifetime(ttl)
    return request, CollectingCookieService(request), session_service


class BridgeOIDCLogin(OIDCLogin[LaunchRequest, DbToolConf, StateSessionService, CollectingCookieService, str]):
    def get_redirect(self, url: str) -> UrlRedirect:
        return UrlRedirect(url)

    def _generate_nonce(self) -> str:
        nonce = super()._generate_nonce()
        # Saved with the state params right after this call: binds the nonce to its state.
        self._state_params["nonce"] = nonce
        return nonce


def start_login(
    params: Mapping[str, str], cookies: Mapping[str, str], *, secure: bool, tool_conf: DbToolConf,
    store: KeyValueStore, settings: LaunchSettings,
) -> LoginResult:
    """Validate an OIDC login initiation and build the redirect to the platform's auth endpoint."""
    target = params.get("target_link_uri") or ""
    if target and not target.startswith(settings.base_url + "/"):
        raise LaunchError("foreign_target_link_uri", f"The target_link_uri {target!r} is not an address of this "
                          "tool.", hint=f"Configure the tool's launch URL as {settings.base_url}/lti/launch.")
    request, cookie_service, session_service = _services(params, cookies, secure, store, settings.state_ttl)
    login = BridgeOIDCLogin(request, tool_conf, session_service=session_service, cookie_service=cookie_service)
    storage_target = params.get("lti_storage_target") or None
    registration = _find_registration(tool_conf, params)
    storage_origin = _origin(registration.get_auth_login_url() or "") if storage_target else None
    state_params: dict[str, object] = {k: params[k] for k in LOGIN_PARAMS if params.get(k)}
    state_params.update(storage_target=storage_target, storage_origin=storage_origin)
    login.pass_params_to_launch(state_params)
    try:
        auth_url = login.get_redirect_object(settings.base_url + "/lti/launch").get_redirect_url()
    except (OIDCException, LtiException) as err:
        raise LaunchError("bad_login", f"The login request was refused: {err}") from err
    state = parse_qs(urlsplit(auth_url).query)["state"][0]
    return LoginResult(auth_url, state, cookie_service.to_set, storage_target, storage_origin)


def _find_registration(tool_conf: DbToolConf, params: Mapping[str, str]) -> ToolRegistration:
    iss, client_id = params.get("iss"), params.get("client_id")
    if not iss or not params.get("login_hint"):
        raise LaunchError("bad_login", "The login request lacks the issuer (iss) or the login_hint.",
                          hint="Start the launch from a link in the LMS course.")
    registration = tool_conf.find_registration_by_params(iss, client_id or "")
    if registration is None:
        what = f"issuer {iss!r}" + (f" and client id {client_id!r}" if client_id else "")
        raise UnknownPlatform("unknown_platform", f"This tool has no registration for {what}.",
                              hint="Register the platform (dynamic registration, the admin screen or "
                                   "`bridge platform add`) with exactly these values.")
    return registration


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class BridgeMessageLaunch(MessageLaunch[LaunchRequest, DbToolConf, StateSessionService, CollectingCookieService]):
    """pylti1p3's launch with stricter state, nonce, signature and key handling (module docstring)."""

    def __init__(self, request: LaunchRequest, tool_conf: DbToolConf, *, session_service: StateSessionService,
                 cookie_service: CollectingCookieService, http: requests.Session, settings: LaunchSettings,
                 relaunch_base: str) -> None:
        super().__init__(request, tool_conf, session_service=session_service, cookie_service=cookie_service,
                         requests_session=http)
        self.settings = settings
        self.relaunch_base = relaunch_base
        self.state_params: dict[str, Any] = {}
        self.browser_verified = False

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def validate_state(self) -> BridgeMessageLaunch:
        state = self._get_request_param("state")
        if not state:
            raise LaunchError("missing_state", "The launch has no state parameter.")
        params = self._session_service.take_state_params(state)
        if not params:
            raise LaunchError("unknown_state", "The login state is unknown, already used or expired.",
                              hint="Launch the tool again from the course page.")
        self.state_params = dict(params)
        self.browser_verified = self._cookie_service.get_cookie(state) == state
        if not self.browser_verified and not self.state_params.get("storage_target"):
            login = {k: v for k, v in self.state_params.items() if k in LOGIN_PARAMS}
            raise BrowserStateMissing(f"{self.relaunch_base}?{urlencode({**login, 'lti1p3_new_window': '1'})}")
        return self

    def validate_nonce(self) -> BridgeMessageLaunch:
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LaunchError("missing_nonce", "The launch has no nonce.")
        # The state (which carries the nonce) was taken atomically, so this nonce cannot be used again.
        if nonce != self.state_params.get("nonce"):
            raise LaunchError("replayed_nonce", "This launch was already used or does not belong to this "
                              "login (nonce mismatch).", hint="Launch the tool again from the course page.")
        return self

    def validate_registration(self) -> BridgeMessageLaunch:
        # The deployment comes with the registration in one query; it is only used once the signature holds.
        deployment_id = self._get_jwt_body().get("https://purl.imsglobal.org/spec/lti/claim/deployment_id")
        self._tool_config.prefetch(self.get_iss(), self.get_client_id(), str(deployment_id or ""))
        return super().validate_registration()  # type: ignore[return-value]

    def validate_jwt_signature(self) -> BridgeMessageLaunch:
        header = self._jwt.get("header", {})
        alg = header.get("alg")
        if alg not in ALLOWED_ALGS:
            raise LaunchError("bad_alg", f"The id_token algorithm {alg!r} is not accepted; platforms must sign "
                              "with an asymmetric key (RS256).")
        public_key, key_alg = self.get_public_key()
        client_id = self.get_client_id()
        try:
            jwt.decode(self._get_id_token(), public_key, algorithms=[key_alg], audience=client_id,
                       leeway=self.settings.leeway, options={"require": ["exp", "iat", "iss", "aud"]})
        except jwt.ExpiredSignatureError as err:
            raise LaunchError("expired", "The launch token has expired (check the LMS server's clock).") from err
        except jwt.ImmatureSignatureError as err:
            raise LaunchError("not_yet_valid",
                              "The launch token is not valid yet (check the LMS server's clock).") from err
        except jwt.InvalidAudienceError as err:
            raise LaunchError("wrong_audience", "The launch token was issued to another client id.") from err
        except jwt.InvalidTokenError as err:
            raise LaunchError("bad_token", f"The launch token is invalid: {err}.") from err
        self._check_iat()
        aud = self._get_jwt_body().get("aud")
        if isinstance(aud, list) and len(aud) > 1 and self._get_jwt_body().get("azp") != client_id:
            raise LaunchError("wrong_azp", "The launch token has several audiences and its azp is not this tool.")
        return self

    def _check_iat(self) -> None:
        iat = self._get_jwt_body().get("iat")
        now = utcnow().timestamp()
        if not isinstance(iat, int | float) or iat > now + self.settings.leeway:
            raise LaunchError("not_yet_valid", "The launch token was issued in the future (check the LMS clock).")

    def get_public_key(self) -> tuple[str, str]:
        kid = self._jwt.get("header", {}).get("kid")
        if not kid:
            raise LaunchError("missing_kid", HINTS[0][2])
        registration = self._registration
        if not isinstance(registration, ToolRegistration):
            raise LaunchError("unknown_platform", "Registration not found.", status=403)
        row = registration.row
        jwk = _find_jwk(row.key_set, kid, self._jwt["header"]["alg"])
        fetched = row.key_set_fetched_at
        stale = fetched is None or utcnow() - fetched > timedelta(seconds=self.settings.jwks_ttl)
        may_refetch = fetched is None or utcnow() - fetched > timedelta(seconds=self.settings.jwks_refetch_interval)
        if (jwk is None and may_refetch) or stale:
            self._tool_config.save_key_set(row, self.fetch_public_key(row.key_set_url), utcnow())
            jwk = _find_jwk(row.key_set, kid, self._jwt["header"]["alg"])
        if jwk is None:
            raise LaunchError("unknown_kid", HINTS[1][2])
        return _jwk_to_pem(json.dumps(jwk, sort_keys=True)), self._jwt["header"]["alg"]

    def fetch_public_key(self, key_set_url: str) -> dict[str, Any]:  # type: ignore[override]
        try:
            response = self._requests_session.get(key_set_url)
            response.raise_for_status()
            key_set = response.json()
        except (requests.RequestException, ValueError) as err:
            raise LaunchError("jwks_unavailable", f"The platform's key set at {key_set_url} could not be read.",
                              hint="Check the key set URL and that the tool can reach it.", status=502) from err
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise LaunchError("jwks_invalid", f"The platform's key set at {key_set_url} is not a JWKS.", status=502)
        return key_set

    def validate_deployment(self) -> BridgeMessageLaunch:
        try:
            return super().validate_deployment()  # type: ignore[return-value]
        except LtiException as err:
            deployment_id = self._get_jwt_body().get("https://purl.imsglobal.org/spec/lti/claim/deployment_id")
            if not deployment_id:
                raise
            raise UnknownPlatform("unknown_deployment", f"The deployment id {deployment_id!r} is not registered and "
                                  "this registration does not accept new deployments.",
                                  hint="Add the deployment id (admin screen or `bridge platform add`) or switch "
                                       "the registration's deployment policy to 'accept'.") from err

    def save_launch_data(self) -> BridgeMessageLaunch:
        # Our launch session is written by services.launches; the state was already taken (single use).
        return self

    @property
    def registration_row(self) -> Any:
        return self._registration.row if isinstance(self._registration, ToolRegistration) else None


@lru_cache(maxsize=64)
def _jwk_to_pem(jwk_json: str) -> str:
    """The PEM of a platform public key, converted once per distinct JWK (the JWK text is the cache key)."""
    return JWK.from_json(jwk_json).export_to_pem().decode()


def _find_jwk(key_set: dict[str, Any] | None, kid: str, alg: str) -> dict[str, Any] | None:
    for key in (key_set or {}).get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid and key.get("alg", alg) == alg:
            return key
    return None


def validate_launch(
    params: Mapping[str, str], cookies: Mapping[str, str], *, secure: bool, tool_conf: DbToolConf,
    store: KeyValueStore, http: requests.Session, settings: LaunchSettings,
) -> BridgeMessageLaunch:
    """Run every check on an id_token POST; raise LaunchError with an actionable message on failure."""
    request, cookie_service, session_service = _services(params, cookies, secure, store, settings.state_ttl)
    launch = BridgeMessageLaunch(request, tool_conf, session_service=session_service, cookie_service=cookie_service,
                                 http=http, settings=settings, relaunch_base=settings.base_url + "/lti/login")
    try:
        launch.validate()
    except LaunchError:
        raise
    except (LtiException, OIDCException) as err:
        raise _translate(err) from err
    return launch


def _translate(err: Exception) -> LaunchError:
    text = str(err)
    for needle, code, message in HINTS:
        if needle in text:
            return LaunchError(code, message)
    if "Registration not found" in text or "Client id not registered" in text:
        return UnknownPlatform("unknown_platform", "This tool has no registration for the launch's issuer and "
                               "client id.", hint="Register the platform first.")
    return LaunchError("invalid_launch", f"The launch is invalid: {text}")
