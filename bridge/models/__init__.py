"""SQLAlchemy 2.0 typed models, one module per domain. Importing this package registers every table."""

from bridge.models.awards import (
    ApiToken,
    Award,
    AwardCriterion,
    AwardingBody,
    AwardRule,
    AwardStatusChange,
    CredentialTemplate,
    TemplateVersion,
)
from bridge.models.base import Base
from bridge.models.connectors import ConnectorSetting, ConnectorUserId
from bridge.models.courses import Course, LmsUser, Membership, ResourceLink
from bridge.models.deep_links import DeepLinkedActivity
from bridge.models.edc import EdcDelivery, EdcSettings
from bridge.models.issued import IssuedCredential, StatusEntry, StatusList
from bridge.models.issuers import Issuer, IssuerKey
from bridge.models.jobs import JobLock, JobRun
from bridge.models.keys import ToolKey
from bridge.models.launch import CacheEntry, LaunchSession
from bridge.models.lti_services import CourseLineItem, CourseSync, GradeOutbox
from bridge.models.progress import ProgressFact, ProgressHistory
from bridge.models.scorm import ScormActivity, ScormAttempt, ScormPackage
from bridge.models.template_delivery import TemplateDeliverySettings
from bridge.models.tenancy import Deployment, DynamicRegistrationAttempt, Registration
from bridge.models.wallet import Delivery, WalletNonce, WalletOffer

__all__ = [
    "ApiToken",
    "Award",
    "AwardCriterion",
    "AwardRule",
    "AwardStatusChange",
    "AwardingBody",
    "Base",
    "CacheEntry",
    "ConnectorSetting",
    "ConnectorUserId",
    "Course",
    "DeepLinkedActivity",
    "CourseLineItem",
    "CourseSync",
    "CredentialTemplate",
    "Delivery",
    "Deployment",
    "EdcDelivery",
    "EdcSettings",
    "DynamicRegistrationAttempt",
    "GradeOutbox",
    "IssuedCredential",
    "Issuer",
    "IssuerKey",
    "JobLock",
    "JobRun",
    "LaunchSession",
    "LmsUser",
    "Membership",
    "ProgressFact",
    "ProgressHistory",
    "Registration",
    "ResourceLink",
    "ScormActivity",
    "ScormAttempt",
    "ScormPackage",
    "StatusEntry",
    "StatusList",
    "TemplateDeliverySettings",
    "TemplateVersion",
    "ToolKey",
    "WalletNonce",
    "WalletOffer",
]
