"""Command groups of feature areas; each module defines ``register(main: click.Group) -> None``."""
