"""Outgoing events: their wire types (schema.py), signing and delivery over HTTP (sender.py)."""
