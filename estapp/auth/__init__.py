"""Login, logout, passwords and the access rules every route goes through."""
