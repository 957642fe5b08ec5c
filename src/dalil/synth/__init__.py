"""Synthetic data generators with ground truth (fictional people, lists, documents)."""
