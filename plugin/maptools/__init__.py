"""Map tools: what a user does by clicking on the map canvas (Find similar places)."""
