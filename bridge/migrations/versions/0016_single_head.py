"""merge the parallel branches into a single head; new migrations descend from here, one after another

Its parents are exactly what ``alembic_version`` holds after an upgrade to all the former heads, so a database at
those heads (or at any older set of them) upgrades to this one revision.

Revision ID: 0016
Revises: 0006, 0007, 0009, 0010b, 0011, 0012b, 0013, 0013b, 0015
Create Date: 2026-11-30 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = ("0006", "0007", "0009", "0010b", "0011", "0012b", "0013", "0013b", "0015")
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0011 gained this index after it had shipped: databases stamped 0011 before that never got it.
    indexes = sa.inspect(op.get_bind()).get_indexes("issued_credentials")
    if not any(index["name"] == "ix_issued_credentials_source" for index in indexes):
        op.create_index(op.f("ix_issued_credentials_source"), "issued_credentials", ["source"])


def downgrade() -> None:
    # The index belongs to 0011 (whose downgrade drops it); unmerging changes nothing.
    pass
