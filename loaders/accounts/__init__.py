"""Accounts and roles (Argon2 hashes, sign-in), the permission checks every write makes, and the audit trail."""
