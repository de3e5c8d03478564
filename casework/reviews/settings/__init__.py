"""What the partnership sets for every review: its closure days, and the types of review."""
