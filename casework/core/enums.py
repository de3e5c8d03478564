"""String enums that carry the words shown to people: ``POLICE = "police", "Police"``."""

from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    """Stored as its value; shown as its label."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class TaggedEnum(LabelledEnum):
    """A status shown as a coloured tag: ``DUE = "due", "Due", "blue"``."""

    tag_colour: str

    def __new__(cls, value: str, label: str, tag_colour: str) -> TaggedEnum:
        member = str.__new__(cls, value)
        member._value_, member.label, member.tag_colour = value, label, tag_colour
        return member
