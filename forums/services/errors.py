"""The refusal every business operation raises: French messages keyed by the form field they belong to."""


class FieldErrors(ValueError):
    """A refused operation; ``errors`` maps a field name (or "__all__" for the whole form) to French messages.

    Views show each message next to its field; the exception's text joins them all (logs, commands).
    """

    def __init__(self, errors=None):
        self.errors = errors or {}
        super().__init__("; ".join(message for messages in self.errors.values() for message in messages))

    @classmethod
    def single(cls, message, field_name="__all__"):
        """Return an error with one message."""
        return cls({field_name: [message]})
