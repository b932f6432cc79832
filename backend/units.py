"""Sizes written for people: the one place that formats a number of bytes in messages."""

from __future__ import annotations


def format_bytes(n: float) -> str:
    """``n`` bytes as "12.3 MB" below a gibibyte, else "1.23 GB" (binary units)."""
    return f"{n / 2**20:.1f} MB" if n < 2**30 else f"{n / 2**30:.2f} GB"
