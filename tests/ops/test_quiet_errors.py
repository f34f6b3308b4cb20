"""_backend.quiet (NOTE [ Quiet floating point ]): NumPy's divide/invalid/over warnings off
inside, every other setting of the caller kept, the caller's state back after."""
import threading
import warnings

import numpy as np
import pytest

from ember._backend import quiet


def test_quiet_silences_divide_invalid_and_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with quiet():
            np.log(np.zeros(1))
            np.zeros(1) / np.zeros(1)
            np.exp(np.array([1000.0]))


def test_quiet_keeps_the_callers_other_settings_and_restores_them():
    with np.errstate(under="raise", divide="raise"):
        before = np.geterr()
        with quiet():
            inside = np.geterr()
            with quiet():  # nested, as ops that call ops do
                assert np.geterr() == inside
            assert np.geterr() == inside
        assert np.geterr() == before
    assert inside == dict(before, divide="ignore", invalid="ignore", over="ignore")
    with np.errstate(under="raise"), quiet(), pytest.raises(FloatingPointError):
        np.array([1e-300]) * np.array([1e-300])


def test_quiet_restores_after_an_exception():
    before = np.geterr()
    with pytest.raises(KeyError), quiet():
        raise KeyError
    assert np.geterr() == before


def test_quiet_in_another_thread_leaves_this_one_alone():
    seen = []
    entered, release = threading.Event(), threading.Event()

    def other():
        with quiet():
            entered.set()
            release.wait(5)
            seen.append(np.geterr()["divide"])

    thread = threading.Thread(target=other)
    with np.errstate(divide="warn"):
        thread.start()
        entered.wait(5)
        assert np.geterr()["divide"] == "warn"
        release.set()
        thread.join()
    assert seen == ["ignore"]
