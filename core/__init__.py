"""Rules both sides share: Vietnamese text, numbers, periods, name matching, and the status and completion rules.

Imports neither the write side (loaders) nor the read side (dashboard)."""
