from cases.transitions import Status


def test_walk_reaches_explanation(walk):
    case = walk.explanation_written()
    assert case.status == Status.EXPLANATION_WRITTEN
