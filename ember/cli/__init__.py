"""The pieces of the ember-train command (ember/train.py): data, network, checks, loop, report."""
