"""hub.load / list / help with source='local': a folder's hubconf.py, its entrypoints (public
callables), its `dependencies` and its sibling modules; the same results and errors as torch.hub
where torch can run the same folder."""
import os
import sys
import textwrap

import numpy as np
import pytest

import ember
from ember import hub

HUBCONF = '''
dependencies = ["numpy"]

import ember
from hubrepo_layers import width  # a module of the repository itself

VERSION = 3  # not callable: not an entrypoint


def linear(out_features=3, *, bias=True):
    """A Linear layer from `width` inputs."""
    return ember.nn.Linear(width(), out_features, bias=bias)


def pair(a, b=2):
    """(a, b)."""
    return (a, b)


def lazy():
    import hubrepo_lazy  # imported when the entrypoint runs, not with hubconf
    return hubrepo_lazy.VALUE


def _helper():
    return "private"
'''


def _write(folder, files):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return folder


@pytest.fixture
def repo(tmp_path):
    return _write(tmp_path / "repo", {"hubconf.py": HUBCONF,
                                      "hubrepo_layers.py": "def width():\n    return 4\n",
                                      "hubrepo_lazy.py": "VALUE = 'lazy'\n"})


def test_load_calls_the_entrypoint_with_its_arguments(repo):
    model = hub.load(str(repo), "linear", 5, source="local", bias=False)
    assert isinstance(model, ember.nn.Linear)
    assert tuple(model.weight.shape) == (5, 4) and model.bias is None
    assert hub.load(repo, "pair", 1, b=7, source="LOCAL") == (1, 7)
    assert hub.load(str(repo), "lazy", source="local") == "lazy"
    assert hub.load(str(repo), "_helper", source="local") == "private"
    assert str(repo) not in sys.path


def test_list_names_the_public_callables(repo):
    names = hub.list(str(repo), source="local")
    assert names == ["lazy", "linear", "pair", "width"]  # `width` is imported, and callable


def test_help_is_the_entrypoint_docstring(repo):
    assert hub.help(str(repo), "linear", source="local") == "A Linear layer from `width` inputs."
    assert hub.help(str(repo), "pair", source="local") == "(a, b)."


@pytest.mark.parametrize("model, error, message", [
    ("missing", RuntimeError, "Cannot find callable missing in hubconf"),
    ("VERSION", RuntimeError, "Cannot find callable VERSION in hubconf"),
    (3, ValueError, "Invalid input: model should be a string of function name"),
])
def test_bad_entrypoints(repo, model, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        hub.load(str(repo), model, source="local")
    with pytest.raises(error, match=f"^{message}$"):
        hub.help(str(repo), model, source="local")


def test_missing_dependencies_are_named(tmp_path):
    folder = _write(tmp_path / "deps", {"hubconf.py": """
        dependencies = ["numpy", "hubrepo_absent_one", "hubrepo_absent_two"]
        def model():
            return 1
        """})
    with pytest.raises(RuntimeError, match="^Missing dependencies: hubrepo_absent_one, "
                                           "hubrepo_absent_two$"):
        hub.load(str(folder), "model", source="local")
    assert hub.list(str(folder), source="local") == ["model"]  # listing does not check


def test_unknown_source_and_missing_hubconf(repo, tmp_path):
    with pytest.raises(ValueError, match='^Unknown source: "svn". Allowed values: "github" \\| '
                                         '"local".$'):
        hub.load(str(repo), "pair", 1, source="svn")
    with pytest.raises(FileNotFoundError):
        hub.load(str(tmp_path), "pair", 1, source="local")


def test_options_for_github_are_accepted_and_ignored(repo):
    out = hub.load(str(repo), "pair", 1, source="local", trust_repo=False, force_reload=True,
                   verbose=False, skip_validation=True)
    assert out == (1, 2)


def test_same_as_torch_hub(tmp_path):
    torch = pytest.importorskip("torch")
    folder = _write(tmp_path / "plain", {"hubconf.py": """
        dependencies = ["numpy"]
        CONSTANT = 1
        def pair(a, b=2):
            return (a, b)
        def _hidden():
            return 0
        """})
    for args, kwargs in [(("pair", 1), {"b": 5}), (("_hidden",), {})]:
        assert (hub.load(str(folder), *args, source="local", **kwargs)
                == torch.hub.load(str(folder), *args, source="local", **kwargs))
    for model in ("nothing", "CONSTANT", None):
        with pytest.raises(Exception) as theirs:
            torch.hub.load(str(folder), model, source="local")
        with pytest.raises(type(theirs.value)) as mine:
            hub.load(str(folder), model, source="local")
        assert str(mine.value) == str(theirs.value)
    with pytest.raises(ValueError) as theirs:
        torch.hub.load(str(folder), "pair", source="git")
    with pytest.raises(ValueError) as mine:
        hub.load(str(folder), "pair", source="git")
    assert str(mine.value) == str(theirs.value)


def test_model_zoo_load_url_is_load_state_dict_from_url():
    from ember.utils import model_zoo
    assert model_zoo.load_url is hub.load_state_dict_from_url
    assert model_zoo.tqdm is hub.tqdm


def test_hubconf_may_build_and_load_a_checkpoint(tmp_path):
    """An entrypoint that loads weights saved beside it, as pretrained=True entrypoints do."""
    net = ember.nn.Linear(2, 1)
    ember.save(net.state_dict(), tmp_path / "weights.pth")
    folder = _write(tmp_path, {"hubconf.py": """
        import os
        import ember
        def net(pretrained=False):
            model = ember.nn.Linear(2, 1)
            if pretrained:
                here = os.path.dirname(__file__)
                model.load_state_dict(ember.load(os.path.join(here, "weights.pth")))
            return model
        """})
    loaded = hub.load(str(folder), "net", source="local", pretrained=True)
    np.testing.assert_array_equal(loaded.weight.detach().numpy(), net.weight.detach().numpy())
    assert os.path.exists(folder / "weights.pth")
