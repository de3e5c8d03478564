"""From the final version to the public record. `anonymisation` reads PDF, DOCX and ODT files and
searches them for the identifying details recorded on a review."""
