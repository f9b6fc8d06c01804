"""Labelled demo data (dataset='demo'): ``ipbureau demo-data`` / ``generator.load_demo``."""
