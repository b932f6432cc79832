"""Small things several test files share (import them with ``from helpers import ...``: the
tests folder is on ``sys.path`` while pytest runs, and tests/window/driver.py adds it)."""

import json

# A DOFA small enough to run in milliseconds on the CPU (random weights): the shape of the
# real model, none of its cost.
TINY = {"img_size": 32, "patch_size": 8, "embed_dim": 32, "depth": 1, "num_heads": 2,
        "dynamic_embed_dim": 32}
TINY_JSON = json.dumps(TINY)        # the same, as --backbone-config takes it


class Calls:
    """Records what a BackendTask reported: ``kwargs()`` gives its callbacks."""

    def __init__(self):
        self.success, self.error, self.cancel = [], [], []

    def kwargs(self):
        return {"on_success": self.success.append, "on_error": self.error.append,
                "on_cancel": lambda: self.cancel.append(True)}
