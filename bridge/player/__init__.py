"""SCORM player: the learner's player page, the run-time endpoints, isolated content serving, instructor screens.

Modules: ``blueprint`` (the ``bp`` every module adds routes to), ``views`` (player page and run-time JSON),
``content`` (package files and the relay page, with their own CSP), ``manage`` (upload, attach, attempts),
``tokens`` (HMAC capabilities that work without cookies), ``commit_endpoint`` (the run-time commit URL answered in
front of Flask for the commits that do not end a session).
"""
