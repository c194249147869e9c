"""Weekly reports from partners: inrapportering of observations."""
