from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims.models import Rating, RatingScale


def _rating(**overrides):
    fields = {
        "label": "Netačno",
        "key": "false",
        "verdict": "false",
        "rating_value": Decimal(1),
        "best_rating": Decimal(5),
        "worst_rating": Decimal(1),
        "alternate_name": "False",
        "colour": "#cf222e",
        "scale": RatingScale(key="truth", name="Truth"),
    }
    fields.update(overrides)
    return Rating(**fields)


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#1a7f37", "#ffffff"),
        ("#cf222e", "#ffffff"),
        ("#ffd33d", "#000000"),
        ("#f0f0f0", "#000000"),
    ],
)
def test_badge_text_colour_contrasts_with_background(colour, text):
    assert _rating(colour=colour).text_colour == text


def test_rating_value_must_lie_on_the_scale():
    with pytest.raises(ValidationError) as exc:
        _rating(rating_value=Decimal(7)).clean()
    assert "rating_value" in exc.value.message_dict


def test_reversed_scale_is_accepted():
    # Some scales put the best grade at 1 (e.g. manipulation scales); clean() must allow it.
    _rating(rating_value=Decimal(2), best_rating=Decimal(1), worst_rating=Decimal(6)).clean()


def test_colour_must_be_hex():
    with pytest.raises(ValidationError):
        _rating(colour="red").clean()
