"""`botaclip embed` (registered by backend.cli)."""


def register(sub) -> None:
    """Add the embed subcommand to the `botaclip` parser."""
