"""Names from the LTI 1.3 / Advantage specs: scopes, claim URIs, media types, vocabularies."""

from __future__ import annotations

AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
AGS_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_MEMBERSHIP_READONLY = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

AGS_SCOPES = (AGS_LINEITEM, AGS_LINEITEM_READONLY, AGS_RESULT_READONLY, AGS_SCORE)
SUPPORTED_SCOPES = (*AGS_SCOPES, NRPS_MEMBERSHIP_READONLY)

LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE = LTI_CLAIM + "message_type"
CLAIM_VERSION = LTI_CLAIM + "version"
CLAIM_DEPLOYMENT_ID = LTI_CLAIM + "deployment_id"
CLAIM_TARGET_LINK_URI = LTI_CLAIM + "target_link_uri"
CLAIM_RESOURCE_LINK = LTI_CLAIM + "resource_link"
CLAIM_ROLES = LTI_CLAIM + "roles"
CLAIM_CONTEXT = LTI_CLAIM + "context"
CLAIM_TOOL_PLATFORM = LTI_CLAIM + "tool_platform"
CLAIM_LAUNCH_PRESENTATION = LTI_CLAIM + "launch_presentation"
CLAIM_CUSTOM = LTI_CLAIM + "custom"
CLAIM_LIS = LTI_CLAIM + "lis"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
CLAIM_DL_SETTINGS = DL_CLAIM + "deep_linking_settings"
CLAIM_DL_CONTENT_ITEMS = DL_CLAIM + "content_items"
CLAIM_DL_DATA = DL_CLAIM + "data"
CLAIM_DL_MSG = DL_CLAIM + "msg"
CLAIM_DL_ERRORMSG = DL_CLAIM + "errormsg"

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"

MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_SCORE = "application/vnd.ims.lis.v1.score+json"
MEDIA_RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
MEDIA_MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")

PRODUCT_FAMILY_CODE = "credential-bridge-sandbox"
PRODUCT_VERSION = "0.1.0"
