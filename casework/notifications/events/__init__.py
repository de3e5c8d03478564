"""What people are told at once when something is asked of them: one function per event, called
by the service that makes the change, in its transaction, after the change is flushed.

Each event decides who is told by the access rules on the records (an agency's leads, whoever
may manage the review, the action's owner) and never tells the person who made the change. What
is told names the review by its reference and pseudonym only: no identifying details, and no
free text people typed (instructions, comments, descriptions), which could name someone. The
message says what is asked and by when, and links to the page that deals with it.
"""
