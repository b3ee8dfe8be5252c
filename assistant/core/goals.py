"""FN's 17 bærekraftsmål: number, official Norwegian name, a short description to embed, colours that meet WCAG AA.

Names as FN-sambandet and regjeringen.no write them. Each description names the goal's themes in
the words municipal documents use; e5 compares passages with it (ingest/goals.py). Colours are the
official SDG colours; each tile's text is white or near-black, whichever gives at least 4.5:1
contrast (WCAG AA for normal text). Every official colour reaches that with one of the two, so
none had to be changed (tests/core/test_goal_data.py computes the ratios).
"""

from __future__ import annotations

from dataclasses import dataclass

WHITE = "#FFFFFF"
DARK = "#1A1A1A"
AA_CONTRAST = 4.5


@dataclass(frozen=True)
class Goal:
    """One bærekraftsmål: its number, official Norwegian name, description for embedding and colours."""

    number: int
    name: str
    description: str
    colour: str  # official background colour, "#RRGGBB"
    text_colour: str  # WHITE or DARK: the one with contrast ≥ 4.5:1 on the colour

    @property
    def label(self) -> str:
        """Return "13 Stoppe klimaendringene"."""
        return f"{self.number} {self.name}"


def _luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a "#RRGGBB" colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """Return the WCAG 2 contrast ratio of two "#RRGGBB" colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background: str) -> str:
    """Return WHITE or DARK, whichever contrasts more with the background."""
    return WHITE if contrast_ratio(background, WHITE) >= contrast_ratio(background, DARK) else DARK


_DATA = (
    (1, "Utrydde fattigdom", "#E5243B",
     "Fattigdom, lavinntekt og økonomisk trygghet. Barn som vokser opp i familier med lav inntekt, sosialhjelp, "
     "sosiale ytelser, gjeld og bostøtte. Alle skal ha et sikkerhetsnett og grunnleggende tjenester."),
    (2, "Utrydde sult", "#DDA63A",
     "Mat, ernæring og sult. Bærekraftig landbruk og matproduksjon, jordvern, bønder og lokal mat, "
     "matsikkerhet og sunt kosthold."),
    (3, "God helse og livskvalitet", "#4C9F38",
     "Folkehelse, helse og livskvalitet. Helsetjenester, psykisk helse, rus, fysisk aktivitet, "
     "trafikksikkerhet og forebygging. Eldre, omsorg, sykehjem og hjemmetjenester."),
    (4, "God utdanning", "#C5192D",
     "Utdanning og læring. Barnehage, skole, grunnskole og videregående opplæring, frafall, "
     "livslang læring, kompetanse, universitet og forskning, opplæring og etter- og videreutdanning."),
    (5, "Likestilling mellom kjønnene", "#FF3A21",
     "Likestilling mellom kvinner og menn, jenter og gutter. Vold i nære relasjoner, likelønn, "
     "deltid og kvinners deltakelse i arbeidsliv, politikk og ledelse."),
    (6, "Rent vann og gode sanitærforhold", "#26BDE2",
     "Drikkevann, vannforsyning, avløp, kloakk og renseanlegg. Vannledninger og vann- og avløpsnett, "
     "overvann, vannkvalitet i elver og innsjøer."),
    (7, "Ren energi til alle", "#FCC30B",
     "Energi og kraft. Fornybar energi, solceller, vindkraft og vannkraft, energieffektivisering "
     "og energisparing i bygg, fjernvarme, strømforbruk og elektrifisering."),
    (8, "Anstendig arbeid og økonomisk vekst", "#A21942",
     "Arbeid, sysselsetting og næringsliv. Arbeidsplasser, økonomisk vekst og verdiskaping, "
     "unge utenfor arbeid og utdanning, arbeidsvilkår, reiseliv og bedrifter."),
    (9, "Innovasjon, industri og infrastruktur", "#FD6925",
     "Innovasjon, industri, teknologi og infrastruktur. Veier, bredbånd og digitalisering, "
     "forskning og utvikling, gründere, nye løsninger og smarte byer."),
    (10, "Mindre ulikhet", "#DD1367",
     "Ulikhet og inkludering. Sosial utjevning, utenforskap, innvandrere og flyktninger, integrering, "
     "mennesker med funksjonsnedsettelse, universell utforming og diskriminering."),
    (11, "Bærekraftige byer og lokalsamfunn", "#FD9D24",
     "Byer, tettsteder og lokalsamfunn. Byutvikling, arealplanlegging og boliger, kollektivtransport, "
     "gange og sykkel, grøntområder, kulturarv, luftkvalitet og beredskap."),
    (12, "Ansvarlig forbruk og produksjon", "#BF8B2E",
     "Forbruk og produksjon. Avfall og gjenvinning, sirkulærøkonomi, ombruk og reparasjon, matsvinn, "
     "bærekraftige innkjøp og anskaffelser, ressursbruk."),
    (13, "Stoppe klimaendringene", "#3F7E44",
     "Klima. Klimagassutslipp, klimaplan og klimabudsjett, lavutslippssamfunn, "
     "klimatilpasning til flom, ras og ekstremvær, klimaregnskap og reduserte utslipp."),
    (14, "Livet i havet", "#0A97D9",
     "Havet, fjorden og kysten. Marin forsøpling og plast i havet, fiskeri og havbruk, oppdrett, "
     "marine økosystemer og vernede havområder."),
    (15, "Livet på land", "#56C02B",
     "Natur og naturmangfold på land. Skog, myr og våtmark, arter og økosystemer, "
     "nedbygging av natur, naturvern, friluftsliv og fremmede arter."),
    (16, "Fred, rettferdighet og velfungerende institusjoner", "#00689D",
     "Demokrati, styring og rettferdighet. Åpenhet, medvirkning og innbyggerdialog, korrupsjon, "
     "tillit, kriminalitet og trygghet, velfungerende kommunale institusjoner og politiske råd."),
    (17, "Samarbeid for å nå målene", "#19486A",
     "Samarbeid og partnerskap for å nå bærekraftsmålene. Nettverk mellom kommuner, fylkeskommune, "
     "staten, næringsliv, akademia og frivillige organisasjoner; internasjonalt samarbeid og FN."),
)

GOALS: tuple[Goal, ...] = tuple(
    Goal(number, name, description, colour, text_colour_on(colour)) for number, name, colour, description in _DATA
)
BY_NUMBER: dict[int, Goal] = {g.number: g for g in GOALS}


def goal(number: int) -> Goal:
    """Return goal 1..17 (KeyError otherwise)."""
    return BY_NUMBER[number]
