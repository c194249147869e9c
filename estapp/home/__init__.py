"""The start page each role lands on."""
