"""The 17 goals: official names and numbers, a description each, colours whose text meets WCAG AA."""

import pytest

from assistant.core.goals import AA_CONTRAST, DARK, GOALS, WHITE, contrast_ratio, goal, text_colour_on

OFFICIAL = [
    "Utrydde fattigdom", "Utrydde sult", "God helse og livskvalitet", "God utdanning", "Likestilling mellom kjønnene",
    "Rent vann og gode sanitærforhold", "Ren energi til alle", "Anstendig arbeid og økonomisk vekst",
    "Innovasjon, industri og infrastruktur", "Mindre ulikhet", "Bærekraftige byer og lokalsamfunn",
    "Ansvarlig forbruk og produksjon", "Stoppe klimaendringene", "Livet i havet", "Livet på land",
    "Fred, rettferdighet og velfungerende institusjoner", "Samarbeid for å nå målene",
]


def test_the_17_goals_in_order_with_their_official_names():
    assert [g.number for g in GOALS] == list(range(1, 18))
    assert [g.name for g in GOALS] == OFFICIAL
    assert goal(13).label == "13 Stoppe klimaendringene"
    assert all(len(g.description.split()) >= 12 for g in GOALS)


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the known AA grey


@pytest.mark.parametrize("g", GOALS, ids=lambda g: str(g.number))
def test_text_on_every_goal_colour_meets_aa(g):
    assert g.text_colour == text_colour_on(g.colour)
    assert contrast_ratio(g.colour, g.text_colour) >= AA_CONTRAST


def test_text_colour_on_picks_whichever_of_white_and_dark_contrasts_more():
    assert text_colour_on("#000000") == WHITE and text_colour_on("#FFFFFF") == DARK
    assert text_colour_on("#1A1A1A") == WHITE and text_colour_on("#FCC30B") == DARK  # goal 7's yellow
    for background in ("#767676", "#777777", "#595959", "#A0A0A0"):  # greys on both sides of the turn
        other = DARK if text_colour_on(background) == WHITE else WHITE
        assert contrast_ratio(background, text_colour_on(background)) >= contrast_ratio(background, other)
    assert {g.text_colour for g in GOALS} == {WHITE, DARK}  # both are used: the choice is made per colour
