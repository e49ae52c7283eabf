"""Per-template delivery settings (:class:`~bridge.models.TemplateDeliverySettings`): is a transaction code
required when an award of the template is offered to a wallet (OpenID4VCI 1.0 §4.1.1 ``tx_code``)?"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import CredentialTemplate, TemplateDeliverySettings


class TemplateSettingError(LookupError):
    """There is no such template (for this tenant)."""


def tx_code_required(session: Session, template_id: int) -> bool:
    """True unless the template's settings switch the transaction code off (the default is to require one)."""
    value = session.scalar(select(TemplateDeliverySettings.tx_code_required)
                           .where(TemplateDeliverySettings.template_id == template_id))
    return True if value is None else bool(value)


def set_tx_code_required(session: Session, template_id: int, required: bool, *,
                         registration_pk: int | None = None) -> None:
    """Store the template's setting; with ``registration_pk`` the template must belong to that tenant."""
    template = session.get(CredentialTemplate, template_id)
    if template is None or (registration_pk is not None and template.registration_id != registration_pk):
        raise TemplateSettingError(f"There is no credential template {template_id}.")
    row = session.scalars(select(TemplateDeliverySettings)
                          .where(TemplateDeliverySettings.template_id == template_id)).first()
    if row is None:
        row = TemplateDeliverySettings(template_id=template_id)
        session.add(row)
    row.tx_code_required = required
    session.commit()
