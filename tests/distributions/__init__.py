"""Tests of ember.distributions (imported here, so that the tests reach it as ember.distributions
whatever ember/__init__.py imports)."""
import importlib

importlib.import_module("ember.distributions")
