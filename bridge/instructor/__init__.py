"""Instructor screens, inside the LTI launch (instructor roles only)."""
