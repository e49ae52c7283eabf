"""JSON REST API, versioned under /api/v1 and described by an OpenAPI 3 document (``bridge/api/openapi.py``)."""
