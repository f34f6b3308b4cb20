"""Tests of ember.distributions."""
import ember.distributions  # noqa: F401  (the tests reach it as ember.distributions)
