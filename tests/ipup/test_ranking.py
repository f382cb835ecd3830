"""The prioritisation formula (ipup.ranking), on examples computed by hand."""

import pytest

from ipup.ranking import Rating, scores_compute

WEIGHTS = {"field": 1, "management": 2, "strategic": 3}
X, Y = 1, 2


def _department_vs_top_level():
    """Ten field officers of one department rate X 5 and Y 1; one strategic-level respondent of
    another organisation rates X 1 and Y 5."""
    ratings = []
    for response in range(1, 11):
        ratings += [
            Rating(X, response, "org:dept", "field", 5),
            Rating(Y, response, "org:dept", "field", 1),
        ]
    ratings += [
        Rating(X, 99, "org:ministry", "strategic", 1),
        Rating(Y, 99, "org:ministry", "strategic", 5),
    ]
    return ratings


def test_ten_answers_from_one_department_do_not_outweigh_one_top_level_answer():
    scores = scores_compute(
        _department_vs_top_level(), role_weights=WEIGHTS, normalise_by_organisation=True
    )

    # raw: (10 x 5 + 1) / 11 and (10 x 1 + 5) / 11
    assert scores[X].raw == pytest.approx(51 / 11)
    assert scores[Y].raw == pytest.approx(15 / 11)
    # weighted: each field officer weighs 1/10, the department 1 in all; the ministry 3.
    # X = (10 x 0.1 x 5 + 3 x 1) / (1 + 3) = 2.0 ; Y = (10 x 0.1 x 1 + 3 x 5) / 4 = 4.0
    assert scores[X].weighted == pytest.approx(2.0)
    assert scores[Y].weighted == pytest.approx(4.0)
    assert (scores[X].respondents, scores[X].organisations) == (11, 2)


def test_without_organisation_normalisation_only_role_levels_weigh():
    scores = scores_compute(
        _department_vs_top_level(), role_weights=WEIGHTS, normalise_by_organisation=False
    )

    # X = (10 x 1 x 5 + 3 x 1) / 13 ; Y = (10 x 1 x 1 + 3 x 5) / 13
    assert scores[X].weighted == pytest.approx(53 / 13)
    assert scores[Y].weighted == pytest.approx(25 / 13)


def test_each_organisation_is_averaged_over_those_who_rated_that_need():
    ratings = [
        Rating(X, 1, "org:a", "field", 4),
        Rating(X, 2, "org:a", "management", 1),
        Rating(Y, 1, "org:a", "field", 2),  # only one of org:a rated Y
        Rating(X, 3, "member:7", "field", 3),  # no organisation: an organisation of one
    ]

    scores = scores_compute(ratings, role_weights=WEIGHTS, normalise_by_organisation=True)

    # X: org:a weights 1/2 and 2/2, the lone member 1 -> (0.5 x 4 + 1 x 1 + 1 x 3) / 2.5
    assert scores[X].weighted == pytest.approx(6 / 2.5)
    assert scores[Y].weighted == pytest.approx(2.0)
    assert scores[X].organisations == 2


def test_a_survey_can_set_its_own_weights_and_unknown_levels_count_once():
    ratings = [Rating(X, 1, "org:a", "strategic", 5), Rating(X, 2, "org:b", "", 1)]

    equal = scores_compute(ratings, role_weights={"strategic": 1}, normalise_by_organisation=True)
    heavy = scores_compute(ratings, role_weights={"strategic": 9}, normalise_by_organisation=True)

    assert equal[X].weighted == pytest.approx(3.0)
    assert heavy[X].weighted == pytest.approx((9 * 5 + 1) / 10)
