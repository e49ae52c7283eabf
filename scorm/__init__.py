"""scorm: a pure library for SCORM 1.2 and SCORM 2004 content.

Package checks (`scorm.package`), manifest parsing (`scorm.manifest`), the run-time data models
(`scorm.datamodel`), the run-time state machine (`scorm.runtime`) and rollup (`scorm.rollup`).
It imports only the standard library and third-party libraries, never the web application.
"""
