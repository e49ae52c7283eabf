"""Learner screens, inside the LTI launch."""
