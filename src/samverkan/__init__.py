"""Samverkan: local crime-prevention collaboration, from first meeting to follow-up."""
