"""Launch errors: each carries an HTTP status, a short code for logs and a message an LMS admin can act on."""

from __future__ import annotations


class LaunchError(Exception):
    """A login or launch the tool refuses. ``message`` is shown to people; ``code`` goes to the log."""

    status = 400

    def __init__(self, code: str, message: str, *, hint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        if status is not None:
            self.status = status


class UnknownPlatform(LaunchError):
    status = 403


class BrowserStateMissing(LaunchError):
    """The browser did not return the login state (third-party cookies blocked, no platform storage)."""

    status = 401

    def __init__(self, relaunch_url: str | None) -> None:
        super().__init__(
            "state_cookie_missing",
            "Your browser did not let the tool keep its login cookie inside the course page.",
            hint="Open the tool in a new window to continue.",
        )
        self.relaunch_url = relaunch_url


# pylti1p3 messages → what an LMS administrator should check. Order matters: first match wins.
HINTS: tuple[tuple[str, str, str], ...] = (
    ("JWT KID not found", "missing_kid", "The platform signed the launch without a key id (kid). "
     "Check the platform's LTI key configuration."),
    ("Unable to find public key", "unknown_kid", "The launch was signed with a key that is not in the "
     "platform's published key set. Check the key set URL registered for this platform."),
    ("JWT ALG not found", "missing_alg", "The launch token has no signing algorithm."),
    ("Incorrect version", "wrong_version", "The launch is not an LTI 1.3.0 message (the version claim "
     "is missing or wrong)."),
    ("Missing Roles Claim", "missing_roles", "The launch has no roles claim; LTI 1.3 requires one "
     "(it may be empty)."),
    ("Missing Resource Link Id", "missing_resource_link", "The launch has no resource link id."),
    ("Must have a user", "missing_sub", "The launch does not identify the user (no sub claim)."),
    ("Invalid message type", "missing_message_type", "The launch has no message type."),
    ("Unrecognized message type", "unsupported_message_type", "This tool does not support this LTI "
     "message type."),
    ("deployment_id", "missing_deployment", "The launch has no deployment id."),
    ("JWT must contain 3 parts", "not_a_jwt", "The id_token is not a JWT."),
    ("can't be decoded", "not_a_jwt", "The id_token could not be decoded."),
    ("Missing Deep Linking", "bad_deep_linking", "The deep-linking request lacks its settings."),
    ("Must support", "bad_deep_linking", "The deep-linking request does not accept resource links."),
)
