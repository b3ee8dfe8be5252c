"""The 17 goals: official names and numbers, a description each, colours whose text meets WCAG AA."""

import pytest

from assistant.core.goals import AA_CONTRAST, DARK, GOALS, WHITE, contrast_ratio, goal

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
    assert g.text_colour in (WHITE, DARK)
    assert contrast_ratio(g.colour, g.text_colour) >= AA_CONTRAST
    # the quote box inside a tile is dark text on white
    assert contrast_ratio("#FFFFFF", DARK) >= AA_CONTRAST
