"""scorm: a pure library for SCORM 1.2 and SCORM 2004 (2nd–4th Edition) content.

Public API (import from the submodules; nothing is re-exported here so `import scorm` stays cheap):
- `scorm.errors`: ScormError → PackageError(reason: PackageProblem), ManifestError → UnsafeXmlError,
  DataModelError, RuntimeStateError.
- `scorm.package`: import_package, read_manifest_from_zip, PackageLimits, ImportedPackage.
- `scorm.manifest`: parse_manifest; values in `scorm.manifest_model` (Manifest, Organization, Item,
  Resource, Sco, Sequencing, …).
- `scorm.inspect`: inspect_package, summarize_manifest (the `bridge scorm inspect --json` contract).
- `scorm.datamodel`: model_for, resolve, datamodel_json.
- `scorm.runtime`: RuntimeSession, ApiCall, CallResult.
- `scorm.rollup`: attempt_result, pick_attempt, rollup, AttemptResult.
It imports only the standard library and third-party libraries, never the web application.
"""
