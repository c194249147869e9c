import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estapp.lagesbild.suppression import Suppression, suppress_table


def test_large_counts_are_shown_as_they_are():
    table = suppress_table({"klotter": 5, "skadegörelse": 6, "anlagd brand": 0})
    assert table.as_dict() == {"klotter": "5", "skadegörelse": "6", "anlagd brand": "0"}
    assert table.total == "11"
    assert table.total_suppression is Suppression.NONE


def test_single_small_cell_gets_a_complement():
    # Hiding only A would be pointless: 19 − 10 − 7 = 2. The next smallest cell (C = 7) is hidden
    # too; a reader then knows A + C = 9 with A in 1..2 and C in 3..10, so A may be 1 or 2.
    table = suppress_table({"A": 2, "B": 10, "C": 7})
    assert table.as_dict() == {"A": "<3", "B": "10", "C": ".."}
    assert table.total == "19"
    assert [c.suppression for c in table.cells] == [
        Suppression.PRIMARY,
        Suppression.NONE,
        Suppression.SECONDARY,
    ]


def test_complement_of_exactly_the_threshold_is_not_enough():
    # A = 1, B = 3, C = 8. Hiding A and B leaves A + B = 12 − 8 = 4 with A ≥ 1 and B ≥ 3: the only
    # solution is A = 1. So C is hidden as well: A + B + C = 12 has many solutions.
    table = suppress_table({"A": 1, "B": 3, "C": 8})
    assert table.as_dict() == {"A": "<3", "B": "..", "C": ".."}
    assert table.total == "12"


def test_complement_tied_with_a_visible_cell_is_not_enough():
    # A = 2, B = 5, C = 5. Hiding A and B: A + B = 12 − 5 = 7, and B (chosen as the smaller)
    # is at most the visible 5, so A ≥ 2, i.e. A = 2. C must go too.
    table = suppress_table({"A": 2, "B": 5, "C": 5})
    assert table.as_dict() == {"A": "<3", "B": "..", "C": ".."}


def test_two_small_cells_protect_each_other_only_if_their_sum_is_ambiguous():
    # 1 + 2 = 3 could be 1 + 2 or 2 + 1: safe with the total shown.
    assert suppress_table({"A": 1, "B": 2, "C": 10}).as_dict() == {
        "A": "<3",
        "B": "<3",
        "C": "10",
    }
    # 1 + 1 = 2 forces both to 1, so the visible 10 is hidden too.
    assert suppress_table({"A": 1, "B": 1, "C": 10}).as_dict() == {
        "A": "<3",
        "B": "<3",
        "C": "..",
    }


def test_total_is_hidden_when_no_cell_is_left_to_hide():
    # Two cells of 1 and nothing else: the total 2 would give both away.
    table = suppress_table({"A": 1, "B": 1})
    assert table.as_dict() == {"A": "<3", "B": "<3"}
    assert table.total == ".."
    assert table.total_suppression is Suppression.SECONDARY


def test_small_total_is_itself_suppressed():
    table = suppress_table({"A": 2, "B": 0})
    assert table.as_dict() == {"A": "<3", "B": "0"}
    assert table.total == "<3"
    assert table.total_suppression is Suppression.PRIMARY


def test_zero_is_shown_and_never_used_as_complement():
    table = suppress_table({"A": 0, "B": 1, "C": 5})
    assert table.as_dict() == {"A": "0", "B": "<3", "C": ".."}
    assert table.total == "6"


def test_total_with_unlisted_events_is_allowed_but_not_smaller():
    # 4 events without an area are in the total; the reader is assumed to know that.
    table = suppress_table({"A": 2, "B": 10, "C": 7}, total=23)
    assert table.as_dict() == {"A": "<3", "B": "10", "C": ".."}
    assert table.total == "23"
    with pytest.raises(ValueError):
        suppress_table({"A": 2, "B": 10}, total=11)


def test_higher_threshold():
    table = suppress_table({"A": 4, "B": 5, "C": 9, "D": 12}, threshold=5)
    # A is hidden as "<5" and B (5) as its complement: A + B = 9 with A in 1..4, B in 5..9.
    assert table.as_dict() == {"A": "<5", "B": "..", "C": "9", "D": "12"}


def test_invalid_input():
    with pytest.raises(ValueError):
        suppress_table({"A": 1}, threshold=2)
    with pytest.raises(ValueError):
        suppress_table({"A": -1})


def feasible_values(table, counts, threshold):
    """Brute-force every table a reader could believe, given what is shown; values per cell."""
    bounds = []
    for cell in table.cells:
        if cell.suppression is Suppression.PRIMARY:
            bounds.append(range(1, threshold))
        elif cell.suppression is Suppression.SECONDARY:
            visible = [counts[c.label] for c in table.cells if c.suppression is Suppression.NONE]
            high = min([v for v in visible if v > 0], default=sum(counts.values()) + 5)
            bounds.append(range(threshold, high + 1))
        else:
            bounds.append(range(counts[cell.label], counts[cell.label] + 1))
    seen = [set() for _ in bounds]
    for values in itertools.product(*bounds):
        total = sum(values)
        if table.total_suppression is Suppression.NONE and total != sum(counts.values()):
            continue
        if table.total_suppression is Suppression.PRIMARY and not 1 <= total < threshold:
            continue
        for index, value in enumerate(values):
            seen[index].add(value)
    return seen


@given(st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=4))
def test_no_small_cell_can_be_worked_out(values):
    counts = {f"c{index}": value for index, value in enumerate(values)}
    table = suppress_table(counts)
    possible = feasible_values(table, counts, 3)
    for cell, options in zip(table.cells, possible, strict=True):
        if cell.suppression is Suppression.PRIMARY:
            assert counts[cell.label] in options
            assert len(options) > 1, (counts, table)
