"""Draft reports and the merged chronology they draw on: versions, factual accuracy checks by the
agencies, sharing with the family, and the final version."""
