"""Independent reviewers: their profiles and declared links, conflict checks, appointments and
their answers, and the agencies in the review's scope."""
