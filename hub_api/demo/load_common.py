"""The diff-setter the demo loaders share: touch a row only where the data set differs."""

import copy


def apply_changes(obj, values: dict) -> bool:
    """Set the attributes whose stored value differs; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, copy.deepcopy(value))
            changed = True
    return changed
