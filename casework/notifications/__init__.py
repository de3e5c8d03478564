"""Telling people: the outbox of mail, in-app notifications, reminders and calendar feeds.

Every message is a row written in the transaction of the change that causes it; the queue's
workers deliver it after the commit, so a failed request sends nothing and a crash loses nothing.
"""
