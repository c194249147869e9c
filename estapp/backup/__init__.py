"""Backup and restore: the whole database in one versioned archive, and back again."""
