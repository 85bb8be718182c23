"""Operators' reports as text: the 정산 report as CSV and as a table (CLI and admin API)."""
