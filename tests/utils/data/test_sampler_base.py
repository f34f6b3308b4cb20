"""The Sampler base class takes no arguments in torch 2.13: Sampler(data) and a subclass's
super().__init__(data) raise TypeError (ember used to accept and drop them)."""
import pytest

import ember


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def test_sampler_takes_no_data_source(torch):
    for lib in (ember, torch):
        Sampler = lib.utils.data.Sampler

        class Passing(Sampler):
            def __init__(self, data):
                super().__init__(data)

        with pytest.raises(TypeError):
            Sampler([1, 2])
        with pytest.raises(TypeError):
            Passing([1, 2])
        assert isinstance(Sampler(), Sampler)
