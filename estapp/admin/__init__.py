"""Administration of kommuner, organisations, areas, places, categories, users and audit."""
