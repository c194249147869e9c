"""EST meetings (EST-möte) and the actions they decide (åtgärder)."""
