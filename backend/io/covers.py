"""Cover values of relevés: scales, codes and their conversion to numbers."""

from __future__ import annotations

# Braun-Blanquet codes (with the Reichelt & Wilmanns 2m/2a/2b subdivision) to percentage cover:
# the conversion used by Turboveg and the European plot databases that export through it
# (plain "2", 5-25 %, takes its mid-point).
BRAUN_BLANQUET_PERCENT: dict[str, float] = {
    "r": 1.0, "+": 2.0, "1": 3.0, "2m": 4.0, "2a": 8.0, "2b": 18.0, "2": 15.0,
    "3": 38.0, "4": 63.0, "5": 88.0,
}
