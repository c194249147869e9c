"""Compile the weekly lägesbild: statistics, small-count suppression and charts."""
