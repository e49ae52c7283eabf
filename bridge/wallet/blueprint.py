"""The wallet blueprint (OpenID4VCI endpoints, learner page), shared by the view modules."""

from __future__ import annotations

from flask import Blueprint, current_app

from bridge.services.wallet_offers import WalletSettings

bp = Blueprint("wallet", __name__)


def settings() -> WalletSettings:
    return WalletSettings.from_config(current_app.config)
