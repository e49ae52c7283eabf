"""Tool-administration screens (platform registrations, keys)."""
