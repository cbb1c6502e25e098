"""Accounts: the one user model, SSO provider, member dashboard and newsletters."""
