"""Shared plumbing every domain uses: database types and helpers, labelled enums, time and
working days, errors, form helpers and one-time keys, the audit trail, request guards, security
headers and error pages. Nothing here imports a domain package."""
