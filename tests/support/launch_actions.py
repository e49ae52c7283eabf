"""``LaunchActions``: drive the sandbox platform → tool flow like a browser would (after flaskr's AuthActions).

The sandbox answers its auto-submitting pages as JSON when asked (``Accept: application/json``), so a
test follows the same OIDC login → auth → launch chain a browser follows, over real HTTP to the sandbox
and through the Flask test client (or real HTTP) to the tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask.testing import FlaskClient

JSON = {"Accept": "application/json"}


@dataclass
class LoginStep:
    state: str
    nonce: str
    auth_url: str


class LaunchActions:
    def __init__(self, client: FlaskClient, sandbox_url: str, platform: Any) -> None:
        self.client = client
        self.sandbox_url = sandbox_url
        self.platform = platform
        self.http = requests.Session()
        self.client_id: str | None = None

    def register(self) -> str:
        """Dynamic registration started headlessly, completed by the tool against the sandbox."""
        start = self.http.post(f"{self.sandbox_url}/api/registration-tokens", timeout=10).json()
        response = self.client.get("/lti/register", query_string=start)
        assert response.status_code == 200, response.get_data(as_text=True)
        self.client_id = list(self.platform.tools)[-1]
        return self.client_id

    def initiation(self, user: str = "learner-1", link: str = "rl-intro", *, storage: bool = False,
                   deep_link: bool = False) -> dict[str, str]:
        path = f"/launch/{link}" + ("/deep-link" if deep_link else "")
        params = {"user": user, "storage": "1" if storage else "0"}
        answer = self.http.get(self.sandbox_url + path, params=params, headers=JSON, timeout=10).json()
        fields: dict[str, str] = answer["fields"]
        return fields

    def login(self, user: str = "learner-1", link: str = "rl-intro", *, storage: bool = False,
              deep_link: bool = False) -> LoginStep:
        fields = self.initiation(user, link, storage=storage, deep_link=deep_link)
        response = self.client.post("/lti/login", data=fields)
        if storage:
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            auth_url = html.split('data-auth-url="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        else:
            assert response.status_code == 302, response.get_data(as_text=True)
            auth_url = response.headers["Location"]
        query = parse_qs(urlsplit(auth_url).query)
        return LoginStep(state=query["state"][0], nonce=query["nonce"][0], auth_url=auth_url)

    def authorize(self, step: LoginStep) -> dict[str, str]:
        answer = self.http.get(step.auth_url, headers=JSON, timeout=10)
        assert answer.status_code == 200, answer.text
        fields: dict[str, str] = answer.json()["fields"]
        return fields

    def launch(self, user: str = "learner-1", link: str = "rl-intro", *, storage: bool = False,
               deep_link: bool = False) -> Any:
        step = self.login(user, link, storage=storage, deep_link=deep_link)
        return self.client.post("/lti/launch", data=self.authorize(step))

    def post_id_token(self, step: LoginStep, id_token: str) -> Any:
        return self.client.post("/lti/launch", data={"id_token": id_token, "state": step.state})
