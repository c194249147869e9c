"""Gallring: observations are deleted some time after their week; lägesbilder keep figures."""
