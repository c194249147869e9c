"""Medborgarlöften: the kommun's yearly promise, its problem areas and its commitments."""
