"""Thin views: forms check shapes, cases.services write, cases.selectors read."""
