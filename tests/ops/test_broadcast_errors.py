"""NOTE [ Errors at the op boundary ]: an op of three or more operands whose shapes do not
broadcast names the sizes that clash, as torch does, not its first two operands."""
import pytest

import ember


def _message(m, call):
    with pytest.raises(RuntimeError) as err:
        call(m)
    return str(err.value)


@pytest.mark.parametrize("call", [
    lambda m: m.lerp(m.ones(4, 3), m.ones(4, 3), m.ones(2)),
    lambda m: m.lerp(m.ones(4, 3), m.ones(2), m.ones(4, 3)),
])
def test_three_operand_broadcast_error_names_the_clash(torch, call):
    assert _message(ember, call) == _message(torch, call)


def test_pos_weight_of_wrong_length_names_its_size():
    message = _message(ember, lambda m: m.nn.functional.binary_cross_entropy_with_logits(
        m.ones(4, 3), m.ones(4, 3), pos_weight=m.ones(2)))
    assert "(2)" in message and "(3)" in message and "non-singleton dimension 1" in message
