"""Errors shown to people.

A :class:`BotaclipError` carries a message written for the user: it names the file, field or
value at fault and says how to fix it. Front doors print it (CLI), push it to the message bar
(plugin) or raise it as a QgsProcessingException (Processing) without a traceback.
"""


class BotaclipError(Exception):
    """An error caused by the input or the environment, with a message for the user."""


class Cancelled(BotaclipError):
    """The user asked to stop. Partial outputs have been removed."""

    def __init__(self, message: str = "Cancelled by the user; no output was written."):
        super().__init__(message)
