"""`botaclip train` and `botaclip embed-chips` (registered by backend.cli)."""


def register(sub) -> None:
    """Add the train and embed-chips subcommands to the `botaclip` parser."""
