"""Explicit row <-> entity mappers, one module per aggregate. No ORM, no lazy loading."""
