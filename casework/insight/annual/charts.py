"""Bar charts drawn as PNG images for the Word document: a title, one labelled bar a line, each
with its value written at its end, in the GOV.UK palette's colours (readable in black and white:
the values are written, never only shown)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from casework.insight.annual.sections import Section, Share

WIDTH = 1200
BAR_HEIGHT = 36
GAP = 16
LABEL_WIDTH = 520
MARGIN = 24
TITLE_HEIGHT = 64
BLUE, BLACK, GREY, WHITE = "#1d70b8", "#0b0c0c", "#b1b4b6", "#ffffff"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is written at the bar's end ("3 of 4 (75%)")


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    maximum: float | None = None  # the scale's end (100 for percentages); None: the largest bar

    @property
    def description(self) -> str:
        """The chart in words, for its alternative text."""
        values = "; ".join(f"{bar.label}: {bar.text}" for bar in self.bars) or "nothing to show"
        return f"Bar chart, {self.title}. {values}."


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """The text shortened with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_bars(chart: Chart) -> bytes:
    rows = max(len(chart.bars), 1)
    height = TITLE_HEIGHT + rows * (BAR_HEIGHT + GAP) + MARGIN
    image = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(image)
    title_font, font = _font(28), _font(22)
    title = _fit(draw, chart.title, title_font, WIDTH - 2 * MARGIN)
    draw.text((MARGIN, MARGIN), title, fill=BLACK, font=title_font)
    scale_end = chart.maximum or max((bar.value for bar in chart.bars), default=0) or 1
    bar_space = WIDTH - LABEL_WIDTH - 2 * MARGIN - 180  # room for the value at the bar's end
    top = TITLE_HEIGHT
    if not chart.bars:
        draw.text((MARGIN, top + 6), "Nothing to show for this year", fill=BLACK, font=font)
    for bar in chart.bars:
        label = _fit(draw, bar.label, font, LABEL_WIDTH - MARGIN)
        draw.text((MARGIN, top + 6), label, fill=BLACK, font=font)
        left = MARGIN + LABEL_WIDTH
        draw.rectangle((left, top, left + bar_space, top + BAR_HEIGHT), outline=GREY)
        length = round(bar_space * min(bar.value, scale_end) / scale_end)
        if length > 0:
            draw.rectangle((left, top, left + length, top + BAR_HEIGHT), fill=BLUE)
        draw.text((left + bar_space + 12, top + 6), bar.text, fill=BLACK, font=font)
        top += BAR_HEIGHT + GAP
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _share_bar(label: str, share: Share) -> Bar:
    return Bar(label, share.percent or 0, str(share))


def timeliness_chart(section: Section) -> Chart:
    """The share on time of each clock the section's reviews run against."""
    bars = []
    if section.is_children:
        bars += [
            _share_bar("Notifications within 5 working days", section.notifications),
            _share_bar("Rapid reviews within 15 working days", section.rapid_reviews),
        ]
    bars.append(_share_bar(section.target_short, section.concluded_in_time))
    return Chart(f"{section.title}: timeliness (per cent on time)", tuple(bars), maximum=100)


def _reviews(count: int) -> str:
    return f"{count} review" if count == 1 else f"{count} reviews"


def themes_chart(section: Section) -> Chart:
    bars = tuple(Bar(name, count, _reviews(count)) for name, count in section.themes)
    return Chart(f"{section.title}: themes of the reviews concluded", bars)


def actions_chart(section: Section) -> Chart:
    totals = section.action_totals
    bars = tuple(
        Bar(label, value, str(value))
        for label, value in (
            ("Created", totals.created),
            ("Completed", totals.completed),
            ("Verified", totals.verified),
            ("Overdue at the end of the year", totals.overdue),
        )
    )
    return Chart(f"{section.title}: actions in the year", bars)


def impact_chart(section: Section) -> Chart:
    bars = tuple(Bar(label, value, str(value)) for label, value in section.impact_rows())
    return Chart(f"{section.title}: impact", bars)


def charts_for(section: Section) -> list[Chart]:
    return [timeliness_chart(section), themes_chart(section), actions_chart(section)]
