"""The slip's own table, edge by edge: received → converted | closed; both final."""

import pytest

from governance.slips_transitions import SLIP_TRANSITIONS, SlipAction, SlipStatus, slip_next_status

EDGES = {
    (SlipStatus.RECEIVED, SlipAction.CONVERT): SlipStatus.CONVERTED,
    (SlipStatus.RECEIVED, SlipAction.CLOSE): SlipStatus.CLOSED,
}


@pytest.mark.parametrize("status", SlipStatus.values)
@pytest.mark.parametrize("action", SlipAction.values)
def test_each_edge_of_the_table(status, action):
    assert slip_next_status(status, action) == EDGES.get((status, action))


def test_the_table_names_every_status_and_only_known_actions():
    assert set(SLIP_TRANSITIONS) == set(SlipStatus.values)
    for moves in SLIP_TRANSITIONS.values():
        assert set(moves) <= set(SlipAction.values)
        assert set(moves.values()) <= set(SlipStatus.values)
