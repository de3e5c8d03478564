"""Domain errors raised by services; views turn them into messages next to the form."""


class DomainError(Exception):
    """An illegal step or invalid request: the message is written for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrentEditError(DomainError):
    """Someone else saved the record after this user loaded it."""

    def __init__(self, what: str = "this record") -> None:
        super().__init__(
            f"Someone else changed {what} while you were editing it. "
            "Check the current details and make your change again."
        )
