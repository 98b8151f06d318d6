"""Presentation: names for people, terminal tables, and the run and sweep reports."""
