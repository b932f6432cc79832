"""Dialogs of the BotaCLIP tools (built in code, see settings_dialog.py)."""
