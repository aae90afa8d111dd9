"""The zoo scripts' working files.

A model that passes has its files removed at once: the zoo's weights (YOLO
v1's 1.1 GB, VGG's 0.55 GB each) and binaries, kept by every script, add up
to more than a small CI disk holds. A failing model's stay for a look.
"""

import os


def remove_outputs(work, name):
    """Removes `work/name` and every `work/name.*`."""
    for entry in os.listdir(work):
        if entry == name or entry.startswith(name + "."):
            os.remove(os.path.join(work, entry))
