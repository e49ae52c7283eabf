"""scorm."""
