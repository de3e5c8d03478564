"""From the final version to the public record: the anonymisation check (`checks`, reading and
searching documents in `anonymisation`), the steps before publication, publishing or deciding
not to, delays, withdrawal and corrected versions (`publishing`)."""
