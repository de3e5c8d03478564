"""Registers kept beside a review: parallel processes, the monitoring log, the family's involvement."""
